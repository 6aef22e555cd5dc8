package lsp

import (
	"context"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// serverState is where the server is in the LSP lifecycle.
type serverState int

const (
	serverCreated      serverState = iota // before initialize
	serverInitializing                    // initialize answered, initialized not yet received
	serverInitialized                     // serving
	serverShutDown                        // after shutdown: only exit is expected
)

func (s serverState) String() string {
	switch s {
	case serverCreated:
		return "created"
	case serverInitializing:
		return "initializing"
	case serverInitialized:
		return "initialized"
	case serverShutDown:
		return "shut down"
	}
	return "unknown"
}

// server implements protocol.Server for hotload. Handlers are thin: they
// check the lifecycle, then hand the work to the reload engine.
type server struct {
	protocol.UnimplementedServer

	conn   jsonrpc2.Conn
	client protocol.Client
	logger *zap.Logger
	// ctx is the server's lifetime: work that outlives a notification (a
	// reload started by a save) runs in it, never in the request's context.
	ctx    context.Context
	cancel context.CancelFunc

	stateMu              sync.Mutex // guards the fields below
	state                serverState
	folders              []string        // workspace folders, absolute paths
	resolvedFolders      []string        // folders[i] with its symbolic links resolved
	toldOutside          map[string]bool // Python files outside the folders whose save the user was told of
	initOptions          Settings
	clientConfigurable   bool          // the client answers workspace/configuration
	pushed               []byte        // the settings of the last didChangeConfiguration
	clientShowsResults   bool          // the client shows evaluation results itself
	clientRefreshesHints bool          // the client takes workspace/inlayHint/refresh
	clientWatchesFiles   bool          // the client registers file watchers dynamically
	notifications        Notifications // which messages become popups
	shutdownReceived     bool

	// configMu guards the fields below; it is held only for bookkeeping,
	// never while talking to the client or waiting for the runtime, except
	// that saves are queued in the engine under it, which does not block.
	configMu      sync.Mutex
	configWanted  uint64        // configuration passes asked for: initialized, each settings change
	configApplied uint64        // passes done: settings read, engine started or updated
	configuring   bool          // the configuration worker runs
	configDone    chan struct{} // closed and replaced each time configApplied grows
	pendingSaves  []string      // saves waiting for the configuration asked before them
	// configNewer is closed when a pass is asked for while one runs: a
	// runtime that pass is starting is then moot (replace.go).
	configNewer chan struct{}

	engineMu    sync.Mutex // guards the fields below
	engine      *reload.Engine
	settings    Settings
	engineReady chan struct{} // closed when the first engine exists (or the server closes)
	// incoming is the engine started for new settings while engine still
	// serves (replace.go); incomingDone is closed once it is in place or
	// closed.
	incoming     *reload.Engine
	incomingDone chan struct{}

	diagnosticsMu sync.Mutex // guards diagnostics
	// diagnostics holds, for each owner (a reload's module), the diagnostics
	// it published, by file. A file shows the union over owners.
	diagnostics map[string]map[uri.URI][]protocol.Diagnostic
	// failedWith holds, for each module whose last run failed, the files
	// of the user modules loaded when it did (see outdateFailures).
	failedWith map[string][]string

	docsMu sync.Mutex // guards docs
	docs   map[uri.URI]*document
	// prepares has the runtime compile a document's text once the user
	// pauses typing, ahead of its save (prepare.go).
	prepares *preparer
	// warms keeps the runtime warm between a document's willSave and its
	// didSave (warm.go).
	warms *warmer

	resultsMu sync.Mutex // guards results
	// results holds the evaluation results shown as inlay hints, by document.
	results map[uri.URI][]shownResult

	failuresMu sync.Mutex // guards failures
	// failures holds the running program's distinct failures, by key (see failures.go).
	failures map[string]*failureRecord

	statusMu sync.Mutex // guards status and orders its notifications
	status   status

	// progress shows long runs; it is set up by initialize, before any run.
	progress runProgress

	exitOnce sync.Once
	exited   chan struct{} // closed on the exit notification
}

func newServer(conn jsonrpc2.Conn, logger *zap.Logger) *server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{
		conn:        conn,
		client:      protocol.ClientDispatcher(conn),
		logger:      logger,
		ctx:         ctx,
		cancel:      cancel,
		engineReady: make(chan struct{}),
		configDone:  make(chan struct{}),
		diagnostics: make(map[string]map[uri.URI][]protocol.Diagnostic),
		docs:        make(map[uri.URI]*document),
		results:     make(map[uri.URI][]shownResult),
		failures:    make(map[string]*failureRecord),
		toldOutside: make(map[string]bool),
		exited:      make(chan struct{}),
	}
	s.prepares = newPreparer(s.prepareDocument)
	s.warms = newWarmer(s.warmDocument)
	return s
}

// currentEngine waits until the engine exists and returns it; nil if the
// server closed first or ctx ended.
func (s *server) currentEngine(ctx context.Context) *reload.Engine {
	select {
	case <-s.engineReady:
	case <-ctx.Done():
		return nil
	}
	s.engineMu.Lock()
	defer s.engineMu.Unlock()
	return s.engine
}

// engineNow returns the engine if it exists already, without waiting.
func (s *server) engineNow() *reload.Engine {
	select {
	case <-s.engineReady:
	default:
		return nil
	}
	s.engineMu.Lock()
	defer s.engineMu.Unlock()
	return s.engine
}

// close stops the engine and with it the Python process.
func (s *server) close() {
	s.cancel()
	s.prepares.stop()
	s.warms.stop()
	s.engineMu.Lock()
	e := s.engine
	s.engine = nil
	select {
	case <-s.engineReady:
	default:
		close(s.engineReady)
	}
	in, inDone := s.incoming, s.incomingDone
	s.engineMu.Unlock()
	if e != nil {
		_ = e.Close() // only ever reports success; the process is gone after it
	}
	if in != nil {
		// A runtime started for new settings: the start sees the server's
		// end and closes it; wait until its process is gone too.
		_ = in.Close()
		<-inDone
	}
}

func (s *server) exitedWithoutShutdown() bool {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	select {
	case <-s.exited:
		return !s.shutdownReceived
	default:
		return false
	}
}

// lifecycle returns the current state.
func (s *server) lifecycle() serverState {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return s.state
}
