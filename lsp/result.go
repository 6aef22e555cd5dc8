package lsp

import (
	"encoding/json"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// methodResult is hotload's own notification of a reload's result (a save
// or hotload.evaluateModule), for clients that show it in their own way, as
// the VS Code extension does after the module's last line. It is sent
// whatever the notifications setting says; clients that do not know it
// ignore it.
const methodResult = "hotload/result"

// result is the params of hotload/result.
type result struct {
	URI    uri.URI `json:"uri"`
	Module string  `json:"module"`
	// OK reports that the module (and the importers re-run after it) ran
	// to the end.
	OK bool `json:"ok"`
	// Ran is false when nothing ran: a SyntaxError stopped the code before
	// it started, or the runtime was not there to run it.
	Ran bool `json:"ran"`
	// DurationMs is how long the run took, in milliseconds; zero if it did
	// not run.
	DurationMs float64 `json:"durationMs"`
	// Value is the repr of the module's last top-level expression; nil for
	// None, a statement, or a failed run.
	Value *string `json:"value"`
	// Output is the first lines of what the code printed (the log has all).
	Output string `json:"output"`
	// Error is the failure in one line, with the file and line; nil if OK.
	Error *string `json:"error"`
	// Reloaded lists the modules that ran: the module, then its importers.
	Reloaded []string `json:"reloaded"`
	// Prepared reports that the save ran code the runtime had compiled
	// from the editor's text before the save, the file's very bytes.
	Prepared bool `json:"prepared,omitempty"`
}

// newResult describes a reload's result for hotload/result.
func newResult(res *reload.Result) result {
	r := result{
		URI:      fileURI(res.Path),
		Module:   res.Module,
		OK:       res.OK() && res.HookError == nil,
		Ran:      res.Err == nil && !ranNothing(res),
		Value:    res.Value,
		Output:   outputPreview(res.Output),
		Reloaded: res.Reloaded,
		Prepared: res.Prepared,
	}
	if r.Ran {
		r.DurationMs = float64(res.Duration) / float64(time.Millisecond)
	}
	if e := runError(res); e != "" {
		r.Error = &e
	} else if h := res.HookError; h != nil {
		e := "afterReload raised " + h.Summary() + where(h)
		r.Error = &e
	}
	if r.Reloaded == nil {
		r.Reloaded = []string{}
	}
	return r
}

// sendResult sends hotload/result; a failure only means the client is gone.
func (s *server) sendResult(res *reload.Result) {
	data, err := json.Marshal(newResult(res))
	if err != nil {
		s.logger.Error("encode result", zap.Error(err))
		return
	}
	if err := s.conn.Notify(s.ctx, methodResult, jsonrpc2.RawMessage(data)); err != nil {
		s.logger.Debug("result", zap.Error(err))
	}
}
