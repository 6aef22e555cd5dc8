package nvim_test

import (
	"bytes"
	"context"
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
	nvim := findNvim(t)
	pluginDir, root := pluginAndRoot(t)
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

	bin := buildServer(t, root)
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
			cmd.Env = editorEnv(bin, state,
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
}
