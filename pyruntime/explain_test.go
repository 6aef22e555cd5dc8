package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestExplain(t *testing.T) {
	refused := "hotload needs Python 3.8 or later; /usr/bin/python2 is Python 2.7.18"
	for _, tt := range []struct {
		name string
		err  error
		want string // "" means Explain leaves the error alone
	}{
		{"configured python missing",
			&NotFoundError{Setting: "/opt/py/bin/python3", Reason: "no such file", Tried: []string{`setting python "/opt/py/bin/python3" (no such file)`}},
			`The configured Python, "/opt/py/bin/python3", cannot be run: no such file. Point ` + pythonSetting + " at Python 3.8 or later."},
		{"nothing found",
			&NotFoundError{Tried: []string{"$VIRTUAL_ENV (not set)", "python3 on PATH (not found)"}},
			"No Python found: hotload tried $VIRTUAL_ENV (not set), python3 on PATH (not found). Install Python 3.8 or later, activate a virtual environment, or point " + pythonSetting + " at one."},
		{"too old, wrapped as the engine wraps it",
			fmt.Errorf("reload: start runtime: %w", &StartError{Argv: []string{"python2"}, Err: &ExitError{Code: 3, Stderr: refused + "\n"}}),
			refused + ". Point " + pythonSetting + " at a newer one."},
		{"too old, on Windows (CRLF)",
			&StartError{Argv: []string{`C:\Python27\python.exe`}, Err: &ExitError{Code: 3, Stderr: `hotload needs Python 3.8 or later; C:\Python27\python.exe is Python 2.7.18` + "\r\n"}},
			`hotload needs Python 3.8 or later; C:\Python27\python.exe is Python 2.7.18. Point ` + pythonSetting + " at a newer one."},
		{"not python, silent",
			&StartError{Argv: []string{"/bin/false"}, Err: &ExitError{Code: 1}},
			"/bin/false exited with code 1 as it started, without a word: it does not behave like Python. Point " + pythonSetting + " at Python 3.8 or later."},
		{"fails at start, saying why",
			&StartError{Argv: []string{"ssh", "box", "python3"}, Err: &ExitError{Code: 255, Stderr: "ssh: connect to host box port 22: Connection refused\n"}},
			"Python (ssh box python3) exited with code 255 as it started, saying:\nssh: connect to host box port 22: Connection refused\nFix what it says, or point " + pythonSetting + " at another Python."},
		{"killed at start",
			&StartError{Argv: []string{"python3"}, Err: &ExitError{Code: -1, Signal: syscall.SIGKILL}},
			"python3 was killed by signal 9 (killed) as it started, without a word: it does not behave like Python. Point " + pythonSetting + " at Python 3.8 or later."},
		{"cannot be executed",
			&StartError{Argv: []string{"./notes.txt"}, Err: &exec.Error{Name: "./notes.txt", Err: errors.New("exec format error")}},
			"hotload cannot run ./notes.txt: exec format error. Point " + pythonSetting + " at Python 3.8 or later."},
		{"a run's error is not a start error", &ExitError{Code: 3}, ""},
		{"closed", ErrClosed, ""},
	} {
		if got := Explain(tt.err); got != tt.want {
			t.Errorf("Explain(%s) =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

// Python 2 and Python 3 before 3.8 are refused before the agent runs, in
// words that name the interpreter and its version, not with a SyntaxError
// from the agent's source.
func TestOldPythonsAreRefused(t *testing.T) {
	found := 0
	for _, version := range []string{"2.7.18", "3.6.15", "3.7.16"} {
		python := filepath.Join(os.Getenv("HOME"), ".pyenv", "versions", version, "bin", "python")
		if _, err := os.Stat(python); err != nil {
			continue
		}
		found++
		t.Run(version, func(t *testing.T) {
			var stderr strings.Builder
			r := newRuntime(t, Config{Python: []string{python}, Stderr: &stderr})
			err := r.Start(context.Background())
			want := fmt.Sprintf("hotload needs Python 3.8 or later; %s is Python %s. Point %s at a newer one.", python, version, pythonSetting)
			if got := Explain(err); got != want {
				t.Errorf("Explain(Start) = %q, want %q (Start = %v)", got, want, err)
			}
			if strings.Contains(stderr.String(), "Error") {
				t.Errorf("the interpreter ran more than the version check; it said:\n%s", stderr.String())
			}
		})
	}
	if found == 0 {
		t.Skip("no Python 2.7.18, 3.6.15 or 3.7.16 under ~/.pyenv/versions")
	}
}
