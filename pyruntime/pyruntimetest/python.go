package pyruntimetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// VenvEnv names an environment variable that points at a Python with the
// test requirements (.ci/requirements-test.txt); without it, the
// repository's .venv-test (made by `make venv`) is used.
const VenvEnv = "HOTLOAD_TEST_VENV_PYTHON"

// VenvPython returns a Python that can import every module in modules
// (Flask, SQLAlchemy, ...): $HOTLOAD_TEST_VENV_PYTHON, else the
// repository's .venv-test/bin/python. Without one the test is skipped and
// says why; with CI set it fails instead, since CI installs them.
func VenvPython(t testing.TB, modules ...string) string {
	t.Helper()
	python := os.Getenv(VenvEnv)
	if python == "" {
		root, err := repositoryRoot()
		if err != nil {
			Missing(t, "cannot find the repository root: "+err.Error())
		}
		python = filepath.Join(root, ".venv-test", "bin", "python")
	}
	if _, err := os.Stat(python); err != nil {
		Missing(t, "no test virtual environment at "+python+" (run `make venv`)")
	}
	if len(modules) > 0 {
		code := "import " + strings.Join(modules, ", ")
		if out, err := exec.Command(python, "-c", code).CombinedOutput(); err != nil {
			Missing(t, python+" cannot "+code+" (run `make venv`): "+strings.TrimSpace(string(out)))
		}
	}
	return python
}

// Missing skips the test for want of something this machine lacks, and
// says why; with CI set it fails instead, since CI installs what tests need.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// repositoryRoot is the folder above the working directory with go.mod.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
