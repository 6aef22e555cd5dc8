package lsp

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

const diagnosticSource = "hotload"

// exceptionDiagnostics maps an exception to diagnostics on every file of its
// traceback that inWorkspace accepts: an Error where it was raised (the
// innermost such frame) and an Information on each outer frame, each linking
// the rest of the chain through relatedInformation.
func exceptionDiagnostics(exc *reload.Exception, inWorkspace func(string) bool) map[uri.URI][]protocol.Diagnostic {
	var chain []reload.Frame // outermost first
	for _, f := range exc.Frames {
		if inWorkspace(f.Path) {
			chain = append(chain, f)
		}
	}
	if exc.Syntax != nil && inWorkspace(exc.Syntax.Path) {
		chain = append(chain, *exc.Syntax)
	}
	if len(chain) == 0 {
		return nil
	}
	summary := exc.Summary()
	innermost := len(chain) - 1
	labels := make([]string, len(chain))
	for i, f := range chain {
		switch {
		case i == innermost && exc.Syntax != nil:
			labels[i] = summary
		case i == innermost:
			labels[i] = fmt.Sprintf("%s raised in %s", exc.Type, f.Function)
		default:
			labels[i] = fmt.Sprintf("%s calls %s", f.Function, chain[i+1].Function)
		}
	}
	out := make(map[uri.URI][]protocol.Diagnostic)
	for i, f := range chain {
		d := protocol.Diagnostic{
			Range:    frameRange(f),
			Severity: protocol.DiagnosticSeverityInformation,
			Source:   protocol.NewOptional(diagnosticSource),
			Message:  protocol.String("called from here: " + summary),
		}
		if i == innermost {
			d.Severity = protocol.DiagnosticSeverityError
			d.Message = protocol.String(summary)
		}
		for j, other := range chain {
			if j != i {
				d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
					Location: protocol.Location{URI: fileURI(other.Path), Range: frameRange(other)},
					Message:  labels[j],
				})
			}
		}
		u := fileURI(f.Path)
		out[u] = append(out[u], d)
	}
	return out
}

// fileURI is the URI of a file a traceback names (see fileURIFor).
func fileURI(path string) uri.URI {
	return fileURIFor(hostPlatform(), path)
}

// frameRange is the range a frame points at, in UTF-16 code units: the
// failing expression where Python gave columns, else the line's text.
// Numbers past what a position holds are capped, and an end before the start
// counts as no end, so the range never ends before it starts: editors reject
// such a range.
func frameRange(f reload.Frame) protocol.Range {
	line := clampUint32(max(f.Line, 1) - 1)
	if f.Col < 0 {
		start := len(f.Source) - len(strings.TrimLeftFunc(f.Source, unicode.IsSpace))
		return protocol.Range{
			Start: protocol.Position{Line: line, Character: utf16Len(f.Source[:start])},
			End:   protocol.Position{Line: line, Character: utf16Len(f.Source)},
		}
	}
	start := protocol.Position{Line: line, Character: utf16Col(f.Source, f.Col)}
	end := start
	switch {
	case f.EndCol < 0 || f.EndLine < f.Line || (f.EndLine == f.Line && f.EndCol <= f.Col):
		// No end, or an empty span (a SyntaxError at one point): mark one character.
		end.Character = start.Character + 1
	case f.EndLine == f.Line:
		end.Character = utf16Col(f.Source, f.EndCol)
	default:
		// The end lies on a later line whose text we do not have; code
		// points equal UTF-16 units there unless it holds astral characters.
		end = protocol.Position{Line: clampUint32(f.EndLine - 1), Character: clampUint32(f.EndCol)}
	}
	if end.Line < start.Line || (end.Line == start.Line && end.Character < start.Character) {
		end = start // capped numbers met (or start.Character+1 wrapped)
	}
	return protocol.Range{Start: start, End: end}
}

// utf16Col converts a code point column on line into UTF-16 code units.
// Columns past the end of the line count one unit each.
func utf16Col(line string, col int) uint32 {
	units := 0
	for _, r := range line {
		if col == 0 {
			return uint32(units)
		}
		units += utf16.RuneLen(r)
		col--
	}
	if col > math.MaxUint32-units {
		return math.MaxUint32
	}
	return uint32(units + col)
}

// clampUint32 caps n to the range of an LSP line or character number.
func clampUint32(n int) uint32 {
	return uint32(min(max(n, 0), math.MaxUint32))
}

func utf16Len(s string) uint32 {
	return utf16Col(s, utf8.RuneCountInString(s))
}

// setDiagnostics replaces the diagnostics owned by owner (a reload's module)
// and publishes every file whose diagnostics changed, including files the
// owner's previous diagnostics touched and the new ones do not.
func (s *server) setDiagnostics(ctx context.Context, owner string, byFile map[uri.URI][]protocol.Diagnostic) {
	s.diagnosticsMu.Lock()
	defer s.diagnosticsMu.Unlock()
	old := s.diagnostics[owner]
	if len(old) == 0 && len(byFile) == 0 {
		return
	}
	if len(byFile) == 0 {
		delete(s.diagnostics, owner)
	} else {
		s.diagnostics[owner] = byFile
	}
	touched := make(map[uri.URI]bool)
	for u := range old {
		touched[u] = true
	}
	for u := range byFile {
		touched[u] = true
	}
	for u := range touched {
		s.publishLocked(ctx, u)
	}
}

// addDiagnostic adds d to owner's diagnostics on u, unless it says the
// same as one there already.
func (s *server) addDiagnostic(ctx context.Context, owner string, u uri.URI, d protocol.Diagnostic) {
	s.diagnosticsMu.Lock()
	defer s.diagnosticsMu.Unlock()
	byFile := s.diagnostics[owner]
	if byFile == nil {
		byFile = make(map[uri.URI][]protocol.Diagnostic)
		s.diagnostics[owner] = byFile
	}
	before := len(byFile[u])
	byFile[u] = appendNew(byFile[u], []protocol.Diagnostic{d})
	if len(byFile[u]) != before {
		s.publishLocked(ctx, u)
	}
}

// clearOwners takes off the diagnostics of every owner whose name starts
// with prefix.
func (s *server) clearOwners(ctx context.Context, prefix string) {
	s.diagnosticsMu.Lock()
	var owners []string
	for owner := range s.diagnostics {
		if strings.HasPrefix(owner, prefix) {
			owners = append(owners, owner)
		}
	}
	s.diagnosticsMu.Unlock()
	for _, owner := range owners {
		s.setDiagnostics(ctx, owner, nil)
	}
}

// publishLocked sends the union of all owners' diagnostics for file u.
// Owners are visited in name order so the result does not depend on map order.
func (s *server) publishLocked(ctx context.Context, u uri.URI) {
	diags := []protocol.Diagnostic{}
	owners := make([]string, 0, len(s.diagnostics))
	for owner := range s.diagnostics {
		owners = append(owners, owner)
	}
	slices.Sort(owners)
	for _, owner := range owners {
		diags = appendNew(diags, s.diagnostics[owner][u])
	}
	if err := s.client.PublishDiagnostics(ctx, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}); err != nil {
		s.logger.Warn("publish diagnostics", zap.String("file", filepath.Base(u.FsPath())), zap.Error(err))
	}
}

// appendNew appends the diagnostics of more that diags does not have yet.
// A save and an evaluation that fail the same way report the same problem
// once: twice, an editor counts two errors and lists one.
func appendNew(diags, more []protocol.Diagnostic) []protocol.Diagnostic {
	for _, d := range more {
		if !slices.ContainsFunc(diags, func(have protocol.Diagnostic) bool { return sameProblem(have, d) }) {
			diags = append(diags, d)
		}
	}
	return diags
}

// sameProblem reports whether two diagnostics say the same thing at the same
// place; the traceback chains they link to may differ.
func sameProblem(a, b protocol.Diagnostic) bool {
	return a.Range == b.Range && a.Severity == b.Severity && a.Message == b.Message && a.Source == b.Source
}
