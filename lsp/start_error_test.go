package lsp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// An interpreter that cannot serve is reported as what happened and what
// to do, not as a chain of Go errors; the same words come again on a save.
func TestInterpreterErrorsInTheUsersWords(t *testing.T) {
	falsePath, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) on PATH")
	}
	python27 := filepath.Join(os.Getenv("HOME"), ".pyenv", "versions", "2.7.18", "bin", "python")
	for _, tt := range []struct {
		name   string
		python string
		want   string
	}{
		{"not a python", falsePath, falsePath + " exited with code 1 as it started, without a word: it does not behave like Python. Point hotload's python setting"},
		{"missing", "/nonexistent/bin/python3", `The configured Python, "/nonexistent/bin/python3", cannot be run: no such file. Point hotload's python setting`},
		{"python 2", python27, "hotload needs Python 3.8 or later; " + python27 + " is Python 2.7.18. Point hotload's python setting"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.python == python27 {
				if _, err := os.Stat(python27); err != nil {
					t.Skip("no Python 2.7.18 under ~/.pyenv/versions")
				}
			}
			e := newEditor(t, twoFiles)
			e.initialize(map[string]any{"python": tt.python})
			// The failure at start can be shown before initialize returns:
			// it is looked for among all messages; the save's among those
			// after it.
			for _, save := range []bool{false, true} {
				n := 0
				if save {
					n = e.messageCount()
					e.save("lib.py", "print(1)\n")
				}
				msg := e.awaitMessage(n, "cannot start Python")
				// At start "hotload: cannot start Python. …", on a save "lib: …".
				if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, ": cannot start Python. "+tt.want) {
					t.Errorf("message = %v %q, want an Error saying %q", msg.Type, msg.Message, tt.want)
				}
				for _, chain := range []string{"pyruntime:", "reload:", "start runtime"} {
					if strings.Contains(msg.Message, chain) {
						t.Errorf("message %q reads like a Go error chain (%q)", msg.Message, chain)
					}
				}
			}
		})
	}
}
