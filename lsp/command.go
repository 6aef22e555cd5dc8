package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

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

// ExecuteCommand runs one of hotload's commands. Each first waits until the
// settings changes sent before it are applied, and the evaluations until
// the saves before them are reloaded: a command sees what the notifications
// before it did.
func (s *server) ExecuteCommand(ctx context.Context, params *protocol.ExecuteCommandParams) (protocol.LSPAny, error) {
	var e *reload.Engine
	if s.settled(ctx) {
		e = s.currentEngine(ctx)
	}
	if e == nil {
		return nil, stopped(ctx, params.Command, nil)
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
				s.log(ctx, protocol.MessageTypeInfo, "hotload: interrupt: nothing is running")
			}
			reply = map[string]bool{"interrupted": interrupted}
		}
	case commandRestartRuntime:
		if args := e.AppArgs(); args != nil {
			// The app is the runtime: restarting the runtime restarts it.
			_, err = s.restartApp(ctx, e, args)
			break
		}
		if err = e.Restart(ctx); err == nil {
			msg := fmt.Sprintf("hotload: runtime restarted (pid %d)", e.RuntimePid())
			s.show(ctx, protocol.MessageTypeInfo, msg)
			s.log(ctx, protocol.MessageTypeInfo, msg)
		}
	case commandStartApp, commandStopApp, commandRestartApp:
		reply, err = s.appCommand(ctx, e, params.Command, args)
	default:
		return nil, fmt.Errorf("%w: unknown command %q", jsonrpc2.ErrInvalidParams, params.Command)
	}
	if err != nil {
		return nil, stopped(ctx, params.Command, err)
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
		return nil, badParams(ctx, err)
	}
	return newEvaluation(res), nil
}

// evaluate runs code in the module's namespace and shows the outcome.
func (s *server) evaluate(ctx context.Context, e *reload.Engine, path, code string) (*evaluation, error) {
	if strings.TrimSpace(code) == "" {
		return nil, fmt.Errorf("%w: nothing to evaluate: the code is empty", jsonrpc2.ErrInvalidParams)
	}
	res, err := e.Evaluate(ctx, path, code)
	if err != nil {
		return nil, badParams(ctx, err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // cancelled: the code was interrupted, nothing to show
	}
	return s.reportEvaluation(ctx, res), nil
}

// stopped is the error of a command that could not finish: RequestCancelled
// (-32800) if the client cancelled it, InvalidRequest if the server is
// shutting down, else err as it is.
func stopped(ctx context.Context, command string, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %s was cancelled", protocol.ErrRequestCancelled, command)
	case err == nil:
		return fmt.Errorf("%w: %s: the server is shutting down", jsonrpc2.ErrInvalidRequest, command)
	}
	return err
}

// badParams marks err, which the engine returns for input it cannot take,
// as InvalidParams, unless the request was cancelled meanwhile.
func badParams(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%w: %w", jsonrpc2.ErrInvalidParams, err)
}

// evaluateSelection evaluates the text of range r in the document as the
// editor has it, dedented so an indented block runs on its own. The code is
// compiled as lines of the module's file, so an exception in it lands on
// the document's own lines; the result shows at the end of the range. An
// empty range takes its line, as the editors' commands do.
func (s *server) evaluateSelection(ctx context.Context, e *reload.Engine, path string, r protocol.Range) (*evaluation, error) {
	if r.Start == r.End {
		r = protocol.Range{Start: protocol.Position{Line: r.Start.Line}, End: protocol.Position{Line: r.Start.Line, Character: math.MaxUint32}}
	}
	u := uri.File(path)
	text, ok := s.documentText(u)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not open in the editor", jsonrpc2.ErrInvalidParams, path)
	}
	selected, err := rangeText(text, r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", jsonrpc2.ErrInvalidParams, err)
	}
	code, indent := dedent(selected)
	firstLine := int(r.Start.Line) + 1
	res, err := e.EvaluateLines(ctx, path, code, firstLine)
	if err != nil {
		return nil, badParams(ctx, err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if res.Exception != nil {
		start, _ := offset(text, protocol.Position{Line: r.Start.Line})
		startCol, _ := offset(text, r.Start)
		shiftColumns(res.Exception, text, path, firstLine, firstLine+strings.Count(selected, "\n"),
			utf8.RuneCountInString(text[start:startCol]), utf8.RuneCountInString(indent))
	}
	ev := s.reportEvaluation(ctx, res)
	s.showResult(ctx, u, resultPosition(text, r), ev)
	return ev, nil
}

// reportEvaluation shows what an evaluation did: its exception as
// diagnostics (replacing those of the module's previous evaluation), the
// traceback in the log, and a message unless the client shows results itself.
func (s *server) reportEvaluation(ctx context.Context, res *reload.Result) *evaluation {
	s.setDiagnostics(ctx, evaluationOwner(res.Module), s.resultDiagnostics(res))
	s.logSetAside(ctx, res)
	s.keepNotes(ctx, res)
	s.showNotes(ctx, res)
	ev := newEvaluation(res)
	// The log has the whole text; messages and inline results are cut.
	switch {
	case ev.Error != nil:
		s.log(ctx, protocol.MessageTypeError, *ev.Error)
	case ev.Value != nil:
		s.log(ctx, protocol.MessageTypeInfo, fmt.Sprintf("%s: %s =\n%s", res.Module, firstLine(res.Code), *ev.Value))
	}
	s.stateMu.Lock()
	shown := s.clientShowsResults
	s.stateMu.Unlock()
	if shown {
		return ev
	}
	label := firstLine(res.Code)
	if ev.Error != nil {
		s.show(ctx, protocol.MessageTypeError, fmt.Sprintf("%s: %s: %s", res.Module, label, firstLine(lastLine(*ev.Error))))
	} else {
		s.show(ctx, protocol.MessageTypeInfo, fmt.Sprintf("%s: %s%s", res.Module, label, strings.Replace(preview(res), ": ", " → ", 1)))
	}
	return ev
}

// evaluationOwner is the key an evaluation's diagnostics are kept under:
// apart from the module's reload, so each replaces only its own.
func evaluationOwner(module string) string { return "evaluate:" + module }

// shiftColumns moves the columns of exc's frames on lines first..last of
// path from the dedented selection back to the document, text: the
// selection started startCol code points into its first line, and indent
// was removed from every line. Such a frame's source line becomes the
// document's, which its columns now count in (the runtime read the
// dedented line).
func shiftColumns(exc *reload.Exception, text, path string, first, last, startCol, indent int) {
	shift := func(line, col int) int {
		switch {
		case col < 0 || line < first || line > last:
			return col
		case line == first:
			return col + startCol + indent
		default:
			return col + indent
		}
	}
	fix := func(f *reload.Frame) {
		if f.Path != path {
			return
		}
		f.Col, f.EndCol = shift(f.Line, f.Col), shift(f.EndLine, f.EndCol)
		if f.Line >= first && f.Line <= last {
			f.Source = documentLine(text, f.Line-1)
		}
	}
	for i := range exc.Frames {
		fix(&exc.Frames[i])
	}
	if exc.Syntax != nil {
		fix(exc.Syntax)
	}
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
