package pyruntimetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	os.Exit(Main(m))
}

// The matrix (make test-pythons) is only as good as this: with
// HOTLOAD_TEST_PYTHON set, python3 on PATH, and what a child process
// finds as python3, is that interpreter.
func TestPython3OnPathIsTheChosenPython(t *testing.T) {
	chosen := os.Getenv(PythonEnv)
	if chosen == "" {
		t.Skip(PythonEnv + " is not set: the tests run python3 on PATH")
	}
	want := realPath(t, Python(t))
	if got := realPath(t, "python3"); got != want {
		t.Errorf("python3 on PATH is %s, want %s (%s=%s)", got, want, PythonEnv, chosen)
	}
	out, err := exec.Command("sh", "-c", "python3 -c 'import sys; print(sys.executable)'").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := realPath(t, strings.TrimSpace(string(out))); got != want {
		t.Errorf("a child's python3 runs %s, want %s", got, want)
	}
}

func realPath(t *testing.T, command string) string {
	t.Helper()
	path, err := exec.LookPath(command)
	if err != nil {
		t.Fatal(err)
	}
	path, err = filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return path
}
