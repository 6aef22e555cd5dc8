package pyruntime

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// inspect asks for expr in the module at path, at line and col (0 for no
// place), and fails the test on an error.
func inspect(t *testing.T, r *Runtime, module, path, expr string, line, col int) *Inspection {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), appTimeout)
	defer cancel()
	got, err := r.Inspect(ctx, Request{Module: module, Path: path, Expr: expr, Line: line, Col: col})
	if err != nil {
		t.Fatalf("Inspect(%s): %v", expr, err)
	}
	return got
}

const inspected = `import time

count = 42
settings = {"debug": True, "name": "demo"}
big = list(range(100000))

class Slow:
    def __repr__(self):
        time.sleep(10)
        return "slow"

class Model:
    weights = [0.5, 0.25]

slow = Slow()
model = Model()

def f(count):
    return count + 1

class C:
    settings = 1
    def m(self):
        return settings
`

func TestInspectDescribesLiveValues(t *testing.T) {
	dir := t.TempDir()
	path := writeModule(t, dir, "vals", inspected)
	r := newRuntime(t, Config{Dir: dir})
	if reply, _, err := reload(t, r, "vals", path); err != nil || reply.Error != nil {
		t.Fatalf("reload: %v %+v", err, reply.Error)
	}
	tests := []struct {
		expr      string
		line, col int // 1-based line, 0-based column; 0 for none
		want      *Inspection
	}{
		{"count", 0, 0, &Inspection{Type: "int", Repr: "42", Language: "python"}},
		{"settings", 0, 0, &Inspection{Type: "dict", Size: "len 2", Repr: "{'debug': True, 'name': 'demo'}", Language: "python"}},
		{"model.weights", 0, 0, &Inspection{Type: "list", Size: "len 2", Repr: "[0.5, 0.25]", Language: "python"}},
		{"model.missing", 0, 0, nil},
		{"nothing", 0, 0, nil},
		{"count", 3, 0, &Inspection{Type: "int", Repr: "42", Language: "python"}}, // the global's own line
		{"count", 19, 11, nil},   // f's parameter
		{"settings", 22, 4, nil}, // C's class attribute, in its body
		{"settings", 24, 15, &Inspection{Type: "dict", Size: "len 2", Repr: "{'debug': True, 'name': 'demo'}", Language: "python"}}, // the global, inside a method
	}
	for _, tt := range tests {
		got := inspect(t, r, "vals", path, tt.expr, tt.line, tt.col)
		switch {
		case tt.want == nil && got != nil:
			t.Errorf("Inspect(%s at %d:%d) = %+v, want nothing", tt.expr, tt.line, tt.col, got)
		case tt.want != nil && (got == nil || *got != *tt.want):
			t.Errorf("Inspect(%s at %d:%d) = %+v, want %+v", tt.expr, tt.line, tt.col, got, tt.want)
		}
	}

	got := inspect(t, r, "vals", path, "big", 0, 0)
	if got == nil || got.Size != "len 100000" || !strings.Contains(got.Repr, "...") || len(got.Repr) > 4000 {
		t.Errorf("Inspect(big) = %+v, want an abbreviated repr of a 100000 items", got)
	}
	if got := inspect(t, r, "notloaded", filepath.Join(dir, "notloaded.py"), "count", 0, 0); got != nil {
		t.Errorf("Inspect in a module that is not loaded = %+v, want nothing", got)
	}
}

// A repr that takes too long is cut off at the time limit, and the next
// hover gets its value at once.
func TestInspectSlowRepr(t *testing.T) {
	dir := t.TempDir()
	path := writeModule(t, dir, "vals", inspected)
	r := newRuntime(t, Config{Dir: dir})
	if reply, _, err := reload(t, r, "vals", path); err != nil || reply.Error != nil {
		t.Fatalf("reload: %v %+v", err, reply.Error)
	}
	began := time.Now()
	got := inspect(t, r, "vals", path, "slow", 0, 0)
	if got == nil || got.Type != "vals.Slow" || got.Repr != "" || !strings.Contains(got.Note, "its repr took too long") {
		t.Errorf("Inspect(slow) = %+v, want its type and a note that the repr took too long", got)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("Inspect(slow) took %v: it waited for the repr's sleep", took) // a guard: the sleep is 10 s
	}
	if got := inspect(t, r, "vals", path, "count", 0, 0); got == nil || got.Repr != "42" {
		t.Errorf("Inspect(count) after a stuck repr = %+v, want 42", got)
	}
}

// While a run loops, a hover answers at once with the type and no value.
func TestInspectWhileARunLoops(t *testing.T) {
	dir := t.TempDir()
	path := writeModule(t, dir, "vals", inspected)
	r := newRuntime(t, Config{Dir: dir})
	if reply, _, err := reload(t, r, "vals", path); err != nil || reply.Error != nil {
		t.Fatalf("reload: %v %+v", err, reply.Error)
	}
	loop := writeModule(t, dir, "loop", "import vals\nwhile True:\n    vals.count += 1\n")
	go reload(t, r, "loop", loop)
	waitBusy(t, r)
	got := inspect(t, r, "vals", path, "count", 0, 0)
	if got == nil || got.Type != "int" || got.Repr != "" || !strings.Contains(got.Note, "the runtime is running loop") {
		t.Errorf("Inspect(count) while loop runs = %+v, want the type and a note that loop runs", got)
	}
	if _, err := r.Interrupt(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestInspectDataFrame(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "pandas")
	dir := t.TempDir()
	path := writeModule(t, dir, "frames", "import pandas as pd\nimport numpy as np\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})\narr = np.zeros((3, 4))\n")
	r := newRuntime(t, Config{Dir: dir, Python: []string{python}})
	if reply, _, err := reload(t, r, "frames", path); err != nil || reply.Error != nil {
		t.Fatalf("reload: %v %+v", err, reply.Error)
	}
	got := inspect(t, r, "frames", path, "df", 0, 0)
	want := Inspection{Type: "pandas.DataFrame", Size: "shape (3, 2)", Details: "dtypes: a int64, b object", Language: "text"}
	if got == nil || got.Type != want.Type || got.Size != want.Size || !strings.HasPrefix(got.Details, "dtypes: a int64, b ") || !strings.Contains(got.Repr, "0  1  x") {
		t.Errorf("Inspect(df) = %+v, want %+v and the frame's repr", got, want)
	}
	got = inspect(t, r, "frames", path, "arr", 0, 0)
	if got == nil || got.Type != "numpy.ndarray" || got.Size != "shape (3, 4), dtype float64, 96 B" {
		t.Errorf("Inspect(arr) = %+v, want numpy.ndarray of shape (3, 4), dtype float64, 96 B", got)
	}
}
