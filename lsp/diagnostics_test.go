package lsp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

func TestFrameRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		frame reload.Frame
		want  protocol.Range
	}{
		{"expression on one line", reload.Frame{Line: 2, EndLine: 2, Col: 11, EndCol: 16, Source: "    return x / 0"}, span(1, 11, 16)},
		{"no columns: the line without indentation", reload.Frame{Line: 3, EndLine: 3, Col: -1, EndCol: -1, Source: "    return x"}, span(2, 4, 12)},
		{"astral characters count two UTF-16 units", reload.Frame{Line: 1, EndLine: 1, Col: 6, EndCol: 11, Source: `s = "🐍" + 1`}, span(0, 7, 12)},
		{"a point (SyntaxError) marks one character", reload.Frame{Line: 5, EndLine: 5, Col: 9, EndCol: 9, Source: "broken = (1,"}, span(4, 9, 10)},
		{"no end column", reload.Frame{Line: 1, EndLine: 1, Col: 0, EndCol: -1, Source: "x"}, span(0, 0, 1)},
		{"expression over two lines", reload.Frame{Line: 1, EndLine: 2, Col: 4, EndCol: 5, Source: "y = f("}, protocol.Range{Start: protocol.Position{Line: 0, Character: 4}, End: protocol.Position{Line: 1, Character: 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := frameRange(tt.frame); got != tt.want {
				t.Errorf("frameRange(%+v) = %v, want %v", tt.frame, got, tt.want)
			}
		})
	}
}

func TestExceptionDiagnostics(t *testing.T) {
	t.Parallel()
	lib := reload.Frame{Path: "/ws/lib.py", Line: 3, EndLine: 3, Col: 8, EndCol: 17, Function: "<module>", Source: "value = square(5)"}
	sq := reload.Frame{Path: "/ws/mymath.py", Line: 2, EndLine: 2, Col: 11, EndCol: 16, Function: "square", Source: "    return x / 0"}
	lib2 := reload.Frame{Path: "/ws/lib.py", Line: 7, EndLine: 7, Col: 4, EndCol: 13, Function: "helper", Source: "    square(1)"}
	numpy := reload.Frame{Path: "/usr/lib/python3/dist-packages/numpy/core.py", Line: 10, EndLine: 10, Col: -1, EndCol: -1, Function: "inner", Source: "raise ValueError"}
	inWorkspace := func(p string) bool { return strings.HasPrefix(p, "/ws/") }
	tests := []struct {
		name string
		exc  reload.Exception
		// want lists "file:line severity message [related files]" sorted by file then order.
		want []string
	}{
		{
			"error where raised, information where called",
			reload.Exception{Type: "ZeroDivisionError", Message: "division by zero", Frames: []reload.Frame{lib, sq}},
			[]string{
				"/ws/lib.py:3 Information called from here: ZeroDivisionError: division by zero [/ws/mymath.py]",
				"/ws/mymath.py:2 Error ZeroDivisionError: division by zero [/ws/lib.py]",
			},
		},
		{
			"library frames are skipped: the innermost workspace frame gets the error",
			reload.Exception{Type: "ValueError", Message: "bad", Frames: []reload.Frame{lib, numpy}},
			[]string{"/ws/lib.py:3 Error ValueError: bad []"},
		},
		{
			"two frames in one file both appear",
			reload.Exception{Type: "ZeroDivisionError", Message: "division by zero", Frames: []reload.Frame{lib, lib2, sq}},
			[]string{
				"/ws/lib.py:3 Information called from here: ZeroDivisionError: division by zero [/ws/lib.py /ws/mymath.py]",
				"/ws/lib.py:7 Information called from here: ZeroDivisionError: division by zero [/ws/lib.py /ws/mymath.py]",
				"/ws/mymath.py:2 Error ZeroDivisionError: division by zero [/ws/lib.py /ws/lib.py]",
			},
		},
		{
			"syntax error in an imported file points at it",
			reload.Exception{Type: "SyntaxError", Message: "invalid syntax", Frames: []reload.Frame{lib}, Syntax: &reload.Frame{Path: "/ws/mymath.py", Line: 1, EndLine: 1, Col: 3, EndCol: 4, Source: "def"}},
			[]string{
				"/ws/lib.py:3 Information called from here: SyntaxError: invalid syntax [/ws/mymath.py]",
				"/ws/mymath.py:1 Error SyntaxError: invalid syntax [/ws/lib.py]",
			},
		},
		{
			"nothing in the workspace: no diagnostics",
			reload.Exception{Type: "ValueError", Message: "bad", Frames: []reload.Frame{numpy}},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for u, diags := range exceptionDiagnostics(&tt.exc, inWorkspace) {
				for _, d := range diags {
					var related []string
					for _, r := range d.RelatedInformation {
						related = append(related, r.Location.URI.FsPath())
					}
					if src, _ := d.Source.Get(); src != "hotload" {
						t.Errorf("source = %q, want hotload", src)
					}
					got = append(got, fmt.Sprintf("%s:%d %s %s %v", u.FsPath(), d.Range.Start.Line+1, severity(d.Severity), message(d), related))
				}
			}
			slices.Sort(got)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func severity(s protocol.DiagnosticSeverity) string {
	switch s {
	case protocol.DiagnosticSeverityError:
		return "Error"
	case protocol.DiagnosticSeverityInformation:
		return "Information"
	}
	return fmt.Sprint(s)
}
