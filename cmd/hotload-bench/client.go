package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hotload-dev/hotload/lsp"
)

// exitTimeout bounds how long the server may take to exit after exit.
const exitTimeout = 10 * time.Second

// session is a running `hotload lsp` process and the bench's LSP connection
// to it over the process's stdin and stdout, as an editor has.
type session struct {
	cmd   *exec.Cmd
	conn  jsonrpc2.Conn
	lsp   protocol.Server
	inbox *inbox
	dir   string // the workspace folder
	log   string // the file the server's stderr goes to
	// version is that of the document the bench opened and changes last;
	// the bench's steps run one at a time.
	version int32

	exited  chan struct{} // closed when the process has exited
	exitErr error         // cmd.Wait's result, set before exited closes
}

// pipes joins the server's stdout and stdin into the one stream an LSP
// connection runs over.
type pipes struct {
	io.ReadCloser  // the server's stdout
	io.WriteCloser // the server's stdin
}

// Close closes both pipes: the server reads end of file and ends the session.
func (p pipes) Close() error {
	return errors.Join(p.WriteCloser.Close(), p.ReadCloser.Close())
}

// startSession starts `bin lsp` with its stderr in logPath, connects to it
// and runs the initialize handshake for the workspace folder dir with
// settings as initializationOptions. It does not wait for the runtime.
func startSession(ctx context.Context, bin, dir, logPath string, settings map[string]any) (*session, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create server log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "lsp")
	cmd.Dir = dir
	cmd.Stderr = logFile
	dieWithBench(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &session{cmd: cmd, inbox: newInbox(), dir: dir, log: logPath, exited: make(chan struct{})}
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
		s.inbox.closeWith(fmt.Errorf("the server exited (%v); its log is %s", s.exitErr, logPath))
	}()
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(pipes{stdout, stdin}), jsonrpc2.WithCodec(lsp.Codec{}))
	// Handlers run inline on the read goroutine: they only record, and a
	// notification's arrival time is taken in the order the server sent it.
	s.conn.Go(ctx, protocol.ClientHandler(s.inbox, s.inbox.hotloadNotification))
	s.lsp = protocol.ServerDispatcher(s.conn)
	if err := s.initialize(ctx, settings); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// initialize runs the initialize handshake.
func (s *session) initialize(ctx context.Context, settings map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	opts, err := json.Marshal(settings)
	if err != nil {
		return fmt.Errorf("encode initializationOptions: %w", err)
	}
	pid := int32(os.Getpid())
	params := &protocol.InitializeParams{
		ProcessID:             &pid,
		ClientInfo:            protocol.ClientInfo{Name: "hotload-bench"},
		InitializationOptions: opts,
	}
	params.WorkspaceFolders = protocol.NewNullable([]protocol.WorkspaceFolder{{URI: uri.File(s.dir), Name: filepath.Base(s.dir)}})
	if _, err := s.lsp.Initialize(ctx, params); err != nil {
		return fmt.Errorf("initialize: %w", s.why(err))
	}
	if err := s.lsp.Initialized(ctx, &protocol.InitializedParams{}); err != nil {
		return fmt.Errorf("initialized: %w", s.why(err))
	}
	return nil
}

// awaitReady waits for the first runtime to be ready and returns its pid
// and when the server said so. A warning, such as a preload that failed to
// import, is an error: the figures would not be those of a warm runtime.
func (s *session) awaitReady(ctx context.Context) (int, time.Time, error) {
	ready, err := s.inbox.awaitStatus(ctx, mark{}, "the runtime to be ready", func(st status) bool {
		return (st.State == "ready" && st.Pid != 0) || st.State == "dead"
	})
	if err != nil {
		return 0, time.Time{}, err
	}
	if ready.Value.State == "dead" {
		return 0, time.Time{}, fmt.Errorf("the runtime did not start: %s", ready.Value.Message)
	}
	if warnings := s.inbox.warnings(); len(warnings) > 0 {
		return 0, time.Time{}, fmt.Errorf("the server warned at start: %s", strings.Join(warnings, "; "))
	}
	return ready.Value.Pid, ready.At, nil
}

// path returns the absolute path of a workspace-relative file.
func (s *session) path(rel string) string { return filepath.Join(s.dir, rel) }

// save writes content to the workspace file rel and sends didSave, as an
// editor does. It returns when the notification was handed to the pipe:
// latencies start there, after the write.
func (s *session) save(ctx context.Context, rel, content string) (time.Time, error) {
	if err := os.WriteFile(s.path(rel), []byte(content), 0o644); err != nil {
		return time.Time{}, fmt.Errorf("save %s: %w", rel, err)
	}
	sent := time.Now()
	err := s.lsp.DidSave(ctx, &protocol.DidSaveTextDocumentParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(s.path(rel))},
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("didSave %s: %w", rel, s.why(err))
	}
	return sent, nil
}

// open sends didOpen for the workspace file rel with text, as an editor
// does when it shows the file.
func (s *session) open(ctx context.Context, rel, text string) error {
	s.version = 1
	err := s.lsp.DidOpen(ctx, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: uri.File(s.path(rel)), LanguageID: "python", Version: s.version, Text: text},
	})
	if err != nil {
		return fmt.Errorf("didOpen %s: %w", rel, s.why(err))
	}
	return nil
}

// change sends didChange with the whole new text of rel, unsaved, as an
// editor does while the user types.
func (s *session) change(ctx context.Context, rel, text string) error {
	s.version++
	err := s.lsp.DidChange(ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.File(s.path(rel))}, Version: s.version},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}},
	})
	if err != nil {
		return fmt.Errorf("didChange %s: %w", rel, s.why(err))
	}
	return nil
}

// typeAhead does what an editor does before it saves text the user typed:
// it sends the text (didChange), and when the user saves, willSave, so
// that willSaveAhead after that, ahead after the text, the caller writes
// and saves the file.
func (s *session) typeAhead(ctx context.Context, rel, text string, ahead time.Duration) error {
	if err := s.change(ctx, rel, text); err != nil {
		return err
	}
	if err := sleep(ctx, ahead-willSaveAhead); err != nil {
		return err
	}
	err := s.lsp.WillSave(ctx, &protocol.WillSaveTextDocumentParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(s.path(rel))},
		Reason:       protocol.TextDocumentSaveReasonManual,
	})
	if err != nil {
		return fmt.Errorf("willSave %s: %w", rel, s.why(err))
	}
	return sleep(ctx, willSaveAhead)
}

// shutdown ends the session as an editor does (shutdown, then exit) and
// waits for the process to exit with status 0.
func (s *session) shutdown(ctx context.Context) error {
	defer s.conn.Close()
	callCtx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	if err := s.lsp.Shutdown(callCtx); err != nil {
		return fmt.Errorf("shutdown: %w", s.why(err))
	}
	if err := s.lsp.Exit(callCtx); err != nil {
		return fmt.Errorf("exit: %w", s.why(err))
	}
	select {
	case <-s.exited:
	case <-time.After(exitTimeout):
		s.kill()
		return fmt.Errorf("the server did not exit within %v of exit; killed it (log: %s)", exitTimeout, s.log)
	}
	if s.exitErr != nil {
		return fmt.Errorf("the server exited with %v after shutdown and exit (log: %s)", s.exitErr, s.log)
	}
	return nil
}

// kill ends the server at once, for when the bench fails half-way. Its
// runtime follows: the server's parent-death signal and process group see
// to that.
func (s *session) kill() {
	_ = s.cmd.Process.Kill() // it may have exited already
	<-s.exited
	_ = s.conn.Close() // the stream is gone; nothing to report
}

// why adds the server's exit to err if the server is gone: a broken pipe
// says less than "the server exited with status 2".
func (s *session) why(err error) error {
	select {
	case <-s.exited:
		return fmt.Errorf("%w (the server exited: %v; log: %s)", err, s.exitErr, s.log)
	default:
		return err
	}
}
