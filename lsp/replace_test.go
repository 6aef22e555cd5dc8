package lsp

import (
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// shownSince returns the messages shown after the first n.
func (e *fakeEditor) shownSince(n int) []protocol.ShowMessageParams {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]protocol.ShowMessageParams(nil), e.shown[min(n, len(e.shown)):]...)
}

// A settings change whose runtime cannot start keeps the runtime that runs,
// with its state: the new one is started first, and only once it is up is
// the old one closed. The user is told plainly, and never that a new
// runtime started when none did.
func TestSettingsWhoseRuntimeCannotStartKeepTheRunningOne(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		bad  string // the settings in pyproject.toml that cannot start
		want string // in the Error message
	}{
		{"missing python", "python = '/nope/python'\n", `The configured Python, "/nope/python", cannot be run`},
		{"python that is not python", "python = ['python3', '-c', 'import sys; sys.exit(3)']\n", "exited with code 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEditor(t, "-- lib.py --\nimport os\nos.environ.get('FOO')\n-- pyproject.toml --\n[tool.hotload]\nenv = { FOO = 'one' }\n")
			e.initialize(nil)
			e.waitReady()
			e.save("lib.py", "import os\nstate = 42\nos.environ.get('FOO')\n")
			if r := e.awaitResult(1); !r.OK {
				t.Fatalf("first save failed: %+v", r)
			}
			pid := e.evaluateValue("os.getpid()")

			n := e.messageCount()
			e.save("pyproject.toml", "[tool.hotload]\n"+tt.bad+"env = { FOO = 'two' }\n")
			msg := e.awaitMessage(n, "keeps running")
			if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, tt.want) || !strings.Contains(msg.Message, "with its state") {
				t.Errorf("message %v %q, want an Error saying %q and that the runtime keeps its state", msg.Type, msg.Message, tt.want)
			}
			// The old runtime serves on, with its state and its settings.
			if got := e.evaluateValue("(os.getpid(), state, os.environ.get('FOO'))"); got != "("+pid+", 42, 'one')" {
				t.Errorf("after the bad settings: (pid, state, FOO) = %s, want (%s, 42, 'one')", got, pid)
			}
			statuses := e.statusCount()
			e.save("lib.py", "import os\nstate += 1\nos.environ.get('FOO')\n")
			if r := e.awaitResult(2); !r.OK || r.Value == nil || *r.Value != "'one'" {
				t.Errorf("a save after the bad settings: %+v, want it to run in the old runtime", r)
			}
			if st := e.awaitStatus(statuses, stateReady); strconv.Itoa(st.Pid) != pid || st.LastError != "" {
				t.Errorf("status %+v, want ready with the old runtime's pid", st)
			}
			for _, m := range e.shownSince(n) {
				if strings.Contains(m.Message, "started a new runtime") || strings.Contains(m.Message, "hotload: cannot start Python") {
					t.Errorf("message %v %q: no runtime started, and one still runs", m.Type, m.Message)
				}
			}

			// Fixed, the settings start a new runtime, which takes over.
			n = e.messageCount()
			e.save("pyproject.toml", "[tool.hotload]\nenv = { FOO = 'three' }\n")
			e.awaitMessage(n, "settings changed; started a new runtime")
			e.save("lib.py", "import os\nos.environ.get('FOO')\n")
			if r := e.awaitResult(3); !r.OK || r.Value == nil || *r.Value != "'three'" {
				t.Errorf("a save after fixing the settings: %+v, want it to run with FOO = 'three'", r)
			}
			if got := e.evaluateValue("(os.getpid() != " + pid + ", 'state' in globals())"); got != "(True, False)" {
				t.Errorf("after fixing the settings: (new pid, state kept) = %s, want (True, False)", got)
			}
		})
	}
}

// The status no longer says a start failed once a runtime started: a save
// that found no Python left "cannot start Python" as lastError, which
// stayed until the next run.
func TestStatusForgetsAFailedStartOnceARuntimeStarts(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nx = 1\n")
	e.config = []byte(`{"python": "/nope/python"}`)
	e.initialize(nil)
	e.awaitStatus(0, stateDead)
	e.save("lib.py", "x = 2\n")
	e.awaitResult(1)
	e.await("a lastError saying Python cannot start", func() bool {
		return len(e.statuses) > 0 && strings.Contains(e.statuses[len(e.statuses)-1].LastError, "cannot start Python")
	})

	n := e.statusCount()
	e.setConfig(`{}`)
	st := e.awaitStatus(n, stateReady)
	if st.LastError != "" || st.Pid == 0 {
		t.Errorf("status once a runtime started: %+v, want ready with no lastError", st)
	}
}
