package main

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The workspace files the session saves. Each save's content differs from
// the last, as an edit's does, and its message says which save it was.
const (
	trivialFile = "lib.py"   // saved for save → showMessage
	raisingFile = "raise.py" // saved for save → publishDiagnostics
	crashFile   = "crash.py" // kills the runtime
	probeFile   = "probe.py" // tells an in-place run from a fresh one
)

// trivialSource is the module save n of lib.py runs: it prints n.
func trivialSource(n int) string {
	return fmt.Sprintf("print(%d)\n", n)
}

// raisingVariants are two versions of raise.py that raise different
// exceptions on different lines, so every save of one after the other
// changes the diagnostics and the server publishes them. want is in the
// Error diagnostic's message.
var raisingVariants = [2]struct{ source, want string }{
	{"def f(x):\n    return 1 / x\n\nf(0)\n", "ZeroDivisionError"},
	{"def f(x):\n    return {}[x]\n\n\nf('k')\n", "KeyError"},
}

// raisingBase is raise.py before the first raising save: the module is
// loaded, so each raising save rolls back to it, as editing working code does.
const raisingBase = "def f(x):\n    return x\n\nf(0)\n"

// crashSource ends the runtime process at once, as a segfault would.
const crashSource = "import os\nos._exit(3)\n"

// probeSource counts its runs in a module global: the value is 1 on every
// save if each save runs in a fresh process, and goes up if globals persist.
const probeSource = "try:\n    runs += 1\nexcept NameError:\n    runs = 1\nruns\n"

// slowdepSource is slowdep.py, the synthetic dependency.
//
//go:embed slowdep.py
var slowdepSource string

// deps are the heavy modules the cold script imports and the runtime preloads.
type deps struct {
	Modules []string // module names, in import order
	// Synthetic is true when numpy and pandas were not importable and the
	// bench's own slow module (slowdep.py) stands in for them.
	Synthetic bool
	Dir       string // the folder of script_with_deps.py (and slowdep.py)
}

// label names the dependencies for the table: "numpy + pandas".
func (d deps) label() string {
	if d.Synthetic {
		return "synthetic slowdep, as numpy + pandas are not importable"
	}
	return strings.Join(d.Modules, " + ")
}

// env is what the runtime needs in its environment to import the
// dependencies: the synthetic one lives outside the workspace, as an
// installed library does.
func (d deps) env() map[string]string {
	if !d.Synthetic {
		return map[string]string{}
	}
	return map[string]string{"PYTHONPATH": d.Dir}
}

// script is the path of script_with_deps.py.
func (d deps) script() string { return filepath.Join(d.Dir, "script_with_deps.py") }

// writeDeps writes script_with_deps.py into dir: it imports numpy and
// pandas, or with synthetic the slow module slowdep.py written beside it,
// and prints 25.
func writeDeps(dir string, synthetic bool) (deps, error) {
	d := deps{Modules: []string{"numpy", "pandas"}, Synthetic: synthetic, Dir: dir}
	if synthetic {
		d.Modules = []string{"slowdep"}
		if err := os.WriteFile(filepath.Join(dir, "slowdep.py"), []byte(slowdepSource), 0o644); err != nil {
			return deps{}, fmt.Errorf("write slowdep.py: %w", err)
		}
	}
	script := "import " + strings.Join(d.Modules, ", ") + "\nprint(25)\n"
	if err := os.WriteFile(d.script(), []byte(script), 0o644); err != nil {
		return deps{}, fmt.Errorf("write script_with_deps.py: %w", err)
	}
	return d, nil
}

// writeWorkspace creates the session's workspace folder with the files
// the measurements save first.
func writeWorkspace(dir string) error {
	files := map[string]string{
		trivialFile: trivialSource(0),
		raisingFile: raisingBase,
		crashFile:   "",
		probeFile:   probeSource,
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create workspace: %w", err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("write workspace: %w", err)
		}
	}
	return nil
}
