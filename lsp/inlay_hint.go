package lsp

import (
	"context"
	"strings"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// hintRunes bounds an inlay hint's label; the whole value is in its tooltip.
const hintRunes = 80

// shownResult is an evaluation result shown at a place in a document.
type shownResult struct {
	pos     protocol.Position
	label   string
	tooltip string
}

// InlayHint returns the evaluation results shown in the requested range.
// They last until the document changes.
func (s *server) InlayHint(ctx context.Context, params *protocol.InlayHintParams) ([]protocol.InlayHint, error) {
	s.resultsMu.Lock()
	defer s.resultsMu.Unlock()
	hints := []protocol.InlayHint{}
	yes := true
	for _, r := range s.results[params.TextDocument.URI] {
		if r.pos.Line < params.Range.Start.Line || r.pos.Line > params.Range.End.Line {
			continue
		}
		hints = append(hints, protocol.InlayHint{
			Position:    r.pos,
			Label:       protocol.String(r.label),
			PaddingLeft: &yes,
			Tooltip:     protocol.String(r.tooltip),
		})
	}
	return hints, nil
}

// showResult keeps an evaluation's result at pos in document u, replacing
// one shown on the same line, and asks the client to show it.
func (s *server) showResult(ctx context.Context, u uri.URI, pos protocol.Position, ev *evaluation) {
	label, tooltip := resultLabel(ev)
	s.resultsMu.Lock()
	kept := s.results[u][:0]
	for _, r := range s.results[u] {
		if r.pos.Line != pos.Line {
			kept = append(kept, r)
		}
	}
	s.results[u] = append(kept, shownResult{pos: pos, label: label, tooltip: tooltip})
	s.resultsMu.Unlock()

	s.stateMu.Lock()
	refresh := s.clientRefreshesHints
	s.stateMu.Unlock()
	if refresh {
		if err := s.client.InlayHintRefresh(ctx); err != nil {
			s.logger.Debug("inlay hint refresh", zap.Error(err))
		}
	}
}

// forgetResults drops the results shown in document u: its text changed.
func (s *server) forgetResults(u uri.URI) {
	s.resultsMu.Lock()
	delete(s.results, u)
	s.resultsMu.Unlock()
}

// resultLabel is how a result reads inline: "= 42", "✗ ZeroDivisionError: …"
// or "✓" for a statement, with the full text as the tooltip.
func resultLabel(ev *evaluation) (label, tooltip string) {
	switch {
	case ev.Error != nil:
		label, tooltip = "✗ "+lastLine(*ev.Error), *ev.Error
	case ev.Value != nil:
		label, tooltip = "= "+*ev.Value, *ev.Value
	default:
		label, tooltip = "✓", "ran"
	}
	if ev.Output != "" {
		tooltip = ev.Output + "\n" + tooltip
	}
	label = strings.Join(strings.Fields(label), " ") // one line
	if utf8.RuneCountInString(label) > hintRunes {
		label = string([]rune(label)[:hintRunes]) + "…"
	}
	return label, tooltip
}

// resultPosition is where a result of evaluating range r of text shows: at
// the end of its last line with code (a linewise selection ends at column 0
// of the next line).
func resultPosition(text string, r protocol.Range) protocol.Position {
	end := r.End
	if end.Character == 0 && end.Line > r.Start.Line {
		end.Line--
		end.Character = ^uint32(0) // the end of that line
	}
	off, err := offset(text, end)
	if err != nil {
		return r.End
	}
	lineStart := strings.LastIndexByte(text[:off], '\n') + 1
	return protocol.Position{Line: end.Line, Character: utf16Len(text[lineStart:off])}
}
