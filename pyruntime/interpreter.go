package pyruntime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// FindPython returns the command line that starts Python for a workspace.
//
// A non-empty setting is used as given: its first word must be found (as a
// path, relative ones taken from the workspace, or on PATH), and no other
// interpreter is tried, because silently
// running a different Python than the one configured is worse than an error.
// Otherwise FindPython tries, in order, $VIRTUAL_ENV's interpreter, the
// workspace's .venv and venv folders, and python3 on PATH (on Windows a
// virtual environment's interpreter is Scripts\python.exe, and python is
// tried on PATH before python3). getenv reads the environment; nil means
// os.Getenv.
func FindPython(setting []string, workspace string, getenv func(string) string) ([]string, error) {
	return findPython(setting, workspace, getenv, hostLayout())
}

// pythonLayout is where an OS keeps a virtual environment's interpreter and
// what it calls Python on PATH.
type pythonLayout struct {
	venvPython string   // below a virtual environment's folder, slash-separated
	onPath     []string // names tried on PATH, in order
	// execBit: an interpreter file must have an executable bit (Unix);
	// Windows files have none, so there existing is enough.
	execBit bool
}

var (
	unixLayout    = pythonLayout{venvPython: "bin/python", onPath: []string{"python3"}, execBit: true}
	windowsLayout = pythonLayout{venvPython: "Scripts/python.exe", onPath: []string{"python", "python3"}}
)

func hostLayout() pythonLayout {
	if runtime.GOOS == "windows" {
		return windowsLayout
	}
	return unixLayout
}

func findPython(setting []string, workspace string, getenv func(string) string, layout pythonLayout) ([]string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if len(setting) > 0 {
		setting = slices.Clone(setting)
		// A relative path such as .venv/bin/python means the workspace's;
		// on Windows either slash separates.
		if strings.ContainsAny(setting[0], "/"+string(filepath.Separator)) && !filepath.IsAbs(setting[0]) && workspace != "" {
			setting[0] = filepath.Join(workspace, setting[0])
		}
		if _, err := exec.LookPath(setting[0]); err != nil {
			reason := lookPathReason(err)
			return nil, &NotFoundError{Setting: setting[0], Reason: reason, Tried: []string{fmt.Sprintf("setting python %q (%v)", setting[0], reason)}}
		}
		return setting, nil
	}
	var tried, candidates []string
	venvPython := filepath.FromSlash(layout.venvPython)
	if venv := getenv("VIRTUAL_ENV"); venv != "" {
		candidates = append(candidates, filepath.Join(venv, venvPython))
	} else {
		tried = append(tried, "$VIRTUAL_ENV (not set)")
	}
	if workspace != "" {
		candidates = append(candidates,
			filepath.Join(workspace, ".venv", venvPython),
			filepath.Join(workspace, "venv", venvPython))
	}
	for _, path := range candidates {
		if isInterpreter(path, layout.execBit) {
			return []string{path}, nil
		}
		tried = append(tried, path+" (missing)")
	}
	for _, name := range layout.onPath {
		if p, err := exec.LookPath(name); err == nil {
			return []string{p}, nil
		}
		tried = append(tried, name+" on PATH (not found)")
	}
	return nil, &NotFoundError{Tried: tried}
}

// isInterpreter reports whether path is a file that can be an interpreter:
// executable where files have an executable bit (execBit).
func isInterpreter(path string, execBit bool) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && (!execBit || info.Mode()&0o111 != 0)
}

// lookPathReason says why exec.LookPath refused a name, in a user's words.
func lookPathReason(err error) string {
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return "not found on PATH"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "not executable"
	}
	if execErr, ok := err.(*exec.Error); ok {
		return execErr.Err.Error()
	}
	return err.Error()
}
