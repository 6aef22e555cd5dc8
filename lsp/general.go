package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// Command names, as listed in executeCommandProvider.
const (
	commandEvaluateModule   = "hotload.evaluateModule"
	commandEvaluate         = "hotload.evaluate"
	commandInterruptRuntime = "hotload.interruptRuntime"
	commandRestartRuntime   = "hotload.restartRuntime"
	commandStartApp         = "hotload.startApp"   // see app.go
	commandStopApp          = "hotload.stopApp"    // see app.go
	commandRestartApp       = "hotload.restartApp" // see app.go
)

var errNotInitialized = jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "server not initialized")

// gate applies the LSP lifecycle to every message, known or not, before
// handler sees it. Before initialize, a request gets ServerNotInitialized
// (-32002) and a notification other than exit is dropped. After shutdown,
// LSP 3.17 says: "If a server receives requests after a shutdown request
// those requests should error with InvalidRequest" (-32600), and only exit
// is expected of notifications. It runs on the read loop, so it sees the
// state every earlier message left.
func (s *server) gate(handler jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		method := req.Method()
		if method == protocol.MethodExit {
			return handler(ctx, req)
		}
		switch st := s.lifecycle(); {
		case st == serverCreated && method != protocol.MethodInitialize:
			if req.IsCall() {
				return nil, fmt.Errorf("%w: %s before initialize", errNotInitialized, method)
			}
			s.logger.Debug("notification before initialize dropped", zap.String("method", method))
			return nil, nil
		case st == serverShutDown:
			if req.IsCall() {
				return nil, fmt.Errorf("%w: %s after shutdown", jsonrpc2.ErrInvalidRequest, method)
			}
			s.logger.Debug("notification after shutdown dropped", zap.String("method", method))
			return nil, nil
		}
		return handler(ctx, req)
	}
}

func (s *server) Initialize(ctx context.Context, params *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if s.state != serverCreated {
		return nil, fmt.Errorf("%w: initialize sent twice", jsonrpc2.ErrInvalidRequest)
	}
	s.state = serverInitializing
	s.folders = workspaceFolders(params)
	s.resolvedFolders = resolveFolders(s.folders)
	if ws := params.Capabilities.Workspace; ws != nil && ws.Configuration != nil {
		s.clientConfigurable = *ws.Configuration
	}
	s.clientShowsResults = showsResults(params.Capabilities.Experimental)
	if w := params.Capabilities.Window; w != nil && w.WorkDoneProgress != nil && *w.WorkDoneProgress {
		s.progress = runProgress{
			client:   s.client,
			ctx:      s.ctx,
			tokens:   new(progressTokens),
			delay:    progressDelay,
			onCancel: s.interruptFromProgress,
			logger:   s.logger,
		}
	}
	if ws := params.Capabilities.Workspace; ws != nil && ws.InlayHint != nil && ws.InlayHint.RefreshSupport != nil {
		s.clientRefreshesHints = *ws.InlayHint.RefreshSupport
	}
	if ws := params.Capabilities.Workspace; ws != nil && ws.DidChangeWatchedFiles != nil && ws.DidChangeWatchedFiles.DynamicRegistration != nil {
		s.clientWatchesFiles = *ws.DidChangeWatchedFiles.DynamicRegistration
	}
	opts, problems := parseSettings(params.InitializationOptions)
	s.initOptions = opts
	for _, p := range problems {
		s.logger.Warn("initializationOptions", zap.String("problem", p))
		go s.show(s.ctx, protocol.MessageTypeWarning, "hotload: initializationOptions: "+p)
	}
	s.logger.Info("initialize", zap.Strings("folders", s.folders), zap.String("client", params.ClientInfo.Name))

	full := protocol.TextDocumentSyncKindFull
	yes := true
	return &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: &yes,
				Change:    &full,
				Save:      &protocol.SaveOptions{},
				WillSave:  &yes, // to warm the runtime for the save (warm.go)
			},
			CodeActionProvider: &protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindSource},
			},
			InlayHintProvider: protocol.Boolean(true),
			HoverProvider:     protocol.Boolean(true), // live values, see hover.go
			ExecuteCommandProvider: protocol.ExecuteCommandOptions{
				Commands: []string{commandEvaluateModule, commandEvaluate, commandEvaluateSelection, commandInterruptRuntime, commandRestartRuntime,
					commandStartApp, commandStopApp, commandRestartApp},
			},
		},
		ServerInfo: protocol.ServerInfo{Name: "hotload", Version: protocol.NewOptional(version())},
	}, nil
}

func (s *server) Initialized(ctx context.Context, params *protocol.InitializedParams) error {
	s.stateMu.Lock()
	if st := s.state; st != serverInitializing {
		s.stateMu.Unlock()
		s.logger.Warn("initialized out of order", zap.Stringer("state", st))
		return nil // an error here would close the connection
	}
	s.state = serverInitialized
	watches := s.clientWatchesFiles
	s.stateMu.Unlock()
	s.reconfigure()
	if watches {
		go s.watchPyproject(s.ctx)
	}
	return nil
}

func (s *server) Shutdown(ctx context.Context) error {
	s.stateMu.Lock()
	if s.state == serverCreated {
		s.stateMu.Unlock()
		return errNotInitialized
	}
	s.state = serverShutDown
	s.shutdownReceived = true
	s.stateMu.Unlock()
	s.logger.Info("shutdown")
	s.close()
	return nil
}

func (s *server) Exit(ctx context.Context) error {
	s.logger.Info("exit")
	s.exitOnce.Do(func() { close(s.exited) })
	return nil
}

// showsResults reports whether the client declared, as the experimental
// capability {"hotload": {"inlineResults": true}}, that it shows evaluation
// results itself (hotload's own editor plugins do), so the server need not.
func showsResults(experimental []byte) bool {
	var exp struct {
		Hotload struct {
			InlineResults bool `json:"inlineResults"`
		} `json:"hotload"`
	}
	_ = json.Unmarshal(experimental, &exp) // absent or of another shape: no
	return exp.Hotload.InlineResults
}

// workspaceFolders returns the client's workspace folders as paths, falling
// back to the deprecated rootUri for older clients.
func workspaceFolders(params *protocol.InitializeParams) []string {
	var folders []string
	if wf, ok := params.WorkspaceFolders.Get(); ok {
		for _, f := range wf {
			if f.URI.IsFile() {
				folders = append(folders, f.URI.FsPath())
			}
		}
	}
	if len(folders) == 0 && params.RootURI != nil && params.RootURI.IsFile() {
		folders = append(folders, params.RootURI.FsPath())
	}
	return folders
}

// version is the server's version as the Go toolchain recorded it.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "devel"
	}
	return info.Main.Version
}
