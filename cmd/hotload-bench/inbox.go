package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// eventTimeout bounds every wait for the server. It is a guard against a
// broken server, not a performance claim: starting a runtime that imports
// numpy and pandas, or importing 500 modules, takes seconds on a slow machine.
const eventTimeout = 30 * time.Second

// methodStatus is hotload's own notification of the runtime's state.
const methodStatus = "hotload/status"

// methodResult is hotload's own notification of a reload's result.
const methodResult = "hotload/result"

// resultNote is the part of hotload/result the bench reads (see
// lsp/result.go).
type resultNote struct {
	Module string `json:"module"`
	// Prepared: the save ran code compiled from the editor's text before
	// the save (lsp/prepare.go).
	Prepared bool `json:"prepared"`
}

// status is the params of hotload/status (see lsp/status.go).
type status struct {
	State        string  `json:"state"` // starting, ready, running or dead
	Module       string  `json:"module,omitempty"`
	LastReloadMs float64 `json:"lastReloadMs,omitempty"`
	Pid          int     `json:"pid,omitempty"` // the runtime's; zero when none runs
	Message      string  `json:"message,omitempty"`
}

// received is one notification from the server and when it was read off
// the connection: latencies end there, not when a waiting goroutine wakes.
type received[T any] struct {
	At    time.Time
	Value T
}

// inbox is the client side of the session: it records what the server
// sends and lets the bench wait for it. Its handlers run on the
// connection's read goroutine, in the order the server sent.
type inbox struct {
	protocol.UnimplementedClient

	mu          sync.Mutex    // guards the fields below
	changed     chan struct{} // closed and replaced whenever something arrives
	messages    []received[protocol.ShowMessageParams]
	logs        []received[protocol.LogMessageParams]
	diagnostics []received[protocol.PublishDiagnosticsParams]
	statuses    []received[status]
	results     []received[resultNote]
	gone        error // why the server can no longer send; nil while it can
}

func newInbox() *inbox {
	return &inbox{changed: make(chan struct{})}
}

// mark is a position in the inbox: waits look at what arrived after it.
type mark struct{ messages, logs, diagnostics, statuses, results int }

// mark returns the current position.
func (in *inbox) mark() mark {
	in.mu.Lock()
	defer in.mu.Unlock()
	return mark{len(in.messages), len(in.logs), len(in.diagnostics), len(in.statuses), len(in.results)}
}

// preparedSince counts the hotload/result notifications after m of saves
// that ran code compiled before the save.
func (in *inbox) preparedSince(m mark) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, r := range in.results[min(m.results, len(in.results)):] {
		if r.Value.Prepared {
			n++
		}
	}
	return n
}

// add records v in *list and wakes the waiters.
func add[T any](in *inbox, list *[]received[T], v T) {
	at := time.Now()
	in.mu.Lock()
	defer in.mu.Unlock()
	*list = append(*list, received[T]{At: at, Value: v})
	close(in.changed)
	in.changed = make(chan struct{})
}

// closeWith makes every wait fail with err from now on: the server is gone.
func (in *inbox) closeWith(err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.gone == nil {
		in.gone = err
		close(in.changed)
		in.changed = make(chan struct{})
	}
}

// await waits until cond, called with in.mu held, returns true; for at most
// eventTimeout, and not after ctx ends or the server is gone.
func (in *inbox) await(ctx context.Context, what string, cond func() bool) error {
	timeout := time.NewTimer(eventTimeout)
	defer timeout.Stop()
	for {
		in.mu.Lock()
		ok, changed, gone := cond(), in.changed, in.gone
		in.mu.Unlock()
		switch {
		case ok:
			return nil
		case gone != nil:
			return fmt.Errorf("waiting for %s: %w", what, gone)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-timeout.C:
			return fmt.Errorf("timed out after %v waiting for %s; the server's last messages: %s", eventTimeout, what, in.recent())
		}
	}
}

// recent describes the last few messages and statuses, for errors.
func (in *inbox) recent() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var parts []string
	for _, m := range in.messages[max(0, len(in.messages)-3):] {
		parts = append(parts, fmt.Sprintf("showMessage %q", clip(m.Value.Message)))
	}
	for _, l := range in.logs[max(0, len(in.logs)-3):] {
		parts = append(parts, fmt.Sprintf("logMessage %q", clip(l.Value.Message)))
	}
	for _, s := range in.statuses[max(0, len(in.statuses)-3):] {
		parts = append(parts, fmt.Sprintf("status %+v", s.Value))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// clip shortens a message for an error: a traceback or a list of 100
// modules would drown the rest.
func clip(msg string) string {
	const most = 200
	if r := []rune(msg); len(r) > most {
		return string(r[:most]) + "…"
	}
	return msg
}

// awaitFirst waits for the first item of *list after index `after` that
// satisfies match and returns it.
func awaitFirst[T any](ctx context.Context, in *inbox, what string, list *[]received[T], after int, match func(T) bool) (received[T], error) {
	var found received[T]
	err := in.await(ctx, what, func() bool {
		for _, r := range (*list)[min(after, len(*list)):] {
			if match(r.Value) {
				found = r
				return true
			}
		}
		return false
	})
	return found, err
}

// awaitMessage waits for a showMessage after m that satisfies match.
func (in *inbox) awaitMessage(ctx context.Context, m mark, what string, match func(string) bool) (received[protocol.ShowMessageParams], error) {
	return awaitFirst(ctx, in, what, &in.messages, m.messages, func(p protocol.ShowMessageParams) bool { return match(p.Message) })
}

// awaitLog waits for a logMessage after m that satisfies match.
func (in *inbox) awaitLog(ctx context.Context, m mark, what string, match func(string) bool) (received[protocol.LogMessageParams], error) {
	return awaitFirst(ctx, in, what, &in.logs, m.logs, func(p protocol.LogMessageParams) bool { return match(p.Message) })
}

// awaitDiagnostics waits for a publishDiagnostics after m that satisfies match.
func (in *inbox) awaitDiagnostics(ctx context.Context, m mark, what string, match func(protocol.PublishDiagnosticsParams) bool) (received[protocol.PublishDiagnosticsParams], error) {
	return awaitFirst(ctx, in, what, &in.diagnostics, m.diagnostics, match)
}

// awaitStatus waits for a hotload/status after m that satisfies match.
func (in *inbox) awaitStatus(ctx context.Context, m mark, what string, match func(status) bool) (received[status], error) {
	return awaitFirst(ctx, in, what, &in.statuses, m.statuses, match)
}

// warnings returns the Error and Warning messages shown so far.
func (in *inbox) warnings() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var found []string
	for _, m := range in.messages {
		if m.Value.Type == protocol.MessageTypeError || m.Value.Type == protocol.MessageTypeWarning {
			found = append(found, m.Value.Message)
		}
	}
	return found
}

// runtimePid returns the pid of the runtime the latest status named, or 0.
func (in *inbox) runtimePid() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.statuses) == 0 {
		return 0
	}
	return in.statuses[len(in.statuses)-1].Value.Pid
}

// runtimePids returns every runtime pid a status has named, in order.
func (in *inbox) runtimePids() []int {
	in.mu.Lock()
	defer in.mu.Unlock()
	var pids []int
	for _, s := range in.statuses {
		if s.Value.Pid != 0 && !slices.Contains(pids, s.Value.Pid) {
			pids = append(pids, s.Value.Pid)
		}
	}
	return pids
}

func (in *inbox) ShowMessage(ctx context.Context, params *protocol.ShowMessageParams) error {
	add(in, &in.messages, *params)
	return nil
}

func (in *inbox) LogMessage(ctx context.Context, params *protocol.LogMessageParams) error {
	add(in, &in.logs, *params)
	return nil
}

func (in *inbox) PublishDiagnostics(ctx context.Context, params *protocol.PublishDiagnosticsParams) error {
	add(in, &in.diagnostics, *params)
	return nil
}

// hotloadNotification records hotload/status and hotload/result; other
// methods are unknown.
func (in *inbox) hotloadNotification(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	if req.Method() == methodResult {
		var r resultNote
		if err := json.Unmarshal(req.Params(), &r); err != nil {
			return nil, fmt.Errorf("%w: %s params: %v", jsonrpc2.ErrInvalidParams, methodResult, err)
		}
		add(in, &in.results, r)
		return nil, nil
	}
	if req.Method() != methodStatus {
		return jsonrpc2.MethodNotFoundHandler(ctx, req)
	}
	var st status
	if err := json.Unmarshal(req.Params(), &st); err != nil {
		return nil, fmt.Errorf("%w: %s params: %v", jsonrpc2.ErrInvalidParams, methodStatus, err)
	}
	add(in, &in.statuses, st)
	return nil, nil
}
