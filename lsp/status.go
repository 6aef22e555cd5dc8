package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// methodStatus is hotload's own notification of the runtime's state, for
// status bars. Clients that do not know it ignore it.
const methodStatus = "hotload/status"

// Runtime states as the status notification names them.
const (
	stateStarting = "starting" // a runtime is being started
	stateReady    = "ready"    // a runtime waits for work
	stateRunning  = "running"  // code runs in the runtime
	stateDead     = "dead"     // the runtime died or could not start
)

// status is the params of hotload/status. Fields other than State keep
// their last known value: a "running" status still says the last reload time.
type status struct {
	State string `json:"state"`
	// Module is the module running now, or that ran last.
	Module string `json:"module,omitempty"`
	// LastReloadMs is how long the last run took, in milliseconds; zero
	// (left out) when nothing ran, as after a SyntaxError.
	LastReloadMs float64 `json:"lastReloadMs,omitempty"`
	// LastError is the one-line failure of the last run (an exception's
	// last traceback line, or why the code could not finish); empty when
	// it ran to the end, so a client never shows success after a failure.
	LastError string `json:"lastError,omitempty"`
	// Pid is the runtime's process id; zero when none runs.
	Pid int `json:"pid,omitempty"`
	// Message says why the runtime is dead.
	Message string `json:"message,omitempty"`
	// App is "running", "stopped" or "exited" once an app was started;
	// AppPid its pid while it runs, AppMessage how it exited (see app.go).
	App        string `json:"app,omitempty"`
	AppPid     int    `json:"appPid,omitempty"`
	AppMessage string `json:"appMessage,omitempty"`
	// appEnded is the pid of the last app that ended, so a start reported
	// after its app already exited (a program that ends at once) does not
	// mark it running again. Not sent.
	appEnded int
	// noRuntime says LastError is that no runtime could start to run the
	// code, which a runtime that starts makes moot. Not sent.
	noRuntime bool
}

// setStatus changes the status with update and tells the client.
func (s *server) setStatus(update func(*status)) {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	update(&s.status)
	if s.status.State != stateDead {
		s.status.Message = ""
	}
	data, err := json.Marshal(s.status)
	if err != nil {
		s.logger.Error("encode status", zap.Error(err))
		return
	}
	// Sent under statusMu so that clients see the states in order.
	if err := s.conn.Notify(s.ctx, methodStatus, jsonrpc2.RawMessage(data)); err != nil {
		s.logger.Debug("status", zap.Error(err))
	}
}

// runStatus follows code as it starts and finishes running.
func (s *server) runStatus(module string, res *reload.Result) {
	if res == nil {
		s.progress.started(module)
	} else {
		s.progress.finished()
	}
	// A run that killed the runtime is followed by a fresh one at once; if
	// that one is up already, its "ready" must not be overwritten.
	restarted := false
	if e := s.engineNow(); e != nil && res != nil && res.Err != nil {
		restarted = e.RuntimePid() != 0
	}
	s.setStatus(func(st *status) {
		st.Module = module
		switch {
		case res == nil:
			st.State = stateRunning
		case res.Err != nil && !restarted && !errors.Is(res.Err, context.Canceled):
			st.State, st.Pid, st.Message = stateDead, 0, describeFailure(res.Err)
		default:
			st.State = stateReady
			st.LastReloadMs = float64(res.Duration) / float64(time.Millisecond)
			if ranNothing(res) {
				st.LastReloadMs = 0
			}
		}
		st.LastError = runError(res)
		st.noRuntime = res != nil && res.Err != nil && reload.Explain(res.Err) != ""
	})
}

// runError is the one-line failure of a finished run, or "" if it ran to
// the end (or has not finished: res is nil).
func runError(res *reload.Result) string {
	switch {
	case res == nil:
		return ""
	case res.Exception != nil:
		return res.Exception.Summary() + where(res.Exception)
	case res.Err != nil && !errors.Is(res.Err, context.Canceled):
		return describeFailure(res.Err)
	}
	return ""
}

// ranNothing reports whether a failed run never started the user's code:
// a SyntaxError raised while compiling it, with no frame of the user's
// code on the way (a SyntaxError from an import the code ran has one).
func ranNothing(res *reload.Result) bool {
	exc := res.Exception
	return exc != nil && exc.Syntax != nil && len(exc.Frames) == 0
}
