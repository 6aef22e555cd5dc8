package lsp

import (
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
	"github.com/hotload-dev/hotload/reload"
)

func TestChainAt(t *testing.T) {
	tests := []struct {
		line string
		col  uint32 // where the cursor is, in UTF-16 units
		want string // "" for no hover
	}{
		{"print(df)", 6, "df"},
		{"print(df)", 8, "df"}, // right after the name
		{"x = model.weights.shape", 4, "model"},
		{"x = model.weights.shape", 12, "model.weights"},
		{"x = model.weights.shape", 20, "model.weights.shape"},
		{"x = f().weights", 9, ""}, // after a call: not a global's attribute
		{"x = d[0].real", 10, ""},  // after a subscript
		{"# df is big", 3, ""},     // a comment
		{"s = 'df'", 6, ""},        // a string
		{`s = "a" + df`, 11, "df"}, // after a closed string
		{"if x is None:", 9, ""},   // a keyword
		{"x = 1", 3, ""},           // an operator
		{"é = café", 5, "café"},    // names beyond ASCII
		{"print(🙂, df)", 11, "df"}, // UTF-16 columns after an astral character
		{"settings.DEBUG", 10, "settings.DEBUG"},
	}
	for _, tt := range tests {
		c, ok := chainAt(tt.line, protocol.Position{Line: 0, Character: tt.col})
		got := ""
		if ok {
			got = c.expr
		}
		if got != tt.want {
			t.Errorf("chainAt(%q, %d) = %q, want %q", tt.line, tt.col, got, tt.want)
		}
	}
}

func TestHoverMarkdown(t *testing.T) {
	got := hoverMarkdown("df", &reload.Inspection{Type: "pandas.DataFrame", Size: "shape (3, 2)", Details: "dtypes: a int64, b object", Repr: "   a  b\n0  1  x", Language: "text", Cut: "40 of 100 lines"})
	want := "**`df`**: `pandas.DataFrame` · shape (3, 2) — live value (hotload)\n\ndtypes: a int64, b object\n\n```text\n   a  b\n0  1  x\n```\n\n*cut: 40 of 100 lines*\n"
	if got != want {
		t.Errorf("hoverMarkdown = %q, want %q", got, want)
	}
	// A repr holding a fence gets a longer one.
	if got := hoverMarkdown("s", &reload.Inspection{Type: "str", Repr: "'```'", Language: "python"}); !strings.Contains(got, "````python\n'```'\n````") {
		t.Errorf("hoverMarkdown of a fence = %q", got)
	}
}

const hoverWorkspace = `
-- vals.py --
import time

count = 42
settings = {"debug": True}

class Slow:
    def __repr__(self):
        time.sleep(10)
        return "slow"

slow = Slow()

def f(count):
    return count
-- loop.py --
import vals
print("looping", flush=True)
while True:
    vals.count += 1
`

// Hover through the editor: live values of a loaded module's globals,
// nothing for other names, a repr that takes too long cut off, and an
// answer at once while a run loops.
func TestHoverShowsLiveValues(t *testing.T) {
	e := newEditor(t, hoverWorkspace)
	e.initialize(nil)
	e.waitReady()
	e.open("vals.py")
	if h := e.hover("vals.py", 2, 1); h != nil {
		t.Errorf("hover before the module is loaded = %q, want none", hoverText(h))
	}
	n := e.messageCount()
	e.save("vals.py", readFile(t, e.path("vals.py")))
	e.awaitMessage(n, "vals reloaded")

	tests := []struct {
		name       string
		line, char uint32
		want       []string // nil: no hover at all
	}{
		{"an int", 2, 1, []string{"**`count`**: `int`", "```python\n42\n```"}},
		{"a dict", 3, 3, []string{"`dict` · len 1", "{'debug': True}"}},
		{"a parameter of the same name", 13, 12, nil},
	}
	for _, tt := range tests {
		got := hoverText(e.hover("vals.py", tt.line, tt.char))
		if tt.want == nil {
			if got != "" {
				t.Errorf("%s: hover = %q, want none", tt.name, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: hover = %q, want it to contain %q", tt.name, got, w)
			}
		}
	}

	began := time.Now()
	got := hoverText(e.hover("vals.py", 10, 1))
	if !strings.Contains(got, "`vals.Slow`") || !strings.Contains(got, "its repr took too long") {
		t.Errorf("hover on slow = %q, want its type and that the repr took too long", got)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("hover on slow took %v: it waited for the repr", took) // a guard; the sleep is 10 s
	}

	// A run that loops: the hover answers at once, without a value.
	e.save("loop.py", readFile(t, e.path("loop.py")))
	e.awaitLog("loop: looping")
	got = hoverText(e.hover("vals.py", 2, 1))
	if !strings.Contains(got, "`int`") || !strings.Contains(got, "the runtime is running loop") || strings.Contains(got, "```") {
		t.Errorf("hover while loop runs = %q, want the type and a note, no value", got)
	}
	if err := e.command("hotload.interruptRuntime", nil); err != nil {
		t.Fatal(err)
	}
}

func TestHoverDataFrame(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "pandas")
	e := newEditor(t, "-- frames.py --\nimport pandas as pd\n\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': [0.5, 1.5, 2.5]})\n")
	e.initialize(map[string]any{"python": python})
	e.waitReady()
	n := e.messageCount()
	e.save("frames.py", readFile(t, e.path("frames.py")))
	e.awaitMessage(n, "frames reloaded")
	got := hoverText(e.hover("frames.py", 2, 0))
	for _, want := range []string{"`pandas.DataFrame` · shape (3, 2)", "dtypes: a int64, b float64", "0  1  0.5"} {
		if !strings.Contains(got, want) {
			t.Errorf("hover on df = %q, want it to contain %q", got, want)
		}
	}
}
