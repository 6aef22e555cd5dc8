package lsp

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap/zaptest"

	"github.com/hotload-dev/hotload/reload"
)

// newBareServer connects a server with no runtime to a fake editor, for
// what the server does with results and failures it is handed.
func newBareServer(t *testing.T) (*server, *fakeEditor) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	serverSide, clientSide := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	serverConn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(serverSide), jsonrpc2.WithCodec(Codec{}))
	s := newServer(serverConn, zaptest.NewLogger(t))
	s.folders = []string{dir}
	serverConn.Go(ctx, jsonrpc2.MethodNotFoundHandler)

	e := &fakeEditor{t: t, dir: dir, changed: make(chan struct{}), diagnostics: make(map[string][]protocol.Diagnostic)}
	conn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(clientSide), jsonrpc2.WithCodec(Codec{}))
	conn.Go(ctx, e.handler())
	e.conn = conn
	t.Cleanup(func() {
		cancel()
		s.cancel()
		conn.Close()
		serverConn.Close()
	})
	return s, e
}

// A save's success clears the running program's failures through the saved
// file that were reported before its run began; one reported since may be
// the run's own (a thread it started), and stays however late the run's
// result reaches the server.
func TestASaveClearsOnlyFailuresFromBeforeItsRun(t *testing.T) {
	tests := []struct {
		name       string
		beforeRun  bool   // the failure was reported before the run began
		failedFile string // the file the failure's traceback passes through
		wantKept   bool
	}{
		{name: "reported before the run, through the saved file", beforeRun: true, failedFile: "bg.py", wantKept: false},
		{name: "reported during the run, through the saved file", beforeRun: false, failedFile: "bg.py", wantKept: true},
		{name: "reported before the run, through another file", beforeRun: true, failedFile: "other.py", wantKept: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := newBareServer(t)
			failure := &reload.Failure{Origin: "thread", Where: "Thread-1", Exception: &reload.Exception{
				Type: "KeyError", Message: "'k'",
				Frames: []reload.Frame{{Path: e.path(tt.failedFile), Line: 4, EndLine: 4, Col: -1, EndCol: -1, Function: "work"}},
			}}
			var started time.Time
			if tt.beforeRun {
				s.reportFailure(failure)
				started = time.Now()
			} else {
				started = time.Now()
				s.reportFailure(failure)
			}
			e.awaitDiagnostics(tt.failedFile, "the failure", func(d []protocol.Diagnostic) bool { return len(d) == 1 })

			// Duration 0: the result is reported as late after the run as it
			// can be, relative to its length.
			s.reportReload(&reload.Result{Module: "bg", Path: e.path("bg.py"), Started: started, Reloaded: []string{"bg"}})
			e.awaitMessage(0, "bg reloaded")
			e.mu.Lock()
			kept := len(e.diagnostics[tt.failedFile]) == 1
			e.mu.Unlock()
			if kept != tt.wantKept {
				t.Errorf("failure kept = %v, want %v", kept, tt.wantKept)
			}
		})
	}
}
