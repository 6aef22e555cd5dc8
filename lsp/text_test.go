package lsp

import (
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

func TestRangeText(t *testing.T) {
	t.Parallel()
	const doc = "def f():\n    return \"🐍\" + x\n"
	tests := []struct {
		r    protocol.Range
		want string
	}{
		{span(0, 0, 8), "def f():"},
		{span(1, 11, 19), `"🐍" + x`},
		{protocol.Range{Start: protocol.Position{Line: 0, Character: 4}, End: protocol.Position{Line: 1, Character: 10}}, "f():\n    return"},
		{span(1, 4, 99), `return "🐍" + x`}, // past the end of the line means its end
	}
	for _, tt := range tests {
		got, err := rangeText(doc, tt.r)
		if err != nil || got != tt.want {
			t.Errorf("rangeText(%v) = %q, %v; want %q", tt.r, got, err, tt.want)
		}
	}
	if _, err := rangeText(doc, span(9, 0, 1)); err == nil {
		t.Error("rangeText past the last line: no error")
	}
}

func TestDedent(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"    x = 1\n    y = x\n", "x = 1\ny = x\n"},
		{"    if x:\n        y()\n\n    z()", "if x:\n    y()\n\nz()"},
		{"x = 1", "x = 1"},
		{"\tx\n\t\ty", "x\n\ty"},
	}
	for _, tt := range tests {
		if got, _ := dedent(tt.in); got != tt.want {
			t.Errorf("dedent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPreviewAndDuration(t *testing.T) {
	t.Parallel()
	value := "25"
	tests := []struct {
		res  reload.Result
		want string
	}{
		{reload.Result{}, ""},
		{reload.Result{Output: "25\n"}, ": 25"},
		{reload.Result{Value: &value}, ": 25"},
		{reload.Result{Output: "a\nb\n", Value: &value}, ": a | b | 25"},
		{reload.Result{Output: "1\n2\n3\n4\n5\n"}, ": 1 | 2 | 3 | …"},
	}
	for _, tt := range tests {
		if got := preview(&tt.res); got != tt.want {
			t.Errorf("preview(output %q) = %q, want %q", tt.res.Output, got, tt.want)
		}
	}
	durations := []struct {
		d    time.Duration
		want string
	}{
		{800 * time.Microsecond, "0.8 ms"},
		{12 * time.Millisecond, "12 ms"},
		{1300 * time.Millisecond, "1.3 s"},
	}
	for _, tt := range durations {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
