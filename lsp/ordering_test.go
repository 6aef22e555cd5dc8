package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// evaluateValue runs hotload.evaluate in lib.py and returns the value, or
// the error text if there is none.
func (e *fakeEditor) evaluateValue(code string) string {
	e.t.Helper()
	return e.evaluateIn("lib.py", code)
}

// evaluateIn runs hotload.evaluate in file and returns the value, or the
// error text if there is none.
func (e *fakeEditor) evaluateIn(file, code string) string {
	e.t.Helper()
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri(file)), code); err != nil {
		e.t.Fatalf("evaluate %q in %s: %v", code, file, err)
	}
	if got.Value == nil {
		return "error: " + deref(got.Error)
	}
	return *got.Value
}

// Regression: an evaluation sent right after a save ran before that save's
// reload 3 times in 10, and returned the old behaviour. A request sees the
// effects of the notifications sent before it.
func TestEvaluationAfterASaveSeesTheSave(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\ndef version():\n    return 0\n")
	e.initialize(nil)
	e.waitReady()
	for v := 1; v <= 25; v++ {
		e.save("lib.py", fmt.Sprintf("import time\ntime.sleep(0.002)\ndef version():\n    return %d\n", v))
		if got := e.evaluateValue("version()"); got != fmt.Sprint(v) {
			t.Fatalf("save %d then evaluate: version() = %s, want %d", v, got, v)
		}
	}
}

// A save that arrives before the first settings are applied (the editor has
// not answered workspace/configuration yet) is reloaded once they are, and
// an evaluation sent after it waits for both.
func TestASaveBeforeTheSettingsIsKeptAndSeen(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\ndef version():\n    return 0\n")
	gate := make(chan struct{})
	e.configGate = gate
	e.initialize(nil)
	e.save("lib.py", "def version():\n    return 1\n")
	value := make(chan string, 1)
	go func() { value <- e.evaluateValue("version()") }()
	close(gate)
	if got := <-value; got != "1" {
		t.Errorf("version() = %s, want 1: the save before the settings was lost or not waited for", got)
	}
	e.awaitMessage(0, "lib reloaded")
}

// setConfig changes what the editor answers to workspace/configuration
// and tells the server, as an editor does when the user edits settings.
func (e *fakeEditor) setConfig(config string) {
	e.t.Helper()
	e.mu.Lock()
	e.config = json.RawMessage(config)
	e.mu.Unlock()
	if err := e.server.DidChangeConfiguration(context.Background(), &protocol.DidChangeConfigurationParams{Settings: protocol.LSPAny("null")}); err != nil {
		e.t.Fatal(err)
	}
}

// Regression: each settings change started its own configuration pass, so
// an older snapshot could be applied after a newer one and win. Changes in
// a row end in the last one's runtime; changes that keep the runtime's
// settings never restart it.
func TestSettingsChangesApplyInOrder(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.config = json.RawMessage(`{"env": {"HOTLOAD_TEST": "0"}}`)
	e.initialize(nil)
	e.waitReady()
	for round := 1; round <= 3; round++ {
		for v := 1; v <= 5; v++ {
			e.setConfig(fmt.Sprintf(`{"env": {"HOTLOAD_TEST": "%d-%d"}}`, round, v))
		}
		want := fmt.Sprintf("'%d-5'", round)
		if got := e.evaluateValue("import os; os.environ['HOTLOAD_TEST']"); got != want {
			t.Fatalf("round %d: HOTLOAD_TEST = %s, want %s: the last change wins", round, got, want)
		}
	}

	pid := e.evaluateValue("import os; os.getpid()")
	n := e.messageCount()
	for range 5 {
		// The same runtime settings, other reload settings.
		e.setConfig(`{"env": {"HOTLOAD_TEST": "3-5"}, "reloadDependents": false}`)
	}
	if got := e.evaluateValue("import os; os.getpid()"); got != pid {
		t.Errorf("pid %s after changes that keep the runtime's settings, want the same %s", got, pid)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.shown[n:] {
		if strings.Contains(m.Message, "started a new runtime") {
			t.Errorf("message %q: a change that keeps the runtime's settings restarted it", m.Message)
		}
	}
}

// The timeout setting interrupts a run that takes longer, and the editor
// is told it was the timeout, on the line where the code was.
func TestTimeoutSettingStopsLongRuns(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(map[string]any{"timeout": 0.3})
	e.waitReady()
	e.save("lib.py", "x = 1\n")
	e.awaitMessage(0, "lib reloaded")
	e.save("lib.py", "x = 2\nwhile True:\n    pass\n")
	msg := e.awaitMessage(0, "timeout")
	if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, "KeyboardInterrupt: stopped after the 300ms timeout") {
		t.Errorf("message %v %q, want an Error saying the 300ms timeout stopped it", msg.Type, msg.Message)
	}
	d := e.awaitDiagnostics("lib.py", "the timeout", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	if !strings.Contains(message(d), "timeout") || d.Range.Start.Line < 1 {
		t.Errorf("diagnostic %q on line %d, want the timeout in the loop", message(d), d.Range.Start.Line+1)
	}
	// Evaluations have the same limit; the runtime is still the same.
	if got := e.evaluateValue("while True:\n    pass\n"); !strings.Contains(got, "stopped after the 300ms timeout") {
		t.Errorf("a looping evaluation = %q, want it stopped by the timeout", got)
	}
	if got := e.evaluateValue("x"); got != "1" {
		t.Errorf("x = %s, want 1: the timed-out reload was rolled back, in the same runtime", got)
	}
}
