package lsp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hotload-dev/hotload/reload"
)

// FuzzTracebackDiagnostics feeds arbitrary frames and document text to the
// code that maps a Python traceback to diagnostics and editor positions.
// Frames come from the runtime, and the document from the editor, so neither
// is trusted: negative or huge lines and columns, an end before the start,
// invalid UTF-8 and paths outside the workspace must never panic, and every
// range sent to the editor must start before it ends. The seed corpus is in
// testdata/fuzz/FuzzTracebackDiagnostics; plain go test runs it.
func FuzzTracebackDiagnostics(f *testing.F) {
	f.Fuzz(func(t *testing.T, path string, line, endLine, col, endCol int, source string, syntax bool,
		text string, startLine, startChar, endLineSel, endChar uint32) {
		frame := reload.Frame{Path: path, Line: line, EndLine: endLine, Col: col, EndCol: endCol, Function: "f", Source: source}
		caller := frame
		caller.Path, caller.Function = "/ws/caller.py", "<module>"
		exc := &reload.Exception{Type: "ValueError", Message: "bad", Frames: []reload.Frame{caller, frame}}
		if syntax {
			exc.Syntax = &frame
		}
		res := &reload.Result{
			Module:    "m",
			Path:      "/ws/m.py",
			Exception: exc,
			HookError: &reload.Exception{Type: "RuntimeError", Frames: []reload.Frame{frame}},
			Warnings:  []reload.Warning{{Frame: frame, Category: "UserWarning", Message: "careful"}},
		}
		s := &server{folders: []string{"/ws"}}
		checkRanges(t, "resultDiagnostics", s.resultDiagnostics(res))

		// An evaluated selection: its frames are shifted from the dedented
		// code back to the document, then mapped like any other.
		r := protocol.Range{Start: protocol.Position{Line: startLine, Character: startChar}, End: protocol.Position{Line: endLineSel, Character: endChar}}
		for _, p := range []protocol.Position{r.Start, r.End} {
			if off, err := offset(text, p); err == nil && (off < 0 || off > len(text)) {
				t.Fatalf("offset(%q, %v) = %d, outside the text", text, p, off)
			}
		}
		_ = resultPosition(text, r) // must not panic
		selected, err := rangeText(text, r)
		if err != nil {
			return
		}
		if !strings.Contains(text, selected) {
			t.Fatalf("rangeText(%q, %v) = %q, not part of the text", text, r, selected)
		}
		code, indent := dedent(selected)
		if strings.Count(code, "\n") != strings.Count(selected, "\n") {
			t.Fatalf("dedent(%q) = %q: the lines changed", selected, code)
		}
		lineStart, _ := offset(text, protocol.Position{Line: r.Start.Line})
		start, _ := offset(text, r.Start)
		first := int(r.Start.Line) + 1
		shiftColumns(exc, text, path, first, first+strings.Count(selected, "\n"), utf8.RuneCountInString(text[lineStart:start]), utf8.RuneCountInString(indent))
		checkRanges(t, "shifted exceptionDiagnostics", exceptionDiagnostics(exc, func(string) bool { return true }))
	})
}

// checkRanges fails the test if a diagnostic, or a location it links to,
// ends before it starts: editors reject or misdraw such ranges.
func checkRanges(t *testing.T, what string, byFile map[uri.URI][]protocol.Diagnostic) {
	t.Helper()
	for u, diags := range byFile {
		for _, d := range diags {
			if before(d.Range.End, d.Range.Start) {
				t.Fatalf("%s: %s: range %v ends before it starts", what, u, d.Range)
			}
			for _, rel := range d.RelatedInformation {
				if r := rel.Location.Range; before(r.End, r.Start) {
					t.Fatalf("%s: %s: related location %v ends before it starts", what, u, r)
				}
			}
		}
	}
}

func before(a, b protocol.Position) bool {
	return a.Line < b.Line || (a.Line == b.Line && a.Character < b.Character)
}
