package lsp

import (
	"context"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

func TestResultPosition(t *testing.T) {
	t.Parallel()
	const text = "x = 1\nvalue = square(5)\n    if y:\n"
	tests := []struct {
		name string
		r    protocol.Range
		want protocol.Position
	}{
		{"charwise: the end of the range", span(1, 8, 17), protocol.Position{Line: 1, Character: 17}},
		{"linewise: the end of the last selected line", protocol.Range{Start: protocol.Position{Line: 0}, End: protocol.Position{Line: 2}}, protocol.Position{Line: 1, Character: 17}},
		{"past the end of a line: its end", span(2, 0, 99), protocol.Position{Line: 2, Character: 9}},
	}
	for _, tt := range tests {
		if got := resultPosition(text, tt.r); got != tt.want {
			t.Errorf("%s: resultPosition(%v) = %v, want %v", tt.name, tt.r, got, tt.want)
		}
	}
}

func TestResultLabel(t *testing.T) {
	t.Parallel()
	value, trace := "42", "Traceback (most recent call last):\n  File \"<evaluate>\", line 1\nZeroDivisionError: division by zero\n"
	long := string(make([]byte, 200))
	tests := []struct {
		ev   evaluation
		want string
	}{
		{evaluation{Value: &value}, "= 42"},
		{evaluation{Error: &trace}, "✗ ZeroDivisionError: division by zero"},
		{evaluation{}, "✓"},
		{evaluation{Value: &long}, "= " + long[:78] + "…"},
	}
	for _, tt := range tests {
		if got, _ := resultLabel(&tt.ev); got != tt.want {
			t.Errorf("resultLabel(%+v) = %q, want %q", tt.ev, got, tt.want)
		}
	}
}

func TestEvaluatedSelectionShowsAsInlayHintUntilTheDocumentChanges(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFiles)
	res := e.initialize(nil)
	if res.Capabilities.InlayHintProvider == nil {
		t.Fatal("no inlayHintProvider")
	}
	e.waitReady()
	e.open("lib.py")
	hints := func() []protocol.InlayHint {
		got, err := e.server.InlayHint(context.Background(), &protocol.InlayHintParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("lib.py")},
			Range:        protocol.Range{End: protocol.Position{Line: 10}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := hints(); len(got) != 0 {
		t.Fatalf("hints before any evaluation: %v", got)
	}
	// "square(5)" on line 3 of lib.py.
	if err := e.command("hotload.evaluateSelection", nil, string(e.uri("lib.py")), span(2, 6, 15)); err != nil {
		t.Fatal(err)
	}
	e.await("an inlay hint refresh", func() bool { return e.refreshes > 0 })
	got := hints()
	if len(got) != 1 {
		t.Fatalf("hints = %v, want one", got)
	}
	if label, _ := got[0].Label.(protocol.String); label != "= 25" || got[0].Position != (protocol.Position{Line: 2, Character: 15}) {
		t.Errorf("hint %q at %v, want \"= 25\" at 3:16", label, got[0].Position)
	}

	if err := e.server.DidChange(context.Background(), &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: e.uri("lib.py")}, Version: 2},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: "changed\n"}},
	}); err != nil {
		t.Fatal(err)
	}
	if got := hints(); len(got) != 0 {
		t.Errorf("hints after an edit: %v, want none", got)
	}
}

// An evaluated selection's error lands on the failing expression in the
// editor's text, which may differ from the file on disk (a line added above,
// unsaved), with columns in UTF-16 code units after non-ASCII text.
func TestEvaluatedSelectionErrorLandsOnTheEditorsText(t *testing.T) {
	t.Parallel()
	saved := "A = 1\ndef g():\n    for i in range(3):\n        t = '😀😀😀'; z = i / 0\ns = '😀中'; y = 1/2\n"
	edited := "A = 1\n\n" + saved[len("A = 1\n"):] // a blank line added at the top, unsaved
	e := newEditor(t, "-- lib.py --\nA = 1\n")
	e.initialize(nil)
	e.waitReady()
	e.open("lib.py")
	e.save("lib.py", saved)
	e.awaitResult(1)
	e.change("lib.py", edited)
	tests := []struct {
		name       string
		sel        protocol.Range
		start, end protocol.Position
	}{
		// `i / 0` on line 5: "        t = '😀😀😀'; z = " is 26 UTF-16 units.
		{"an indented block", protocol.Range{Start: protocol.Position{Line: 3, Character: 4}, End: protocol.Position{Line: 4, Character: 31}},
			protocol.Position{Line: 4, Character: 26}, protocol.Position{Line: 4, Character: 31}},
		{"one inner line, from its code", protocol.Range{Start: protocol.Position{Line: 4, Character: 8}, End: protocol.Position{Line: 4, Character: 31}},
			protocol.Position{Line: 4, Character: 26}, protocol.Position{Line: 4, Character: 31}}, // the block before left i = 0
		// `y = 1/` on line 6, selected from the space before it: the
		// SyntaxError is at the end of the selection, 17 units in.
		{"a syntax error, from mid-line", protocol.Range{Start: protocol.Position{Line: 5, Character: 10}, End: protocol.Position{Line: 5, Character: 17}},
			protocol.Position{Line: 5, Character: 17}, protocol.Position{Line: 5, Character: 17}},
	}
	columns := pyruntimetest.AtLeast(t, 3, 11) // before, a frame is a line: its code, indentation left out
	for _, tt := range tests {
		if !columns && tt.start != tt.end {
			tt.start.Character = 8
		}
		var got evaluation
		if err := e.command("hotload.evaluateSelection", &got, string(e.uri("lib.py")), tt.sel); err != nil {
			t.Fatal(err)
		}
		if got.Error == nil {
			t.Fatalf("%s: no error", tt.name)
		}
		d := e.awaitDiagnostics("lib.py", tt.name+"'s error", func(d []protocol.Diagnostic) bool {
			return len(d) > 0 && d[0].Range.Start.Line == tt.start.Line
		})
		if d[0].Range.Start != tt.start || (tt.end != tt.start && d[0].Range.End != tt.end) {
			t.Errorf("%s: the error is at %v, want %v–%v (%s)", tt.name, d[0].Range, tt.start, tt.end, message(d[0]))
		}
	}
}
