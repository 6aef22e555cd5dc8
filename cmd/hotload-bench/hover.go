package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// hoverFile is the module whose global the hover measurement shows.
const hoverFile = "hovered.py"

// hoverSource defines the global hovered: a small dict, whose repr is
// quick, so the figure is hotload's share of a hover.
const hoverSource = "settings = {'debug': True, 'workers': 4, 'hosts': ['a', 'b']}\n"

// hovers is how many hovers are timed: enough for a p99.
const hovers = 200

// measureHover loads hovered.py, then times textDocument/hover on its
// global `settings` from request to reply: the server asks the runtime's
// agent, whose reader thread hands the value to its inspect thread.
func measureHover(ctx context.Context, s *session) (Stats, error) {
	if _, _, err := saveAndAwait(ctx, s, hoverFile, hoverSource, ""); err != nil {
		return Stats{}, fmt.Errorf("load %s: %w", hoverFile, err)
	}
	params := &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(s.path(hoverFile))},
		Position:     protocol.Position{Line: 0, Character: 2},
	}}
	samples := make([]time.Duration, 0, hovers)
	for range hovers {
		callCtx, cancel := context.WithTimeout(ctx, eventTimeout)
		began := time.Now()
		h, err := s.lsp.Hover(callCtx, params)
		took := time.Since(began)
		cancel()
		if err != nil {
			return Stats{}, fmt.Errorf("hover: %w", s.why(err))
		}
		if h == nil {
			return Stats{}, fmt.Errorf("hover on settings in %s answered nothing", hoverFile)
		}
		if m, ok := h.Contents.(*protocol.MarkupContent); !ok || !strings.Contains(m.Value, "'workers': 4") {
			return Stats{}, fmt.Errorf("hover on settings in %s did not show its value: %#v", hoverFile, h.Contents)
		}
		samples = append(samples, took)
	}
	return summarize(samples), nil
}
