package pyruntimetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// PythonEnv names an environment variable that picks the Python the tests
// run, as a path or a command on PATH:
//
//	HOTLOAD_TEST_PYTHON=/opt/py/bin/python3.14 go test ./lsp
//
// If it is unset or empty, the tests run python3 on PATH, as a user's
// editor would. `make test-pythons` sets it for each interpreter it finds.
const PythonEnv = "HOTLOAD_TEST_PYTHON"

// Main runs a package's tests and returns m.Run's exit code. With
// $HOTLOAD_TEST_PYTHON set, it first puts that interpreter on PATH, ahead of
// every other, as python3 and python: every test then starts it, whether it
// names python3 itself or leaves the choice to FindPython's search, and so
// do the processes the tests start. A TestMain calls it as
//
//	os.Exit(pyruntimetest.Main(m))
func Main(m *testing.M) int {
	python := os.Getenv(PythonEnv)
	if python == "" {
		return m.Run()
	}
	dir, err := usePython(python)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%s: %v\n", PythonEnv, python, err)
		return 2
	}
	defer os.RemoveAll(dir)
	return m.Run()
}

// usePython makes a folder with python3 and python linked to python, puts it
// first on PATH and returns it.
func usePython(python string) (string, error) {
	path, err := exec.LookPath(python)
	if err != nil {
		return "", err
	}
	if path, err = filepath.Abs(path); err != nil {
		return "", err
	}
	if out, err := exec.Command(path, "-c", "import sys").CombinedOutput(); err != nil {
		return "", fmt.Errorf("does not run: %v: %s", err, strings.TrimSpace(string(out)))
	}
	dir, err := os.MkdirTemp("", "hotload-test-python-")
	if err != nil {
		return "", err
	}
	for _, name := range []string{"python3", "python"} {
		if err := os.Symlink(path, filepath.Join(dir, name)); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	if err := os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH")); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// Python returns the command that starts the tests' Python where PATH is
// not this process's (on the far side of ssh): $HOTLOAD_TEST_PYTHON as an
// absolute path, else python3.
func Python(t testing.TB) string {
	t.Helper()
	python := os.Getenv(PythonEnv)
	if python == "" {
		return "python3"
	}
	path, err := exec.LookPath(python)
	if err != nil {
		t.Fatalf("%s: %v", PythonEnv, err)
	}
	if path, err = filepath.Abs(path); err != nil {
		t.Fatalf("%s: %v", PythonEnv, err)
	}
	return path
}

// Version returns the major and minor version of the tests' Python (python3
// on PATH), for the expectations that differ between versions: column
// positions in tracebacks (3.11 and later), the parser's messages.
func Version(t testing.TB) (major, minor int) {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(*sys.version_info[:2])").Output()
	if err != nil {
		t.Fatalf("python3 version: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 {
		t.Fatalf("python3 version: unexpected output %q", out)
	}
	major, err1 := strconv.Atoi(fields[0])
	minor, err2 := strconv.Atoi(fields[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("python3 version: unexpected output %q", out)
	}
	return major, minor
}

// AtLeast reports whether the tests' Python is major.minor or later.
func AtLeast(t testing.TB, major, minor int) bool {
	t.Helper()
	ma, mi := Version(t)
	return ma > major || ma == major && mi >= minor
}
