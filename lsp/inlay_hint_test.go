package lsp

import (
	"context"
	"testing"

	"go.lsp.dev/protocol"
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
