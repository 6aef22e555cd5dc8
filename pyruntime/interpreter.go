package pyruntime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// FindPython returns the command line that starts Python for a workspace.
//
// A non-empty setting is used as given: its first word must be found (as a
// path, relative ones taken from the workspace, or on PATH), and no other
// interpreter is tried, because silently
// running a different Python than the one configured is worse than an error.
// Otherwise FindPython tries, in order, $VIRTUAL_ENV/bin/python, the
// workspace's .venv and venv folders, and python3 on PATH. getenv reads the
// environment; nil means os.Getenv.
func FindPython(setting []string, workspace string, getenv func(string) string) ([]string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if len(setting) > 0 {
		setting = slices.Clone(setting)
		// A relative path such as .venv/bin/python means the workspace's.
		if strings.ContainsRune(setting[0], filepath.Separator) && !filepath.IsAbs(setting[0]) && workspace != "" {
			setting[0] = filepath.Join(workspace, setting[0])
		}
		if _, err := exec.LookPath(setting[0]); err != nil {
			reason := lookPathReason(err)
			return nil, &NotFoundError{Setting: setting[0], Reason: reason, Tried: []string{fmt.Sprintf("setting python %q (%v)", setting[0], reason)}}
		}
		return setting, nil
	}
	var tried, candidates []string
	if venv := getenv("VIRTUAL_ENV"); venv != "" {
		candidates = append(candidates, filepath.Join(venv, "bin", "python"))
	} else {
		tried = append(tried, "$VIRTUAL_ENV (not set)")
	}
	if workspace != "" {
		candidates = append(candidates,
			filepath.Join(workspace, ".venv", "bin", "python"),
			filepath.Join(workspace, "venv", "bin", "python"))
	}
	for _, path := range candidates {
		if isExecutable(path) {
			return []string{path}, nil
		}
		tried = append(tried, path+" (missing)")
	}
	if p, err := exec.LookPath("python3"); err == nil {
		return []string{p}, nil
	}
	tried = append(tried, "python3 on PATH (not found)")
	return nil, &NotFoundError{Tried: tried}
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
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
