package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/tools/txtar"

	"github.com/hotload-dev/hotload/reload"
)

// waitTimeout bounds every expectation. It is a deadlock guard, not a
// performance claim: the machines tests run on are shared and slow at times.
const waitTimeout = 30 * time.Second

// fakeEditor is the client side of an LSP session with the real server over
// an in-process pipe. It records what the server sends and answers
// workspace/configuration with the settings it was given.
type fakeEditor struct {
	protocol.UnimplementedClient
	t      testing.TB
	dir    string // the workspace folder
	server protocol.Server
	conn   jsonrpc2.Conn
	served chan error // receives Serve's result

	mu          sync.Mutex // guards the fields below
	changed     chan struct{}
	diagnostics map[string][]protocol.Diagnostic // by workspace-relative path
	shown       []protocol.ShowMessageParams
	logs        []protocol.LogMessageParams
	statuses    []status
	results     []result // hotload/result notifications
	refreshes   int      // workspace/inlayHint/refresh requests
	config      json.RawMessage
	// configGate, if not nil, holds workspace/configuration answers until
	// it is closed.
	configGate chan struct{}
	// capabilities, if not nil, changes the client capabilities sent.
	capabilities  func(*protocol.ClientCapabilities)
	registrations []protocol.Registration // client/registerCapability requests
	progress      progressLog             // work done progress, in order
	// serverLogs records what the server logs, debug entries included.
	serverLogs *observer.ObservedLogs
	version    int32 // of the documents the editor changes
}

// newEditor writes the txtar workspace into a temp folder and starts a server
// connected to a fake editor. Initialize is up to the test.
func newEditor(t testing.TB, workspace string) *fakeEditor {
	t.Helper()
	dir := t.TempDir()
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range txtar.Parse([]byte(workspace)).Files {
		writeFile(t, filepath.Join(dir, f.Name), string(f.Data))
	}
	e := &fakeEditor{
		t:           t,
		dir:         dir,
		served:      make(chan error, 1),
		changed:     make(chan struct{}),
		diagnostics: make(map[string][]protocol.Diagnostic),
	}
	serverSide, clientSide := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	observed, serverLogs := observer.New(zap.DebugLevel)
	e.serverLogs = serverLogs
	logger := zaptest.NewLogger(t, zaptest.WrapOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewTee(c, observed)
	})))
	if _, ok := t.(*testing.B); ok {
		logger = zap.NewNop() // debug logs of every reload would be measured too
	}
	go func() { e.served <- Serve(ctx, serverSide, logger) }()
	conn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(clientSide), jsonrpc2.WithCodec(Codec{}))
	conn.Go(ctx, e.handler())
	e.server, e.conn = protocol.ServerDispatcher(conn), conn
	t.Cleanup(func() {
		cancel()
		conn.Close()
		select {
		case <-e.served:
		case <-time.After(waitTimeout):
			t.Error("Serve did not return after the connection closed")
		}
	})
	return e
}

// handler is the fake editor's side of the connection: protocol.Client's
// methods plus hotload's own notifications. Like a real editor, it takes
// notifications one at a time in the order the server sent them (a
// reload's summary before its notes); protocol.Handlers would run each in
// its own goroutine, in any order. The server's requests run concurrently,
// as they may block (configGate).
func (e *fakeEditor) handler() jsonrpc2.Handler {
	return ordered(protocol.ClientHandler(e, e.hotloadNotification))
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// initialize runs the initialize handshake with initializationOptions opts
// (nil for none) and waits until the runtime is ready or failed to start.
func (e *fakeEditor) initialize(opts any) *protocol.InitializeResult {
	e.t.Helper()
	return e.initializeWith(opts, nil)
}

// initializeWith is initialize with experimental client capabilities.
func (e *fakeEditor) initializeWith(opts any, experimental []byte) *protocol.InitializeResult {
	e.t.Helper()
	params := &protocol.InitializeParams{}
	params.Capabilities.Experimental = experimental
	params.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(e.dir), Name: "ws"}})
	yes := true
	params.Capabilities.Workspace = &protocol.WorkspaceClientCapabilities{
		Configuration: &yes,
		InlayHint:     &protocol.InlayHintWorkspaceClientCapabilities{RefreshSupport: &yes},
	}
	if e.capabilities != nil {
		e.capabilities(&params.Capabilities)
	}
	if opts != nil {
		data, err := json.Marshal(opts)
		if err != nil {
			e.t.Fatal(err)
		}
		params.InitializationOptions = data
	}
	res, err := e.server.Initialize(context.Background(), params)
	if err != nil {
		e.t.Fatalf("initialize: %v", err)
	}
	if err := e.server.Initialized(context.Background(), &protocol.InitializedParams{}); err != nil {
		e.t.Fatalf("initialized: %v", err)
	}
	return res
}

// waitReady waits for the runtime's ready message and returns its pid.
func (e *fakeEditor) waitReady() int {
	e.t.Helper()
	re := regexp.MustCompile(`Python ready in .* \(pid (\d+),`)
	var pid int
	e.await("the runtime to be ready", func() bool {
		for _, l := range e.logs {
			if m := re.FindStringSubmatch(l.Message); m != nil {
				pid, _ = strconv.Atoi(m[1])
				return true
			}
		}
		return false
	})
	return pid
}

func (e *fakeEditor) path(rel string) string { return filepath.Join(e.dir, rel) }
func (e *fakeEditor) uri(rel string) uri.URI { return uri.File(e.path(rel)) }

// moduleName is the name the server gives the workspace file rel, as its
// messages say: a folder without __init__.py is not a package to it, where
// code may import app/utils.py as app.utils, a namespace package's.
func (e *fakeEditor) moduleName(rel string) string {
	e.t.Helper()
	mod, err := reload.NewLayout([]string{e.dir}, nil).ModuleFor(e.path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	return mod.Name
}

// open sends didOpen with the file's content on disk.
func (e *fakeEditor) open(rel string) {
	e.t.Helper()
	data, err := os.ReadFile(e.path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.server.DidOpen(context.Background(), &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: e.uri(rel), LanguageID: "python", Version: 1, Text: string(data)},
	}); err != nil {
		e.t.Fatal(err)
	}
}

// save writes content to the file, as an editor does, and sends didSave.
func (e *fakeEditor) save(rel, content string) {
	e.t.Helper()
	writeFile(e.t, e.path(rel), content)
	if err := e.server.DidSave(context.Background(), &protocol.DidSaveTextDocumentParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(rel)},
	}); err != nil {
		e.t.Fatal(err)
	}
}

// willSave sends willSave for rel, as an editor does before it writes the
// file of a save.
func (e *fakeEditor) willSave(rel string) {
	e.t.Helper()
	if err := e.server.WillSave(context.Background(), &protocol.WillSaveTextDocumentParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(rel)},
		Reason:       protocol.TextDocumentSaveReasonManual,
	}); err != nil {
		e.t.Fatal(err)
	}
}

// change sends didChange with the whole new text of rel, unsaved.
func (e *fakeEditor) change(rel, text string) {
	e.t.Helper()
	e.mu.Lock()
	e.version++
	version := e.version
	e.mu.Unlock()
	if err := e.server.DidChange(context.Background(), &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: e.uri(rel)}, Version: version},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}},
	}); err != nil {
		e.t.Fatal(err)
	}
}

// awaitPrepared waits until the server has had the runtime compile rel's
// text ahead of its save, and returns whether the runtime kept the code.
func (e *fakeEditor) awaitPrepared(rel string) bool {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		for _, entry := range e.serverLogs.TakeAll() {
			if fields := entry.ContextMap(); entry.Message == "prepared" && fields["path"] == e.path(rel) {
				return fields["kept"] == true
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("timed out waiting for %s to be prepared", rel)
	return false
}

// command runs workspace/executeCommand and decodes the reply into reply.
func (e *fakeEditor) command(name string, reply any, args ...any) error {
	e.t.Helper()
	params := &protocol.ExecuteCommandParams{Command: name}
	for _, a := range args {
		data, err := json.Marshal(a)
		if err != nil {
			e.t.Fatal(err)
		}
		params.Arguments = append(params.Arguments, data)
	}
	res, err := e.server.ExecuteCommand(context.Background(), params)
	if err != nil {
		return err
	}
	if reply != nil {
		if err := json.Unmarshal(res, reply); err != nil {
			e.t.Fatalf("%s reply %s: %v", name, res, err)
		}
	}
	return nil
}

// await blocks until cond, evaluated with e.mu held, is true.
func (e *fakeEditor) await(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		e.mu.Lock()
		ok, changed := cond(), e.changed
		e.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			e.mu.Lock()
			defer e.mu.Unlock()
			e.t.Fatalf("timed out waiting for %s\nmessages: %v\nlogs: %v\ndiagnostics: %v\nstatuses: %v", what, e.shown, e.logs, e.diagnostics, e.statuses)
		}
	}
}

// awaitMessage waits for a showMessage containing substr, after the first
// `after` messages, and returns it.
func (e *fakeEditor) awaitMessage(after int, substr string) protocol.ShowMessageParams {
	e.t.Helper()
	var found protocol.ShowMessageParams
	e.await(fmt.Sprintf("a message containing %q", substr), func() bool {
		for _, m := range e.shown[min(after, len(e.shown)):] {
			if strings.Contains(m.Message, substr) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// awaitLog waits for a logMessage containing substr.
func (e *fakeEditor) awaitLog(substr string) {
	e.t.Helper()
	e.await(fmt.Sprintf("a log message containing %q", substr), func() bool {
		for _, l := range e.logs {
			if strings.Contains(l.Message, substr) {
				return true
			}
		}
		return false
	})
}

// messageCount returns how many messages were shown so far.
func (e *fakeEditor) messageCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.shown)
}

// awaitDiagnostics waits until the file's diagnostics satisfy cond.
func (e *fakeEditor) awaitDiagnostics(rel, what string, cond func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	e.t.Helper()
	var got []protocol.Diagnostic
	e.await(rel+": "+what, func() bool {
		got = e.diagnostics[rel]
		return cond(got)
	})
	return got
}

// shutdown runs shutdown and exit, and checks Serve returned cleanly.
func (e *fakeEditor) shutdown() {
	e.t.Helper()
	if err := e.server.Shutdown(context.Background()); err != nil {
		e.t.Fatalf("shutdown: %v", err)
	}
	if err := e.server.Exit(context.Background()); err != nil {
		e.t.Fatalf("exit: %v", err)
	}
	select {
	case err := <-e.served:
		if err != nil {
			e.t.Errorf("Serve = %v after shutdown and exit, want nil", err)
		}
		e.served <- err // for the cleanup
	case <-time.After(waitTimeout):
		e.t.Fatal("Serve did not return after exit")
	}
}

func (e *fakeEditor) notify() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// hotloadNotification records hotload/status and hotload/result; other
// methods are unknown.
func (e *fakeEditor) hotloadNotification(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	if req.Method() == methodResult {
		var r result
		if err := json.Unmarshal(req.Params(), &r); err != nil {
			e.t.Errorf("bad %s params %s: %v", methodResult, req.Params(), err)
			return nil, nil
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.results = append(e.results, r)
		e.notify()
		return nil, nil
	}
	if req.Method() != methodStatus {
		return jsonrpc2.MethodNotFoundHandler(ctx, req)
	}
	var st status
	if err := json.Unmarshal(req.Params(), &st); err != nil {
		e.t.Errorf("bad %s params %s: %v", methodStatus, req.Params(), err)
		return nil, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.statuses = append(e.statuses, st)
	e.notify()
	return nil, nil
}

// awaitStatus waits for a status, after the first `after`, in state and
// returns it.
func (e *fakeEditor) awaitStatus(after int, state string) status {
	e.t.Helper()
	var found status
	e.await("status "+state, func() bool {
		for _, st := range e.statuses[min(after, len(e.statuses)):] {
			if st.State == state {
				found = st
				return true
			}
		}
		return false
	})
	return found
}

// lastStatus returns the latest status, or the zero status if none came.
func (e *fakeEditor) lastStatus() status {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.statuses) == 0 {
		return status{}
	}
	return e.statuses[len(e.statuses)-1]
}

func (e *fakeEditor) statusCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.statuses)
}

func (e *fakeEditor) RegisterCapability(ctx context.Context, params *protocol.RegistrationParams) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.registrations = append(e.registrations, params.Registrations...)
	e.notify()
	return nil
}

func (e *fakeEditor) WorkDoneProgressCreate(ctx context.Context, params *protocol.WorkDoneProgressCreateParams) error {
	err := e.progress.WorkDoneProgressCreate(ctx, params)
	e.mu.Lock()
	e.notify()
	e.mu.Unlock()
	return err
}

func (e *fakeEditor) Progress(ctx context.Context, params *protocol.ProgressParams) error {
	err := e.progress.Progress(ctx, params)
	e.mu.Lock()
	e.notify()
	e.mu.Unlock()
	return err
}

// awaitProgress waits until the progress shown contains substr.
func (e *fakeEditor) awaitProgress(substr string) {
	e.t.Helper()
	e.await("progress "+substr, func() bool { return strings.Contains(e.progress.String(), substr) })
}

func (e *fakeEditor) InlayHintRefresh(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refreshes++
	e.notify()
	return nil
}

func (e *fakeEditor) ShowMessage(ctx context.Context, params *protocol.ShowMessageParams) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.shown = append(e.shown, *params)
	e.notify()
	return nil
}

func (e *fakeEditor) LogMessage(ctx context.Context, params *protocol.LogMessageParams) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logs = append(e.logs, *params)
	e.notify()
	return nil
}

func (e *fakeEditor) PublishDiagnostics(ctx context.Context, params *protocol.PublishDiagnosticsParams) error {
	rel, err := filepath.Rel(e.dir, params.URI.FsPath())
	if err != nil {
		rel = params.URI.FsPath()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.diagnostics[rel] = params.Diagnostics
	e.notify()
	return nil
}

func (e *fakeEditor) Configuration(ctx context.Context, params *protocol.ConfigurationParams) ([]protocol.LSPAny, error) {
	e.mu.Lock()
	gate := e.configGate
	e.mu.Unlock()
	if gate != nil {
		<-gate
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	config := e.config
	if config == nil {
		config = json.RawMessage("null")
	}
	return []protocol.LSPAny{protocol.LSPAny(config)}, nil
}

// awaitResult waits for the hotload/result number n (counting from 1) and
// returns it.
func (e *fakeEditor) awaitResult(n int) result {
	e.t.Helper()
	var found result
	e.await(fmt.Sprintf("hotload/result #%d", n), func() bool {
		if len(e.results) < n {
			return false
		}
		found = e.results[n-1]
		return true
	})
	return found
}

// The tests read the server's messages in the order it sent them, as an
// editor shows them; a fake that reordered them would fail tests at random
// (a reload's Warning notes taken for its summary).
func TestTheFakeEditorTakesNotificationsInTheOrderSent(t *testing.T) {
	t.Parallel()
	e := &fakeEditor{t: t, changed: make(chan struct{}), diagnostics: make(map[string][]protocol.Diagnostic)}
	editorSide, serverSide := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	editor := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(editorSide), jsonrpc2.WithCodec(Codec{}))
	editor.Go(ctx, e.handler())
	defer editor.Close()
	server := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(serverSide), jsonrpc2.WithCodec(Codec{}))
	server.Go(ctx, jsonrpc2.MethodNotFoundHandler)
	defer server.Close()

	const n = 500
	for i := range n {
		params := &protocol.ShowMessageParams{Type: protocol.MessageTypeInfo, Message: strconv.Itoa(i)}
		if err := server.Notify(ctx, protocol.MethodWindowShowMessage, params); err != nil {
			t.Fatal(err)
		}
	}
	e.await("every message", func() bool { return len(e.shown) == n })
	for i, m := range e.shown {
		if m.Message != strconv.Itoa(i) {
			t.Fatalf("message %d is %q: the fake editor reordered the server's notifications", i, m.Message)
		}
	}
}
