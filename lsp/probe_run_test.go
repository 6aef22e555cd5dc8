package lsp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime"
	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The probes of evaluation interleaved with saves: each plays, through the
// editor protocol, what a user does with Evaluate Selection and a save, and
// compares what the runtime answers with what a fresh python run of the
// saved files gives (probeFresh).

// A def or class edited in the editor, evaluated as a selection to try it
// (the whole file, its imports with it),
// then saved: what another module took from the file before (`from mathx
// import scale`, an instance of the class) runs the saved code, as in a
// fresh run.
func TestProbeRunEvaluatedDefinitionThenSaved(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, file, module, v1, v2 string
		app, expr                  string
		needs                      []string // packages of the test venv's Python it needs; none: python3
	}{
		{"function", "mathx.py", "mathx", "def scale(x):\n    return x * 2\n", "def scale(x):\n    return x * 3\n",
			"from mathx import scale\nimport mathx\n", "(scale(2), scale is mathx.scale)", nil},
		{"class", "shapes.py", "shapes",
			"class Square:\n    def __init__(self, side):\n        self.side = side\n\n    def area(self):\n        return self.side * self.side\n",
			"class Square:\n    def __init__(self, side):\n        self.side = side\n\n    def area(self):\n        return self.side * self.side * 1.0\n",
			"from shapes import Square\nimport shapes\n\nSQ = Square(3)\n", "(SQ.area(), isinstance(SQ, shapes.Square))", nil},
		{"dataclass", "shapes.py", "shapes",
			"from dataclasses import dataclass\n\n\n@dataclass\nclass Square:\n    side: int\n\n    def area(self):\n        return self.side * self.side\n",
			"from dataclasses import dataclass\n\n\n@dataclass\nclass Square:\n    side: int\n\n    def area(self):\n        return self.side * self.side * 1.0\n",
			"from shapes import Square\nimport shapes\n\nSQ = Square(3)\n", "(SQ.area(), isinstance(SQ, shapes.Square), SQ == shapes.Square(3))", nil},
		{"enum", "colors.py", "colors",
			"import enum\n\n\nclass Color(enum.Enum):\n    RED = 1\n    BLUE = 2\n\n    def hot(self):\n        return self is Color.RED\n",
			"import enum\n\n\nclass Color(enum.Enum):\n    RED = 1\n    BLUE = 2\n\n    def hot(self):\n        return self is not Color.BLUE\n",
			"from colors import Color\nimport colors\n\nFAV = Color.RED\n", "(FAV.hot(), FAV is colors.Color.RED, isinstance(FAV, colors.Color))", nil},
		{"pydantic model", "models.py", "models",
			"from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    name: str\n\n    def label(self):\n        return self.name\n",
			"from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    name: str\n\n    def label(self):\n        return self.name.upper()\n",
			"from models import Item\nimport models\n\nDEFAULT = Item(name='x')\n",
			"(DEFAULT.label(), isinstance(DEFAULT, models.Item), models.Item.model_validate({'name': 'y'}).label())", []string{"pydantic"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts map[string]any
			python := ""
			if tt.needs != nil {
				python = pyruntimetest.VenvPython(t, tt.needs...)
				opts = map[string]any{"python": python}
			}
			e := startProbe(t, "-- "+tt.file+" --\n"+tt.v1+"-- app.py --\n"+tt.app, opts)
			e.saveAndWait("app.py", tt.app)
			e.open(tt.file)
			e.change(tt.file, tt.v2)
			var got evaluation
			if err := e.command("hotload.evaluateSelection", &got, string(e.uri(tt.file)),
				protocol.Range{End: protocol.Position{Line: uint32(strings.Count(tt.v2, "\n"))}}); err != nil || got.Error != nil {
				t.Fatalf("evaluateSelection: %v %v", err, got.Error)
			}
			e.saveAndWait(tt.file, tt.v2)
			probeCompare(t, e, "app."+tt.expr, e.evalOrError("app.py", tt.expr), probeFresh(t, e.dir, python, "app", tt.expr))
		})
	}
}

// Code evaluated in a module, then the module's file saved: the save runs
// the file, so what the evaluation bound that the file binds too is the
// file's, as in a fresh run of it.
func TestProbeRunEvaluatedThenSaved(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, v1, code, v2, expr string
	}{
		{"a global the file assigns", "MODE = 'prod'\n\n\ndef describe():\n    return 'mode ' + MODE\n",
			"MODE = 'debug'", "MODE = 'prod'\n\n\ndef describe():\n    return 'running in ' + MODE\n", "describe()"},
		{"a helper evaluated, then written in the file otherwise", "def upper(s):\n    return s.upper()\n",
			"def clean(s):\n    return s.strip()", "def upper(s):\n    return s.upper()\n\n\ndef clean(s):\n    return s.strip().lower()\n",
			"clean('  A ')"},
		{"a method selected on its own, then the class saved", "class Box:\n    def size(self):\n        return 1\n",
			"def size(self):\n    return 2", "class Box:\n    def size(self):\n        return 3\n", "Box().size()"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startProbe(t, "-- lib.py --\n"+tt.v1, nil)
			e.saveAndWait("lib.py", tt.v1)
			if got := e.evalOrError("lib.py", tt.code); strings.HasPrefix(got, "error") || strings.HasPrefix(got, "command") {
				t.Fatalf("evaluate %q: %s", tt.code, got)
			}
			e.saveAndWait("lib.py", tt.v2)
			probeCompare(t, e, "lib."+tt.expr, e.evalOrError("lib.py", tt.expr), probeFresh(t, e.dir, "", "lib", tt.expr))
		})
	}
}

// An app that serves hotload from a thread (attach) while its main loop
// calls into its modules, and a worker thread of one of them consumes a
// queue: a save of the module reaches the running loop, and the queue made
// anew is said, as in a runtime hotload started.
func TestProbeRunAttached(t *testing.T) {
	t.Parallel()
	const v1 = "import queue\nimport threading\n\nJOBS = queue.Queue()\nDONE = []\n\n\ndef tick(n):\n    return n + 1\n\n\n" +
		"def consume():\n    while True:\n        DONE.append(tick(JOBS.get()))\n\n\n" +
		"try:\n    worker\nexcept NameError:\n    worker = threading.Thread(target=consume, name='consumer', daemon=True)\n    worker.start()\n"
	v2 := strings.Replace(v1, "return n + 1", "return n * 10", 1)
	e := newEditor(t, "-- jobs.py --\n"+v1+"-- main.py --\nimport sys, time\n\nimport hotload_agent\nfrom jobs import tick\n\nSEEN = []\n\n\n"+
		"def main():\n    hotload_agent.serve_in_thread(sys.argv[1])\n    while True:\n        SEEN.append(tick(1))\n        del SEEN[:-1]\n        time.sleep(0.005)\n\n\n"+
		"if __name__ == '__main__':\n    main()\n")
	writeFile(t, e.path("hotload_agent.py"), pyruntime.AgentSource())
	socket := filepath.Join(t.TempDir(), "app.sock")
	app := exec.Command("python3", "main.py", socket)
	app.Dir = e.dir
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		app.Process.Kill()
		app.Wait()
	})
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(socket + ".token"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the app did not start serving")
		}
	}
	e.initialize(map[string]any{"attach": socket})
	e.waitReady()
	e.saveAndWait("jobs.py", v2)
	// The main loop's next call runs the saved tick, as a restarted app's would.
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri("main.py")), "import time, sys\nm = sys.modules['__main__']\nn = len(m.SEEN)\nfor _ in range(2000):\n    if m.SEEN and m.SEEN[-1] == 10:\n        break\n    time.sleep(0.005)\nm.SEEN[-1]"); err != nil || got.Value == nil || *got.Value != "10" {
		t.Errorf("the app's loop calls tick(1) = %v (%v), want 10, as a restarted app's", deref(got.Value), deref(got.Error))
	}
	// The consumer waits on the JOBS of before the save: said on its line.
	e.awaitDiagnostics("jobs.py", "a Warning on JOBS", func(d []protocol.Diagnostic) bool {
		for _, x := range d {
			if x.Range.Start.Line == 3 && strings.Contains(message(x), "thread 'consumer' still uses the Queue JOBS") {
				return true
			}
		}
		return false
	})
}
