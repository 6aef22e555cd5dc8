package lsp

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
	"github.com/hotload-dev/hotload/reload"
)

// twoFiles is a workspace where lib.py calls into mymath.py.
const twoFiles = `
-- lib.py --
from mymath import square

print(square(5))
-- mymath.py --
def square(x):
    return x * x
`

func TestInitializeAdvertisesCommandsAndCodeActions(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	res := e.initialize(nil)
	cmds := res.Capabilities.ExecuteCommandProvider.Commands
	for _, want := range []string{"hotload.evaluateModule", "hotload.evaluate", "hotload.evaluateSelection", "hotload.interruptRuntime", "hotload.restartRuntime"} {
		if !strings.Contains(strings.Join(cmds, " "), want) {
			t.Errorf("executeCommandProvider = %v, missing %s", cmds, want)
		}
	}
	if opts, ok := res.Capabilities.CodeActionProvider.(*protocol.CodeActionOptions); !ok || len(opts.CodeActionKinds) != 1 || opts.CodeActionKinds[0] != "source" {
		t.Errorf("codeActionProvider = %#v, want kinds [source]", res.Capabilities.CodeActionProvider)
	}
	if res.ServerInfo.Name != "hotload" {
		t.Errorf("serverInfo.name = %q, want hotload", res.ServerInfo.Name)
	}
}

func TestSaveShowsOutputAndTime(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	e.waitReady()
	e.save("lib.py", "from mymath import square\n\nprint(square(5))\n")
	msg := e.awaitMessage(0, "lib reloaded in ")
	if msg.Type != protocol.MessageTypeInfo || !strings.HasSuffix(msg.Message, " ms: 25") {
		t.Errorf("message = %v %q, want Info `lib reloaded in … ms: 25`", msg.Type, msg.Message)
	}
	e.awaitLog("lib: 25")
}

func TestExceptionDiagnosticsFollowTheChainAndClear(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	e.waitReady()
	writeFile(t, e.path("mymath.py"), "def square(x):\n    return x / 0\n")
	e.save("lib.py", "from mymath import square\n\nvalue = square(5)\n")

	raised := e.awaitDiagnostics("mymath.py", "an Error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	calledFrom := e.awaitDiagnostics("lib.py", "an Information", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	// The failing expressions; before Python 3.11, which has no column
	// positions, the lines without their indentation.
	raisedAt, calledAt := span(1, 11, 16), span(2, 8, 17)
	if !pyruntimetest.AtLeast(t, 3, 11) {
		raisedAt, calledAt = span(1, 4, 16), span(2, 0, 17)
	}
	tests := []struct {
		name     string
		got      protocol.Diagnostic
		severity protocol.DiagnosticSeverity
		message  string
		rng      protocol.Range
		related  string // the file relatedInformation points to
	}{
		{"raised in mymath.py", raised, protocol.DiagnosticSeverityError, "ZeroDivisionError: division by zero", raisedAt, "lib.py"},
		{"called from lib.py", calledFrom, protocol.DiagnosticSeverityInformation, "called from here: ZeroDivisionError: division by zero", calledAt, "mymath.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.got
			if d.Severity != tt.severity || message(d) != tt.message || d.Range != tt.rng {
				t.Errorf("diagnostic = %v %q %v, want %v %q %v", d.Severity, message(d), d.Range, tt.severity, tt.message, tt.rng)
			}
			if src, _ := d.Source.Get(); src != "hotload" {
				t.Errorf("source = %q, want hotload", src)
			}
			if len(d.RelatedInformation) != 1 || filepath.Base(d.RelatedInformation[0].Location.URI.FsPath()) != tt.related {
				t.Errorf("relatedInformation = %v, want one entry in %s", d.RelatedInformation, tt.related)
			}
		})
	}
	msg := e.awaitMessage(0, "ZeroDivisionError")
	if msg.Type != protocol.MessageTypeError || msg.Message != "lib: ZeroDivisionError: division by zero (mymath.py:2)" {
		t.Errorf("message = %v %q", msg.Type, msg.Message)
	}

	// Fix the callee, reload it, then rerun lib: both files clear.
	e.save("mymath.py", "def square(x):\n    return x * x\n")
	e.save("lib.py", "from mymath import square\n\nvalue = square(5)\n")
	for _, f := range []string{"lib.py", "mymath.py"} {
		e.awaitDiagnostics(f, "no diagnostics", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
	}
}

func span(line, start, end uint32) protocol.Range {
	return protocol.Range{Start: protocol.Position{Line: line, Character: start}, End: protocol.Position{Line: line, Character: end}}
}

func message(d protocol.Diagnostic) string {
	s, _ := d.Message.(protocol.String)
	return string(s)
}

func TestSyntaxErrorKeepsOldCodeLoaded(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nvalue = 1\n")
	e.initialize(nil)
	e.waitReady()
	e.save("lib.py", "value = 1\n")
	e.awaitMessage(0, "lib reloaded")
	e.save("lib.py", "value = 2\nbroken = (1,\n")
	d := e.awaitDiagnostics("lib.py", "a SyntaxError", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	// Python 3.10's parser names the unclosed bracket; 3.8 and 3.9 only
	// see the file end after the line.
	wantMsg, wantCol := "SyntaxError: '(' was never closed", uint32(9)
	if !pyruntimetest.AtLeast(t, 3, 10) {
		wantMsg, wantCol = "SyntaxError: unexpected EOF while parsing", 12
	}
	if d.Severity != protocol.DiagnosticSeverityError || message(d) != wantMsg || d.Range.Start.Line != 1 || d.Range.Start.Character != wantCol {
		t.Errorf("diagnostic = %v %q at %v, want an Error %q on line 2 col %d", d.Severity, message(d), d.Range.Start, wantMsg, wantCol+1)
	}
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "value"); err != nil {
		t.Fatal(err)
	}
	if got.Value == nil || *got.Value != "1" {
		t.Errorf("value after a failed reload = %v, want the old 1", got.Value)
	}
}

// An Error lands on the fault in UTF-16 units of the line the editor
// shows (decoded by the file's coding line, without its BOM), whatever the
// file's encoding: a SyntaxError on every Python version, and a failing
// expression where Python has its columns (3.11+).
func TestErrorColumnsInEveryEncoding(t *testing.T) {
	t.Parallel()
	const bom = "\xef\xbb\xbf"
	latin1 := "# -*- coding: latin-1 -*-\n"
	cases := []struct {
		name, content string // content: the file's bytes
		runtime       bool   // a TypeError when it runs, not a SyntaxError
		want          protocol.Range
	}{
		{"latin-1", latin1 + "s = \"\xe9\" + $\n", false, span(1, 10, 11)},
		{"BOM, ASCII", bom + "s = \"ab\" + $\n", false, span(0, 11, 12)},
		{"BOM, an astral character", bom + "s = \"\xc3\xa9\xf0\x9f\x90\x8d\" + $\n", false, span(0, 12, 13)},
		{"UTF-8, an astral character", "s = \"\xf0\x9f\x90\x8d\" + $\n", false, span(0, 11, 12)},
		{"latin-1, a failing expression", latin1 + "s = \"\xe9\xe9\" + 1\n", true, span(1, 4, 12)},
		{"BOM, a failing expression", bom + "s = \"\xc3\xa9\xf0\x9f\x90\x8d\" + 1\n", true, span(0, 4, 13)},
	}
	var workspace strings.Builder
	for i := range cases {
		fmt.Fprintf(&workspace, "-- enc%d.py --\n", i)
	}
	e := newEditor(t, workspace.String())
	e.initialize(nil)
	e.waitReady()
	for i, c := range cases {
		if c.runtime && !pyruntimetest.AtLeast(t, 3, 11) {
			continue // a diagnostic covers the line before 3.11
		}
		file := fmt.Sprintf("enc%d.py", i)
		e.save(file, c.content)
		d := e.awaitDiagnostics(file, c.name, func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
		if d.Severity != protocol.DiagnosticSeverityError || d.Range != c.want {
			t.Errorf("%s: %q at %v, want an Error at %v", c.name, message(d), d.Range, c.want)
		}
	}
}

func TestModuleStatePersistsAcrossSaves(t *testing.T) {
	t.Parallel()
	const counter = "try:\n    calls\nexcept NameError:\n    calls = 0\ncalls += 1\ncalls\n"
	e := newEditor(t, "-- lib.py --\n"+counter)
	e.initialize(nil)
	e.waitReady()
	for want := 1; want <= 3; want++ {
		n := e.messageCount()
		e.save("lib.py", counter)
		if msg := e.awaitMessage(n, "lib reloaded"); !strings.HasSuffix(msg.Message, fmt.Sprintf(": %d", want)) {
			t.Errorf("save %d: message %q, want it to end in %d", want, msg.Message, want)
		}
	}
}

func TestSaveStormCoalesces(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	e.waitReady()
	// The first version waits for a gate file, so every later save arrives
	// while it runs; the gate makes this deterministic, not timed.
	gate := e.path("gate")
	e.save("lib.py", fmt.Sprintf("import os, time\nprint('started')\nwhile not os.path.exists(%q):\n    time.sleep(0.005)\n'v1'\n", gate))
	e.awaitLog("lib: started")
	for v := 2; v <= 10; v++ {
		e.save("lib.py", fmt.Sprintf("'v%d'\n", v))
	}
	// A request is answered only after the notifications before it were
	// handled, and a save is queued inside its handler.
	if _, err := e.server.CodeAction(context.Background(), &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("lib.py")}}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, gate, "")
	e.awaitMessage(0, "'v10'")

	var runs []string
	e.mu.Lock()
	for _, m := range e.shown {
		if strings.HasPrefix(m.Message, "lib reloaded") {
			runs = append(runs, m.Message[strings.LastIndex(m.Message, " ")+1:])
		}
	}
	e.mu.Unlock()
	if strings.Join(runs, " ") != "'v1' 'v10'" {
		t.Errorf("runs = %v, want the first and one coalesced run of the latest content", runs)
	}
}

func TestInterruptStopsEndlessLoop(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	e.waitReady()
	e.save("lib.py", "print('looping')\nwhile True:\n    pass\n")
	e.awaitLog("lib: looping")
	// The server keeps answering while Python is busy.
	actions, err := e.server.CodeAction(context.Background(), &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("lib.py")}})
	if err != nil || len(actions) != 1 {
		t.Fatalf("codeAction during the loop = %v, %v", actions, err)
	}
	var reply struct{ Interrupted bool }
	if err := e.command("hotload.interruptRuntime", &reply); err != nil || !reply.Interrupted {
		t.Fatalf("interruptRuntime = %+v, %v; want interrupted", reply, err)
	}
	d := e.awaitDiagnostics("lib.py", "a KeyboardInterrupt", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	// The interrupt may land while print is still returning, so any line of
	// the program is right; what matters is that it is reported like any error.
	if message(d) != "KeyboardInterrupt" || d.Range.Start.Line > 2 {
		t.Errorf("diagnostic = %q on line %d, want KeyboardInterrupt in the loop", message(d), d.Range.Start.Line+1)
	}
	e.awaitMessage(0, "lib: KeyboardInterrupt")
}

func TestInterruptIgnoredKillsAndRestarts(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	pid := e.waitReady()
	// The print is inside the try too: the interrupt may land while it returns.
	e.save("lib.py", "import time\nwhile True:\n    try:\n        print('stubborn')\n        time.sleep(60)\n    except KeyboardInterrupt:\n        pass\n")
	e.awaitLog("lib: stubborn")
	if err := e.command("hotload.interruptRuntime", nil); err != nil {
		t.Fatal(err)
	}
	msg := e.awaitMessage(0, "did not stop after the interrupt")
	if msg.Type != protocol.MessageTypeWarning {
		t.Errorf("message type = %v, want Warning", msg.Type)
	}
	pyruntimetest.WaitGone(t, pid, waitTimeout)
	n := e.messageCount()
	e.save("lib.py", "'fresh'\n")
	e.awaitMessage(n, "lib reloaded")
}

func TestRuntimeDeathIsReportedAndNextSaveWorks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, source, want string
	}{
		// The message quotes the line of stderr that says why: the code's
		// last words, or the fatal error above faulthandler's stack dump
		// (whose last line, a frame, says where, not why).
		{"os._exit", "import os, sys\nsys.__stderr__.write('bye\\n'); sys.__stderr__.flush()\nos._exit(3)\n", "lib: python exited with code 3: bye; started a fresh runtime"},
		{"segfault", "import ctypes\nctypes.string_at(0)\n", "lib: python killed by signal 11 (segmentation fault): Fatal Python error: Segmentation fault; started a fresh runtime"},
	}
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	e.waitReady()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := e.messageCount()
			e.save("lib.py", tt.source)
			msg := e.awaitMessage(n, tt.want)
			if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, "started a fresh runtime") {
				t.Errorf("message = %v %q, want an Error saying a fresh runtime started", msg.Type, msg.Message)
			}
			n = e.messageCount()
			e.save("lib.py", "'alive'\n")
			e.awaitMessage(n, "lib reloaded in")
		})
	}
}

func TestEvaluateModuleCommandAndCodeAction(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	e.waitReady()
	e.open("lib.py")
	actions, err := e.server.CodeAction(context.Background(), &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("lib.py")},
	})
	if err != nil || len(actions) != 1 {
		t.Fatalf("codeAction = %v, %v; want one action", actions, err)
	}
	action, ok := actions[0].(*protocol.CodeAction)
	if !ok || action.Title != "Evaluate module" || action.Kind == nil || *action.Kind != "source" || action.Command.Command != "hotload.evaluateModule" {
		t.Fatalf("action = %#v, want `Evaluate module` of kind source running hotload.evaluateModule", actions[0])
	}
	// Run the action's command as the editor would, with its own arguments.
	res, err := e.server.ExecuteCommand(context.Background(), &protocol.ExecuteCommandParams{Command: action.Command.Command, Arguments: action.Command.Arguments})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res); got != `{"module":"lib","value":null,"output":"25\n","error":null}` {
		t.Errorf("evaluateModule reply = %s", got)
	}
	e.awaitMessage(0, "lib reloaded in")

	for _, tt := range []struct {
		only []protocol.CodeActionKind
		uri  uri.URI
		want int
	}{
		{[]protocol.CodeActionKind{"quickfix"}, e.uri("lib.py"), 0},
		{[]protocol.CodeActionKind{"source"}, e.uri("lib.py"), 1},
		{nil, e.uri("README.md"), 0},
	} {
		got, err := e.server.CodeAction(context.Background(), &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: tt.uri}, Context: protocol.CodeActionContext{Only: tt.only}})
		if err != nil || len(got) != tt.want {
			t.Errorf("codeAction(only=%v, %s) = %d actions (%v), want %d", tt.only, filepath.Base(tt.uri.FsPath()), len(got), err, tt.want)
		}
	}
}

func TestEvaluateCommands(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	e.waitReady()
	e.open("mymath.py")
	tests := []struct {
		name      string
		command   string
		args      []any
		wantValue string // "" for null
		wantErr   string // substring of the reply's error, "" for null
	}{
		{"expression", "hotload.evaluate", []any{string(e.uri("lib.py")), "square(6)"}, "36", ""},
		{"statement then expression", "hotload.evaluate", []any{string(e.uri("lib.py")), "y = 7\ny * 6"}, "42", ""},
		{"statement", "hotload.evaluate", []any{string(e.uri("lib.py")), "z = 1"}, "", ""},
		{"exception", "hotload.evaluate", []any{string(e.uri("lib.py")), "1/0"}, "", "ZeroDivisionError: division by zero"},
		{"selection, dedented", "hotload.evaluateSelection", []any{string(e.uri("mymath.py")), span(1, 4, 16)}, "", "'return' outside function"},
		{"selection of an expression", "hotload.evaluateSelection", []any{string(e.uri("mymath.py")), span(1, 11, 16)}, "", "NameError"},
		{"empty selection: its line", "hotload.evaluateSelection", []any{string(e.uri("mymath.py")), span(1, 8, 8)}, "", "'return' outside function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got evaluation
			if err := e.command(tt.command, &got, tt.args...); err != nil {
				t.Fatal(err)
			}
			value, errText := "", ""
			if got.Value != nil {
				value = *got.Value
			}
			if got.Error != nil {
				errText = *got.Error
			}
			if value != tt.wantValue || (tt.wantErr == "") != (errText == "") || !strings.Contains(errText, tt.wantErr) {
				t.Errorf("%s(%v) = value %q error %q, want value %q error containing %q", tt.command, tt.args[1:], value, errText, tt.wantValue, tt.wantErr)
			}
		})
	}
}

func TestBadInputIsAnsweredCleanly(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles+"-- README.md --\nhello\n")
	e.initialize(nil)
	e.waitReady()
	outside := filepath.Join(t.TempDir(), "elsewhere.py")
	writeFile(t, outside, "print('must not run')\n")

	e.save("README.md", "changed\n")
	if err := e.server.DidSave(context.Background(), &protocol.DidSaveTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(outside)}}); err != nil {
		t.Fatal(err)
	}
	e.awaitLog("outside the workspace")

	commandErrors := []struct {
		name    string
		command string
		args    []any
		want    error
	}{
		{"unknown command", "hotload.nope", nil, jsonrpc2.ErrInvalidParams},
		{"missing arguments", "hotload.evaluate", []any{string(e.uri("lib.py"))}, jsonrpc2.ErrInvalidParams},
		{"no code", "hotload.evaluate", []any{string(e.uri("lib.py")), ""}, jsonrpc2.ErrInvalidParams},
		{"only blanks", "hotload.evaluate", []any{string(e.uri("lib.py")), " \n\t"}, jsonrpc2.ErrInvalidParams},
		{"not a URI", "hotload.evaluateModule", []any{42}, jsonrpc2.ErrInvalidParams},
		{"not Python", "hotload.evaluateModule", []any{string(e.uri("README.md"))}, jsonrpc2.ErrInvalidParams},
		{"selection of a closed file", "hotload.evaluateSelection", []any{string(e.uri("lib.py")), span(0, 0, 1)}, jsonrpc2.ErrInvalidParams},
	}
	for _, tt := range commandErrors {
		t.Run(tt.name, func(t *testing.T) {
			err := e.command(tt.command, nil, tt.args...)
			var rpcErr *jsonrpc2.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc2.InvalidParams {
				t.Errorf("%s(%v) = %v, want an invalid-params error", tt.command, tt.args, err)
			}
		})
	}

	// The server is still serving, and nothing ran for the bad saves: the
	// only word of them is that the file outside is not reloaded.
	e.save("lib.py", "from mymath import square\n\nprint(square(5))\n")
	e.awaitMessage(0, "lib reloaded")
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.shown {
		told := m.Type == protocol.MessageTypeWarning && strings.Contains(m.Message, outside+" is not reloaded on save")
		if strings.Contains(m.Message, "must not run") || strings.Contains(m.Message, "README") || (strings.Contains(m.Message, "elsewhere") && !told) {
			t.Errorf("unexpected message %q", m.Message)
		}
	}
}

func TestMissingInterpreterIsReported(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(map[string]any{"python": "/nonexistent/bin/python3"})
	msg := e.awaitMessage(0, "cannot start Python")
	if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, `"/nonexistent/bin/python3"`) {
		t.Errorf("message = %v %q, want an Error naming the interpreter tried", msg.Type, msg.Message)
	}
	n := e.messageCount()
	e.save("lib.py", "print(1)\n")
	e.awaitMessage(n, "/nonexistent/bin/python3")
	if _, err := e.server.CodeAction(context.Background(), &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("lib.py")}}); err != nil {
		t.Errorf("server stopped answering: %v", err)
	}
}

func TestSettingsFromOptionsAndConfiguration(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles+"-- heavy.py --\nimport sys\nsys.heavy_imported = True\n-- libs/extra.py --\nNAME = 'extra'\n")
	e.config = []byte(`{"preload": ["heavy"], "env": {"HOTLOAD_TEST": "from configuration"}}`)
	e.initialize(map[string]any{"extraPaths": []string{"libs"}, "env": map[string]string{"HOTLOAD_TEST": "from options"}, "bogus": 1})
	e.waitReady()
	e.awaitMessage(0, "bogus: unknown setting")
	tests := []struct{ code, want string }{
		{"import sys; sys.heavy_imported", "True"},                        // preloaded before any save
		{"import os; os.environ['HOTLOAD_TEST']", "'from configuration'"}, // configuration overrides options
		{"import extra; extra.NAME", "'extra'"},                           // extraPaths is on sys.path
	}
	for _, tt := range tests {
		var got evaluation
		if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), tt.code); err != nil {
			t.Fatal(err)
		}
		if got.Value == nil || *got.Value != tt.want {
			t.Errorf("evaluate %q = %v (error %v), want %s", tt.code, got.Value, got.Error, tt.want)
		}
	}
}

func TestRestartRuntimeGivesFreshState(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nx = 1\n")
	e.initialize(nil)
	pid := e.waitReady()
	if err := e.command("hotload.evaluate", nil, string(e.uri("lib.py")), "x = 99"); err != nil {
		t.Fatal(err)
	}
	if err := e.command("hotload.restartRuntime", nil); err != nil {
		t.Fatal(err)
	}
	e.awaitMessage(0, "runtime restarted")
	pyruntimetest.WaitGone(t, pid, waitTimeout)
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "x"); err != nil || got.Value == nil || *got.Value != "1" {
		t.Errorf("x after restart = %v (%v), want the module's own 1", got.Value, err)
	}
}

func TestShutdownLeavesNoProcess(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	pid := e.waitReady()
	e.shutdown()
	pyruntimetest.WaitGone(t, pid, waitTimeout)
}

func TestExitWithoutShutdownLeavesNoProcess(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	pid := e.waitReady()
	if err := e.server.Exit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-e.served; !errors.Is(err, ErrExitWithoutShutdown) {
		t.Errorf("Serve = %v, want ErrExitWithoutShutdown", err)
	}
	e.served <- nil // for the cleanup
	pyruntimetest.WaitGone(t, pid, waitTimeout)
}

func TestEditorVanishingLeavesNoProcess(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	pid := e.waitReady()
	// No shutdown, no exit: the editor's end of the connection just closes.
	e.conn.Close()
	if err := <-e.served; err != nil {
		t.Errorf("Serve = %v after the connection closed, want nil", err)
	}
	e.served <- nil // for the cleanup
	pyruntimetest.WaitGone(t, pid, waitTimeout)
}

func TestStatusFollowsTheRuntime(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	e.awaitStatus(0, "starting")
	ready := e.awaitStatus(0, "ready")
	if ready.Pid == 0 {
		t.Errorf("ready status %+v has no pid", ready)
	}

	n := e.statusCount()
	e.save("lib.py", "'ok'\n")
	if st := e.awaitStatus(n, "running"); st.Module != "lib" {
		t.Errorf("running status %+v, want module lib", st)
	}
	if st := e.awaitStatus(n, "ready"); st.LastReloadMs <= 0 || st.Module != "lib" {
		t.Errorf("ready status after a reload %+v, want lib and its time", st)
	}

	n = e.statusCount()
	e.save("lib.py", "import os\nos._exit(3)\n")
	e.awaitMessage(0, "exited with code 3")
	// The runtime is dead and restarted at once: the status ends ready in a
	// new process (a "dead" in between may or may not be seen first).
	e.await("a ready status with a new pid", func() bool {
		last := e.statuses[len(e.statuses)-1]
		return len(e.statuses) > n && last.State == "ready" && last.Pid != 0 && last.Pid != ready.Pid
	})
}

func TestStatusSaysWhyTheRuntimeIsDead(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(map[string]any{"python": "/nonexistent/python3"})
	st := e.awaitStatus(0, "dead")
	if !strings.Contains(st.Message, "/nonexistent/python3") {
		t.Errorf("dead status %+v should say which interpreter is missing", st)
	}
}

func TestPyprojectSettingsOverrideTheEditors(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles+"-- pyproject.toml --\n[project]\nname = \"demo\"\n\n[tool.hotload]\nenv = { HOTLOAD_TEST = \"from pyproject\" }\n")
	e.config = []byte(`{"env": {"HOTLOAD_TEST": "from configuration"}}`)
	e.initialize(nil)
	e.waitReady()
	env := func() string {
		var got evaluation
		if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "import os; os.environ['HOTLOAD_TEST']"); err != nil || got.Value == nil {
			t.Fatalf("evaluate: %s %v", deref(got.Error), err)
		}
		return *got.Value
	}
	if got := env(); got != "'from pyproject'" {
		t.Errorf("HOTLOAD_TEST = %s, want pyproject.toml to win", got)
	}

	// Saving pyproject.toml applies it: a changed setting means a new runtime.
	e.save("pyproject.toml", "[tool.hotload]\nenv = { HOTLOAD_TEST = \"edited\" }\n")
	e.awaitMessage(0, "settings changed; started a new runtime")
	if got := env(); got != "'edited'" {
		t.Errorf("HOTLOAD_TEST after saving pyproject.toml = %s, want 'edited'", got)
	}

	// A broken file is reported, and the runtime and its settings stay.
	pid := e.lastStatus().Pid
	n := e.messageCount()
	e.save("pyproject.toml", "[tool.hotload\n")
	if msg := e.awaitMessage(n, "keeping the settings in force"); msg.Type != protocol.MessageTypeWarning {
		t.Errorf("message %v %q, want a Warning", msg.Type, msg.Message)
	}
	if got := env(); got != "'edited'" {
		t.Errorf("HOTLOAD_TEST after a broken pyproject.toml = %s, want the settings in force", got)
	}
	if last := e.lastStatus(); last.Pid != pid {
		t.Errorf("runtime pid %d after a broken pyproject.toml, want the same %d", last.Pid, pid)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestEvaluationMessagesOnlyForClientsThatDoNotShowResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		experimental string
		wantMessage  bool
	}{
		{"plain client", ``, true},
		{"hotload's own plugins", `{"hotload": {"inlineResults": true}}`, false},
		{"another experimental capability", `{"other": 1}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEditor(t, twoFiles)
			e.initializeWith(nil, []byte(tt.experimental))
			e.waitReady()
			if err := e.command("hotload.evaluate", nil, string(e.uri("lib.py")), "6*7"); err != nil {
				t.Fatal(err)
			}
			// A reload's message comes after the evaluation's, if any.
			e.save("lib.py", "'done'\n")
			e.awaitMessage(0, "lib reloaded")
			e.mu.Lock()
			defer e.mu.Unlock()
			got := false
			for _, m := range e.shown {
				got = got || strings.Contains(m.Message, "6*7 →")
			}
			if got != tt.wantMessage {
				t.Errorf("a message for the evaluation: %v, want %v (messages %v)", got, tt.wantMessage, e.shown)
			}
		})
	}
}

func TestEvaluationExceptionsBecomeDiagnostics(t *testing.T) {
	t.Parallel()
	e := newEditor(t, `
-- lib.py --
from mymath import square


def run():
    total = square(2) + 1 / 0
    return total
-- mymath.py --
def square(x):
    return x * x / (x - 3)
`)
	e.initialize(nil)
	e.waitReady()
	e.open("lib.py")

	// A selection from inside a function: the error lands on the file's
	// own line and columns, though the code ran dedented.
	if err := e.command("hotload.evaluateSelection", nil, string(e.uri("lib.py")), span(4, 0, 29)); err != nil {
		t.Fatal(err)
	}
	d := e.awaitDiagnostics("lib.py", "an Error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	// The failing expressions; before Python 3.11, which has no column
	// positions, the lines without their indentation.
	selectionAt, squareAt := span(4, 24, 29), span(1, 11, 26)
	if !pyruntimetest.AtLeast(t, 3, 11) {
		selectionAt, squareAt = span(4, 4, 29), span(1, 4, 26)
	}
	if d.Severity != protocol.DiagnosticSeverityError || message(d) != "ZeroDivisionError: division by zero" || d.Range != selectionAt {
		t.Errorf("diagnostic = %v %q %v, want an Error on `1 / 0` at %v", d.Severity, message(d), d.Range, selectionAt)
	}

	// An expression that fails in another file marks that file, and
	// replaces the previous evaluation's diagnostics.
	if err := e.command("hotload.evaluate", nil, string(e.uri("lib.py")), "square(3)"); err != nil {
		t.Fatal(err)
	}
	e.awaitDiagnostics("mymath.py", "an Error", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Range == squareAt
	})
	e.awaitDiagnostics("lib.py", "none", func(d []protocol.Diagnostic) bool { return len(d) == 0 })

	// A reload of the module supersedes its evaluations' diagnostics.
	e.save("lib.py", "from mymath import square\n")
	e.awaitDiagnostics("mymath.py", "none", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
}

func TestShiftColumns(t *testing.T) {
	t.Parallel()
	exc := &reload.Exception{
		Frames: []reload.Frame{
			{Path: "/ws/lib.py", Line: 5, EndLine: 5, Col: 20, EndCol: 25}, // first selected line
			{Path: "/ws/lib.py", Line: 6, EndLine: 6, Col: 0, EndCol: 6},   // a later one
			{Path: "/ws/lib.py", Line: 9, EndLine: 9, Col: 3, EndCol: 4},   // outside the selection
			{Path: "/ws/other.py", Line: 5, EndLine: 5, Col: 1, EndCol: 2}, // another file
			{Path: "/ws/lib.py", Line: 6, EndLine: 6, Col: -1, EndCol: -1}, // no columns
		},
		Syntax: &reload.Frame{Path: "/ws/lib.py", Line: 6, EndLine: 6, Col: 2, EndCol: 3},
	}
	text := "1\n2\n3\n4\n  x = 5\n    y = 6\n7\n8\n9\n"
	shiftColumns(exc, text, "/ws/lib.py", 5, 7, 2, 4)
	want := [][2]int{{26, 31}, {4, 10}, {3, 4}, {1, 2}, {-1, -1}}
	sources := []string{"  x = 5", "    y = 6", "", "", "    y = 6"} // the document's lines within the selection
	for i, f := range exc.Frames {
		if got := [2]int{f.Col, f.EndCol}; got != want[i] {
			t.Errorf("frame %d columns = %v, want %v", i, got, want[i])
		}
		if f.Source != sources[i] {
			t.Errorf("frame %d source = %q, want %q", i, f.Source, sources[i])
		}
	}
	if exc.Syntax.Col != 6 || exc.Syntax.EndCol != 7 {
		t.Errorf("syntax columns = %d-%d, want 6-7", exc.Syntax.Col, exc.Syntax.EndCol)
	}
}

func TestEvaluationValuesAreLoggedInFull(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	e.initialize(nil)
	e.waitReady()
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "'x' * 500"); err != nil {
		t.Fatal(err)
	}
	e.awaitLog("lib: 'x' * 500 =\n'" + strings.Repeat("x", 500) + "'")
}

func TestWarningsBecomeWarningDiagnostics(t *testing.T) {
	t.Parallel()
	const warns = "import warnings\n\n\ndef check(x):\n    warnings.warn('x is negative')\n\n\ncheck(-1)\n"
	e := newEditor(t, "-- lib.py --\n"+warns)
	e.initialize(nil)
	e.waitReady()
	// Every save shows the warning, not only the first (Python shows a
	// warning once per location by default).
	for i := range 2 {
		e.save("lib.py", warns)
		d := e.awaitDiagnostics("lib.py", "a Warning", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
		if d.Severity != protocol.DiagnosticSeverityWarning || message(d) != "UserWarning: x is negative" || d.Range != span(4, 4, 34) {
			t.Errorf("save %d: diagnostic %v %q %v, want a Warning on the warn call's line", i+1, d.Severity, message(d), d.Range)
		}
		e.awaitLog("lib.py:5: UserWarning: x is negative") // printed as Python prints it
		e.save("lib.py", "x = 1\n")
		e.awaitDiagnostics("lib.py", "none", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
	}
}
