package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// The importer chain of these tests: lib imports names from mymath.
const importerChain = `
-- mymath.py --
CONST = 1


def f():
    return CONST
-- lib.py --
from mymath import CONST, f

ratio = 10 / CONST
print(CONST, f())
`

// loadImporterChain starts a session on importerChain with lib loaded (and
// with it mymath).
func loadImporterChain(t *testing.T) *fakeEditor {
	t.Helper()
	e := newEditor(t, importerChain)
	e.initialize(nil)
	e.waitReady()
	e.save("lib.py", "from mymath import CONST, f\n\nratio = 10 / CONST\nprint(CONST, f())\n")
	e.awaitMessage(0, "lib reloaded")
	return e
}

func TestSavingAModuleRerunsItsImporters(t *testing.T) {
	t.Parallel()
	e := loadImporterChain(t)

	n := e.messageCount()
	e.save("mymath.py", "CONST = 2\n\n\ndef f():\n    return CONST * 10\n")
	msg := e.awaitMessage(n, "mymath reloaded")
	if !strings.Contains(msg.Message, "(and lib)") || !strings.HasSuffix(msg.Message, ": 2 20") {
		t.Errorf("message %q, want mymath reloaded (and lib) with lib's new output 2 20", msg.Message)
	}
}

func TestAFailingImporterRollsTheSaveBack(t *testing.T) {
	t.Parallel()
	e := loadImporterChain(t)

	n := e.messageCount()
	e.save("mymath.py", "CONST = 0\n\n\ndef f():\n    return -1\n")
	msg := e.awaitMessage(n, "ZeroDivisionError")
	if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, "rolled back") {
		t.Errorf("message %v %q, want an Error saying the save was rolled back", msg.Type, msg.Message)
	}
	d := e.awaitDiagnostics("lib.py", "the importer's error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	if d.Range.Start.Line != 2 || message(d) != "ZeroDivisionError: division by zero" {
		t.Errorf("diagnostic %q on line %d, want the division on line 3", message(d), d.Range.Start.Line+1)
	}
	// Both modules are as before the save, old functions included.
	for _, tt := range []struct{ file, code, want string }{
		{"mymath.py", "CONST, f()", "(1, 1)"},
		{"lib.py", "CONST, f(), ratio", "(1, 1, 10.0)"},
	} {
		var got evaluation
		if err := e.command("hotload.evaluate", &got, string(e.uri(tt.file)), tt.code); err != nil {
			t.Fatal(err)
		}
		if got.Value == nil || *got.Value != tt.want {
			t.Errorf("%s: %s = %v (error %s), want %s", tt.file, tt.code, got.Value, deref(got.Error), tt.want)
		}
	}
}

func TestReloadNotesAreWarnings(t *testing.T) {
	t.Parallel()
	// A slotted class cannot gain an attribute in place (a slotted
	// dataclass neither, but dataclass(slots=True) needs Python 3.10).
	const v1 = "class Point:\n    __slots__ = (\"x\",)\n\n    def __init__(self, x):\n        self.x = x\n"
	const v2 = "class Point:\n    __slots__ = (\"x\", \"y\")\n\n    def __init__(self, x, y=0):\n        self.x, self.y = x, y\n"
	e := newEditor(t, "-- shapes.py --\n"+v1)
	e.initialize(nil)
	e.waitReady()
	e.save("shapes.py", v1)
	e.awaitMessage(0, "shapes reloaded")
	n := e.messageCount()
	e.save("shapes.py", v2)
	msg := e.awaitMessage(n, "Point")
	if msg.Type != protocol.MessageTypeWarning || !strings.Contains(msg.Message, "existing instances") {
		t.Errorf("message %v %q, want a Warning that existing instances keep the old class", msg.Type, msg.Message)
	}
	// The note is also a Warning diagnostic on the class statement, the
	// object it names, spanning the line's text.
	d := e.awaitDiagnostics("shapes.py", "a Warning on class Point", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	if d.Severity != protocol.DiagnosticSeverityWarning || d.Range.Start.Line != 0 || d.Range.End.Character != uint32(len("class Point:")) ||
		!strings.Contains(message(d), "shapes.Point: its __slots__ changed") {
		t.Errorf("diagnostic %v %q at %v, want a Warning about Point on line 1", d.Severity, message(d), d.Range)
	}
	// The next save that does not change the fields replaces it with nothing.
	e.save("shapes.py", v2)
	e.awaitDiagnostics("shapes.py", "no diagnostics", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
}

func TestAfterReloadHook(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nx = 1\n-- hooks.py --\ncalls = 0\n\n\ndef after():\n    global calls\n    calls += 1\n    print('after reload', calls)\n    if calls == 2:\n        raise RuntimeError('hook broke')\n")
	e.initialize(map[string]any{"afterReload": "hooks:after"})
	e.waitReady()
	e.save("lib.py", "x = 1\n")
	e.awaitLog("after reload 1")

	n := e.messageCount()
	e.save("lib.py", "x = 2\n")
	msg := e.awaitMessage(n, "afterReload raised RuntimeError: hook broke")
	if msg.Type != protocol.MessageTypeError {
		t.Errorf("message %v %q, want an Error", msg.Type, msg.Message)
	}
	e.awaitDiagnostics("hooks.py", "the hook's error", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Range.Start.Line == 8
	})
	// The reload itself stands.
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "x"); err != nil || got.Value == nil || *got.Value != "2" {
		t.Errorf("x after the hook failed = %v, want 2", got.Value)
	}
}

func TestFreshStrategyRunsEachSaveInANewProcess(t *testing.T) {
	t.Parallel()
	const counter = "try:\n    n += 1\nexcept NameError:\n    n = 1\nprint('run', n)\n"
	e := newEditor(t, "-- counter.py --\n"+counter)
	e.initialize(map[string]any{"strategy": "fresh"})
	e.waitReady()
	for i := range 3 {
		n := e.messageCount()
		e.save("counter.py", counter)
		if msg := e.awaitMessage(n, "counter reloaded"); !strings.HasSuffix(msg.Message, ": run 1") {
			t.Errorf("fresh save %d: %q, want run 1: no state from the save before", i+1, msg.Message)
		}
	}
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri("counter.py")), "n"); err != nil || got.Value == nil || *got.Value != "1" {
		t.Errorf("n after fresh saves = %v (error %s), want 1 from the last fresh run", got.Value, deref(got.Error))
	}

	// Switching to in place keeps the runtime, and state builds up again.
	e.save("pyproject.toml", "[tool.hotload]\nstrategy = \"inplace\"\n")
	e.awaitLog("reload settings changed: saves run in place")
	n := e.messageCount()
	e.save("counter.py", counter)
	if msg := e.awaitMessage(n, "counter reloaded"); !strings.HasSuffix(msg.Message, ": run 2") {
		t.Errorf("in-place save after fresh ones: %q, want run 2", msg.Message)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, msg := range e.shown {
		if strings.Contains(msg.Message, "started a new runtime") {
			t.Errorf("changing the strategy restarted the runtime: %q", msg.Message)
		}
	}
}

// lib's own save fails because of mymath; fixing mymath re-runs lib, which
// clears the error lib's save reported.
func TestFixingADependencyClearsTheImportersError(t *testing.T) {
	t.Parallel()
	e := loadImporterChain(t)
	n := e.messageCount()
	e.save("lib.py", "from mymath import CONST, f\n\nratio = 10 / (CONST - 1)\nprint(CONST, f())\n")
	e.awaitMessage(n, "lib: ZeroDivisionError")
	e.awaitDiagnostics("lib.py", "lib's own error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })

	n = e.messageCount()
	e.save("mymath.py", "CONST = 2\n\n\ndef f():\n    return CONST\n")
	e.awaitMessage(n, "mymath reloaded")
	e.awaitDiagnostics("lib.py", "lib's error cleared by its clean re-run", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
}

// lib's save fails because it imports a name mymath does not have yet;
// saving mymath with that name runs lib's file again, as a fresh run
// would, and clears the error lib's save reported.
func TestProvidingWhatAFailedImporterNeedsRerunsIt(t *testing.T) {
	t.Parallel()
	e := loadImporterChain(t)
	n := e.messageCount()
	e.save("lib.py", "from mymath import CONST, f, g\n\nratio = 10 / CONST\nprint(CONST, g())\n")
	e.awaitMessage(n, "lib: ImportError")
	e.awaitDiagnostics("lib.py", "lib's own error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })

	n = e.messageCount()
	e.save("mymath.py", "CONST = 1\n\n\ndef f():\n    return CONST\n\n\ndef g():\n    return 'g'\n")
	msg := e.awaitMessage(n, "mymath reloaded")
	if !strings.Contains(msg.Message, "(and lib)") || !strings.HasSuffix(msg.Message, ": 1 g") {
		t.Errorf("message %q, want mymath reloaded (and lib) with lib's new output 1 g", msg.Message)
	}
	e.awaitDiagnostics("lib.py", "lib's error cleared by its clean re-run", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
}
