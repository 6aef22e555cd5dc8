package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// debianPython is the interpreter Debian's python3-numpy and python3-pandas
// install into, tried first.
const debianPython = "/usr/bin/python3"

// pythonInfo describes an interpreter.
type pythonInfo struct {
	// Path is the interpreter's sys.executable: a pyenv shim or a wrapper
	// would add its own start-up to every cold run.
	Path    string `json:"path"`
	Version string `json:"version"`
	Numpy   string `json:"numpy,omitempty"`  // numpy's version; empty if not importable
	Pandas  string `json:"pandas,omitempty"` // pandas' version; empty if not importable
}

// hasNumpyPandas reports whether the interpreter can import numpy and pandas.
func (p pythonInfo) hasNumpyPandas() bool { return p.Numpy != "" && p.Pandas != "" }

// probeScript prints what pythonInfo holds, as JSON.
const probeScript = `import json, platform, sys
def version(name):
    try:
        return __import__(name).__version__
    except Exception:
        return ""
print(json.dumps({"path": sys.executable, "version": platform.python_version(), "numpy": version("numpy"), "pandas": version("pandas")}))
`

// probePython runs command (a path or a name on PATH) to describe it.
func probePython(ctx context.Context, command string) (pythonInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, command, "-c", probeScript).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%w: %s", err, exit.Stderr)
		}
		return pythonInfo{}, fmt.Errorf("probe python %s: %w", command, err)
	}
	var info pythonInfo
	if err := json.Unmarshal(out, &info); err != nil {
		return pythonInfo{}, fmt.Errorf("probe python %s: %w (it printed %q)", command, err, out)
	}
	if info.Path == "" {
		return pythonInfo{}, fmt.Errorf("probe python %s: it does not know its sys.executable", command)
	}
	return info, nil
}

// choosePython returns the interpreter named by flag, or without one
// Debian's if it can import numpy and pandas, else python3 on PATH.
func choosePython(ctx context.Context, flag string) (pythonInfo, error) {
	if flag != "" {
		return probePython(ctx, flag)
	}
	if _, err := os.Stat(debianPython); err == nil {
		if info, err := probePython(ctx, debianPython); err == nil && info.hasNumpyPandas() {
			return info, nil
		}
	}
	return probePython(ctx, "python3")
}
