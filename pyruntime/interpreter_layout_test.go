package pyruntime

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// On Windows a virtual environment's interpreter is Scripts\python.exe and
// has no executable bit; python is tried on PATH before python3. The same
// search runs here with Windows' layout.
func TestFindPythonWindowsLayout(t *testing.T) {
	ws := t.TempDir()
	exe := filepath.Join(ws, ".venv", "Scripts", "python.exe")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("MZ"), 0o644); err != nil { // no executable bit
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	got, err := findPython(nil, ws, noEnv, windowsLayout)
	if err != nil || !reflect.DeepEqual(got, []string{exe}) {
		t.Errorf("findPython(Windows layout) = %v, %v; want %s", got, err, exe)
	}
	// The same file is no interpreter where files need an executable bit.
	t.Setenv("PATH", t.TempDir())
	if got, err := findPython(nil, ws, noEnv, unixLayout); err == nil {
		t.Errorf("findPython(Unix layout) = %v, want an error: .venv/bin/python is missing", got)
	}

	// Nothing found: every place tried is named, Windows' among them.
	empty := t.TempDir()
	_, err = findPython(nil, empty, noEnv, windowsLayout)
	for _, want := range []string{filepath.Join(empty, ".venv", "Scripts", "python.exe"), "python on PATH (not found)", "python3 on PATH (not found)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %q", err, want)
		}
	}
}
