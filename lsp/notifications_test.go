package lsp

import (
	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

func TestNotificationsShow(t *testing.T) {
	kinds := []protocol.MessageType{protocol.MessageTypeError, protocol.MessageTypeWarning, protocol.MessageTypeInfo, protocol.MessageTypeLog}
	tests := []struct {
		setting Notifications
		want    []bool // for Error, Warning, Info, Log
	}{
		{"", []bool{true, true, true, true}}, // the zero value: as every client had it
		{NotifyAll, []bool{true, true, true, true}},
		{NotifyErrors, []bool{true, true, false, false}},
		{NotifyOff, []bool{false, false, false, false}},
	}
	for _, tt := range tests {
		for i, kind := range kinds {
			if got := tt.setting.shows(kind); got != tt.want[i] {
				t.Errorf("Notifications(%q).shows(%v) = %v, want %v", tt.setting, kind, got, tt.want[i])
			}
		}
	}
}

func TestNotificationsSettingIsChecked(t *testing.T) {
	for _, tt := range []struct {
		raw     string
		want    Notifications
		problem string
	}{
		{`{"notifications": "errors"}`, NotifyErrors, ""},
		{`{"notifications": "off"}`, NotifyOff, ""},
		{`{"notifications": "popups"}`, "", `notifications: want "errors", "all" or "off"`},
		{`{"notifications": false}`, "", `notifications: want "errors", "all" or "off"`},
	} {
		s, problems := parseSettings([]byte(tt.raw))
		if s.Notifications != tt.want || strings.Join(problems, "; ") != tt.problem {
			t.Errorf("parseSettings(%s) = %q, %q; want %q, %q", tt.raw, s.Notifications, problems, tt.want, tt.problem)
		}
	}
}

// With notifications "errors" (what the VS Code extension sends), a
// successful save is no popup: its result comes as hotload/result and in
// the log. A failure is still shown.
func TestNotificationsErrorsShowsFailuresOnly(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(map[string]any{"notifications": "errors"})
	e.waitReady()

	e.save("lib.py", "from mymath import square\n\nprint(square(5))\nsquare(6)\n")
	r := e.awaitResult(1)
	if !r.OK || !r.Ran || r.Module != "lib" || r.Value == nil || *r.Value != "36" || r.Output != "25" || r.Error != nil || r.URI != e.uri("lib.py") {
		t.Errorf("hotload/result = %+v, want lib ran OK with value 36 and output 25", r)
	}
	e.awaitLog("lib reloaded in ")

	e.save("lib.py", "x = 1 / 0\n")
	msg := e.awaitMessage(0, "ZeroDivisionError")
	if msg.Type != protocol.MessageTypeError {
		t.Errorf("failure message type = %v, want Error", msg.Type)
	}
	r = e.awaitResult(2)
	if r.OK || !r.Ran || r.Error == nil || *r.Error != "ZeroDivisionError: division by zero (lib.py:1)" {
		t.Errorf("hotload/result = %+v, want a failed run naming the error and line", r)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.shown {
		if m.Type == protocol.MessageTypeInfo {
			t.Errorf("notifications errors: Info message %q shown", m.Message)
		}
	}
}

// Regression: the status said "ready" with the run's time after a failed
// run, so an editor showed a success tick, and a time after a SyntaxError
// that ran nothing.
func TestStatusSaysTheLastRunFailed(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	e.waitReady()
	unclosed := "SyntaxError: '(' was never closed (lib.py:1)"
	if !pyruntimetest.AtLeast(t, 3, 10) { // the parser before 3.10 says less
		unclosed = "SyntaxError: unexpected EOF while parsing (lib.py:1)"
	}

	tests := []struct {
		name      string
		code      string
		lastError string
		ran       bool
	}{
		{"exception", "x = 1\ny = x / 0\n", "ZeroDivisionError: division by zero (lib.py:2)", true},
		{"syntax error", "x = (\n", unclosed, false},
		{"fixed", "x = 1\n", "", true},
	}
	for i, tt := range tests {
		n := e.statusCount()
		e.save("lib.py", tt.code)
		r := e.awaitResult(i + 1)
		st := e.awaitStatus(n, stateReady) // it may follow the result
		if st.State != stateReady || st.LastError != tt.lastError || (st.LastReloadMs > 0) != tt.ran {
			t.Errorf("%s: status = %+v, want ready, lastError %q, a time %v", tt.name, st, tt.lastError, tt.ran)
		}
		if r.Ran != tt.ran || (r.DurationMs > 0) != tt.ran {
			t.Errorf("%s: hotload/result ran %v in %v ms, want ran %v", tt.name, r.Ran, r.DurationMs, tt.ran)
		}
	}
}

// Regression: a save and an evaluation that failed the same way both
// published the same Error, so VS Code counted two errors and listed one.
func TestSameProblemIsPublishedOnce(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	e.waitReady()
	e.open("lib.py")
	code := "def f():\n    return 1 / 0\n\ndef g():\n    return f()\n"
	e.save("lib.py", code)
	e.awaitResult(1)
	e.save("lib.py", code+"\nf()\n") // fails and is rolled back: f and g stay
	e.awaitDiagnostics("lib.py", "the save's Error and Information", func(d []protocol.Diagnostic) bool { return len(d) == 2 })

	var ev evaluation
	if err := e.command(commandEvaluate, &ev, string(e.uri("lib.py")), "g()"); err != nil {
		t.Fatal(err)
	}
	// The evaluation adds "called from here" in g; its Error in f is the save's.
	got := e.awaitDiagnostics("lib.py", "g's Information", func(d []protocol.Diagnostic) bool {
		return strings.Contains(diagnosticLines(d), "line 5")
	})
	errs := 0
	for _, d := range got {
		if d.Severity == protocol.DiagnosticSeverityError {
			errs++
		}
	}
	if errs != 1 || len(got) != 3 {
		t.Errorf("diagnostics = %s, want the Error in f once and two calls from here", diagnosticLines(got))
	}
}

// diagnosticLines lists diagnostics as "line N: message" for messages.
func diagnosticLines(ds []protocol.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		msg, _ := d.Message.(protocol.String)
		b.WriteString("line " + strconv.Itoa(int(d.Range.Start.Line)+1) + ": " + string(msg) + "; ")
	}
	return b.String()
}

// Regression: Evaluate Module said "the save was rolled back" where nothing
// was saved.
func TestRollbackMessageFitsEvaluateModule(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nx = 1\n")
	e.initialize(nil)
	e.waitReady()
	e.save("lib.py", "x = 1\n")
	e.awaitResult(1)
	writeFile(t, e.path("lib.py"), "x = 2\ny = x / 0\n")
	var ev evaluation
	if err := e.command(commandEvaluateModule, &ev, string(e.uri("lib.py"))); err != nil {
		t.Fatal(err)
	}
	msg := e.awaitMessage(0, "ZeroDivisionError")
	if want := "rolled back: the module keeps the code and state it had before this run"; !strings.Contains(msg.Message, want) || strings.Contains(msg.Message, "save") {
		t.Errorf("message = %q, want it to say %q and not speak of a save", msg.Message, want)
	}
}
