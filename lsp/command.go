package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hotload-dev/hotload/reload"
)

// commandEvaluateSelection evaluates a range of a document; see DESIGN.md.
const commandEvaluateSelection = "hotload.evaluateSelection"

// evaluation is the reply of the evaluate commands: value is a repr (nil for
// None or a statement), error a traceback or failure (nil when none).
type evaluation struct {
	Module string  `json:"module"`
	Value  *string `json:"value"`
	Output string  `json:"output"`
	Error  *string `json:"error"`
}

func (s *server) ExecuteCommand(ctx context.Context, params *protocol.ExecuteCommandParams) (protocol.LSPAny, error) {
	if st := s.lifecycle(); st != serverInitialized {
		return nil, fmt.Errorf("%w: %s while the server is %v", errNotInitialized, params.Command, st)
	}
	e := s.currentEngine(ctx)
	if e == nil {
		return nil, fmt.Errorf("%w: %s: the server is shutting down", jsonrpc2.ErrInvalidRequest, params.Command)
	}
	args := params.Arguments
	var reply any
	var err error
	switch params.Command {
	case commandEvaluateModule:
		var path string
		if path, err = fileArg(args, 0, 1); err == nil {
			reply, err = s.evaluateModule(ctx, e, path)
		}
	case commandEvaluate:
		var path, code string
		if path, err = fileArg(args, 0, 2); err == nil {
			if err = decodeArg(args, 1, &code); err == nil {
				reply, err = s.evaluate(ctx, e, path, code)
			}
		}
	case commandEvaluateSelection:
		var path string
		var r protocol.Range
		if path, err = fileArg(args, 0, 2); err == nil {
			if err = decodeArg(args, 1, &r); err == nil {
				reply, err = s.evaluateSelection(ctx, e, path, r)
			}
		}
	case commandInterruptRuntime:
		var interrupted bool
		if interrupted, err = e.Interrupt(ctx); err == nil {
			if !interrupted {
				s.show(ctx, protocol.MessageTypeInfo, "hotload: nothing is running")
			}
			reply = map[string]bool{"interrupted": interrupted}
		}
	case commandRestartRuntime:
		if err = e.Restart(ctx); err == nil {
			s.show(ctx, protocol.MessageTypeInfo, fmt.Sprintf("hotload: runtime restarted (pid %d)", e.RuntimePid()))
		}
	default:
		return nil, fmt.Errorf("%w: unknown command %q", jsonrpc2.ErrInvalidParams, params.Command)
	}
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(reply)
	if err != nil {
		return nil, fmt.Errorf("%s: encode reply: %w", params.Command, err)
	}
	return protocol.LSPAny(data), nil
}

// evaluateModule reloads the module now; the engine reports it like a save.
// Unlike a save it accepts files outside the workspace: the user asked.
func (s *server) evaluateModule(ctx context.Context, e *reload.Engine, path string) (*evaluation, error) {
	res, err := e.Reload(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", jsonrpc2.ErrInvalidParams, err)
	}
	return newEvaluation(res), nil
}

// evaluate runs code in the module's namespace and shows the outcome.
func (s *server) evaluate(ctx context.Context, e *reload.Engine, path, code string) (*evaluation, error) {
	res, err := e.Evaluate(ctx, path, code)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", jsonrpc2.ErrInvalidParams, err)
	}
	ev := newEvaluation(res)
	if ev.Error != nil {
		s.log(ctx, protocol.MessageTypeError, *ev.Error)
	}
	s.stateMu.Lock()
	shown := s.clientShowsResults
	s.stateMu.Unlock()
	if shown {
		return ev, nil
	}
	label := firstLine(code)
	if ev.Error != nil {
		s.show(ctx, protocol.MessageTypeError, fmt.Sprintf("%s: %s: %s", res.Module, label, firstLine(lastLine(*ev.Error))))
	} else {
		s.show(ctx, protocol.MessageTypeInfo, fmt.Sprintf("%s: %s%s", res.Module, label, strings.Replace(preview(res), ": ", " → ", 1)))
	}
	return ev, nil
}

// evaluateSelection evaluates the text of range r in the document as the
// editor has it (or the file on disk when it is not open), dedented so an
// indented block runs on its own.
func (s *server) evaluateSelection(ctx context.Context, e *reload.Engine, path string, r protocol.Range) (*evaluation, error) {
	text, ok := s.documentText(uri.File(path))
	if !ok {
		return nil, fmt.Errorf("%w: %s is not open in the editor", jsonrpc2.ErrInvalidParams, path)
	}
	code, err := rangeText(text, r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", jsonrpc2.ErrInvalidParams, err)
	}
	ev, err := s.evaluate(ctx, e, path, dedent(code))
	if err == nil {
		s.showResult(ctx, uri.File(path), resultPosition(text, r), ev)
	}
	return ev, err
}

func newEvaluation(res *reload.Result) *evaluation {
	ev := &evaluation{Module: res.Module, Value: res.Value, Output: res.Output}
	switch {
	case res.Exception != nil:
		ev.Error = &res.Exception.Text
	case res.Err != nil:
		msg := describeFailure(res.Err)
		ev.Error = &msg
	}
	return ev
}

// fileArg decodes args[i] as a file URI and checks there are n arguments.
func fileArg(args []protocol.LSPAny, i, n int) (string, error) {
	if len(args) != n {
		return "", fmt.Errorf("%w: want %d arguments, got %d", jsonrpc2.ErrInvalidParams, n, len(args))
	}
	var raw string
	if err := decodeArg(args, i, &raw); err != nil {
		return "", err
	}
	u, err := uri.Parse(raw)
	if err != nil || !u.IsFile() {
		return "", fmt.Errorf("%w: argument %d: want a file URI, got %q", jsonrpc2.ErrInvalidParams, i+1, raw)
	}
	path, ok := pythonFile(u)
	if !ok {
		return "", fmt.Errorf("%w: %s is not a Python file", jsonrpc2.ErrInvalidParams, path)
	}
	return path, nil
}

func decodeArg(args []protocol.LSPAny, i int, dst any) error {
	if err := json.Unmarshal(args[i], dst); err != nil {
		return fmt.Errorf("%w: argument %d: %v", jsonrpc2.ErrInvalidParams, i+1, err)
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
