package nvim_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// recipeBlock finds the README's recipes: a marker comment, then a Lua block.
var recipeBlock = regexp.MustCompile("(?s)<!-- recipe: (\\w+) -->\n```lua\n(.*?)```")

// TestREADMERecipes installs the plugin the way each of the README's
// recipes says (lazy.nvim, packer, none) in a real headless Neovim, with a
// copy of the repository standing in for the clone a plugin manager makes
// of its URL, and checks that hotload attaches to a Python buffer, that its
// commands exist and that a save runs the module (testdata/recipe.lua).
// The project's Python is whatever python3 is on PATH: the recipes must
// work without numpy or pandas.
func TestREADMERecipes(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("nvim is not on PATH; CI must run the real-editor test (apt-get install neovim)")
		}
		t.Skip("install neovim to run the real-editor test")
	}
	pluginDir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(pluginDir, "..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	recipes := map[string]string{}
	for _, m := range recipeBlock.FindAllSubmatch(readme, -1) {
		recipes[string(m[1])] = string(m[2])
	}
	for _, want := range []string{"lazy", "packer", "none"} {
		if recipes[want] == "" {
			t.Fatalf("README.md has no %q recipe (<!-- recipe: %s --> before a ```lua block)", want, want)
		}
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "hotload"), "github.com/hotload-dev/hotload/cmd/hotload")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// What a plugin manager clones: the repository; the plugin is below it.
	clone := filepath.Join(t.TempDir(), "hotload")
	if err := os.CopyFS(filepath.Join(clone, "editors", "nvim"), os.DirFS(pluginDir)); err != nil {
		t.Fatal(err)
	}
	// The copy may not keep a tags file from the developer's :helptags.
	_ = os.Remove(filepath.Join(clone, "editors", "nvim", "doc", "tags"))

	for _, manager := range []string{"lazy", "packer", "none"} {
		t.Run(manager, func(t *testing.T) {
			project := t.TempDir()
			for _, f := range txtar.Parse([]byte("-- pyproject.toml --\n[project]\nname = \"recipe\"\n-- lib.py --\nprint(6 * 7)\n")).Files {
				if err := os.WriteFile(filepath.Join(project, f.Name), f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			state := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), editorTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, nvim, "--headless", "-n", "-i", "NONE", "-u", filepath.Join(pluginDir, "testdata", "recipe.lua"))
			cmd.Dir = project
			cmd.Env = append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"XDG_CONFIG_HOME="+filepath.Join(state, "config"),
				"XDG_DATA_HOME="+filepath.Join(state, "data"),
				"XDG_STATE_HOME="+filepath.Join(state, "state"),
				"XDG_CACHE_HOME="+filepath.Join(state, "cache"),
				"HOTLOAD_RECIPE_MANAGER="+manager,
				"HOTLOAD_RECIPE="+recipes[manager],
				"HOTLOAD_CLONE="+clone,
			)
			var report, messages bytes.Buffer
			cmd.Stdout, cmd.Stderr = &report, &messages
			cmd.WaitDelay = 10 * time.Second
			runErr := cmd.Run()
			t.Logf("recipe.lua:\n%s", report.String())
			if runErr != nil || strings.Contains(report.String(), "FAIL") || !strings.Contains(report.String(), "PASS a save runs the module") {
				t.Logf("nvim messages:\n%s", messages.String())
				t.Fatalf("the %s recipe does not work: %v", manager, runErr)
			}
		})
	}
	// Nothing was written into the clone but what git ignores.
	_ = filepath.WalkDir(clone, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "tags" {
			t.Logf("note: %s written", path)
		}
		return nil
	})
}
