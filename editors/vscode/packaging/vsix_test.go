package packaging

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// targetFile is scripts/targets.json: the targets and the Go build of each.
type targetFile struct {
	All     []string `json:"all"`
	Targets map[string]struct {
		GOOS   string `json:"goos"`
		GOARCH string `json:"goarch"`
		Dir    string `json:"dir"`
	} `json:"targets"`
}

var formats = map[string]string{"linux": "ELF", "darwin": "Mach-O", "windows": "PE"}

// Every release target's .vsix (node scripts/package.mjs --all, run by make
// package-vscode) carries exactly one server binary, where the extension
// looks for it, built for that target's OS and architecture, and declares
// the target in its manifest. Without the packages the test is skipped,
// except in CI, where it fails.
func TestEveryPackageCarriesItsServer(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "scripts", "targets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tf targetFile
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatalf("scripts/targets.json: %v", err)
	}
	if len(tf.All) != 6 {
		t.Errorf("release targets %v, want linux, darwin, win32 × x64, arm64", tf.All)
	}
	for _, target := range tf.All {
		t.Run(target, func(t *testing.T) {
			tt, ok := tf.Targets[target]
			if !ok {
				t.Fatalf("targets.json has no build for %s", target)
			}
			found, _ := filepath.Glob(filepath.Join("..", "hotload-"+target+"-*.vsix"))
			if len(found) != 1 {
				msg := fmt.Sprintf("want one hotload-%s-*.vsix in editors/vscode, found %v (run make package-vscode)", target, found)
				if os.Getenv("CI") != "" {
					t.Fatal(msg)
				}
				t.Skip(msg)
			}
			z, err := zip.OpenReader(found[0])
			if err != nil {
				t.Fatal(err)
			}
			defer z.Close()
			name := "hotload"
			if tt.GOOS == "windows" {
				name = "hotload.exe"
			}
			want := "extension/bin/" + tt.Dir + "/" + name
			var binaries []string
			for _, f := range z.File {
				if strings.HasPrefix(f.Name, "extension/bin/") && !strings.HasSuffix(f.Name, "/") {
					binaries = append(binaries, f.Name)
				}
				switch f.Name {
				case want:
					checkBinary(t, f, formats[tt.GOOS], tt.GOARCH)
				case "extension.vsixmanifest":
					checkManifest(t, f, target)
				}
			}
			if len(binaries) != 1 || binaries[0] != want {
				t.Errorf("%s carries %v, want only %s", filepath.Base(found[0]), binaries, want)
			}
		})
	}
}

func checkBinary(t *testing.T, f *zip.File, format, arch string) {
	t.Helper()
	// debug/* read at offsets; a zip entry is a stream, so read it whole.
	got, err := ReadBinary(bytes.NewReader(readEntry(t, f)))
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	if want := (Binary{format, arch}); got != want {
		t.Errorf("%s is %s %s, want %s %s", f.Name, got.Format, got.Arch, want.Format, want.Arch)
	}
}

// readEntry returns the uncompressed content of a zip entry.
func readEntry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return data
}

var targetPlatform = regexp.MustCompile(`TargetPlatform="([^"]*)"`)

func checkManifest(t *testing.T, f *zip.File, target string) {
	t.Helper()
	if m := targetPlatform.FindSubmatch(readEntry(t, f)); m == nil || string(m[1]) != target {
		t.Errorf("extension.vsixmanifest declares target %q, want %s", m, target)
	}
}
