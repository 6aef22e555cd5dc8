package lsp

import (
	"context"
	"io"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// configurationWait bounds how long the server waits for the client to
// answer workspace/configuration: an editor answers in milliseconds, and
// one that never answers must not keep the runtime from starting.
const configurationWait = 10 * time.Second

// reconfigure asks for the settings to be read again and applied. One
// worker applies them, pass after pass, each reading the latest settings,
// so an older snapshot never wins over a newer one, and changes that come
// while a pass runs share the next pass. It is called on the read loop, in
// the order of the notifications that change settings.
func (s *server) reconfigure() {
	s.configMu.Lock()
	defer s.configMu.Unlock()
	s.configWanted++
	if s.configNewer != nil {
		close(s.configNewer) // a pass running is outdated
		s.configNewer = nil
	}
	if !s.configuring {
		s.configuring = true
		go s.configureLoop()
	}
}

func (s *server) configureLoop() {
	for {
		s.configMu.Lock()
		if s.configApplied == s.configWanted || s.ctx.Err() != nil {
			s.configuring = false
			s.configMu.Unlock()
			return
		}
		pass := s.configWanted
		newer := make(chan struct{})
		s.configNewer = newer
		s.configMu.Unlock()

		s.configure(s.ctx, newer)

		s.configMu.Lock()
		if s.configNewer == newer {
			s.configNewer = nil
		}
		s.configApplied = pass
		close(s.configDone)
		s.configDone = make(chan struct{})
		var failed []error
		if s.configApplied == s.configWanted {
			failed = s.flushSavesLocked()
		}
		s.configMu.Unlock()
		s.showQueueErrors(failed)
	}
}

// settled waits until the settings asked for before it are applied, so a
// request sees the runtime the notifications before it asked for. It
// returns false if ctx ended or the server closed first.
func (s *server) settled(ctx context.Context) bool {
	s.configMu.Lock()
	want := s.configWanted
	for s.configApplied < want {
		done := s.configDone
		s.configMu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return false
		case <-s.ctx.Done():
			return false
		}
		s.configMu.Lock()
	}
	s.configMu.Unlock()
	return true
}

// queueSave queues a reload of path, or keeps it until the settings asked
// for before it are applied: a save that follows a settings change reloads
// in the runtime those settings give.
func (s *server) queueSave(path string) {
	s.configMu.Lock()
	s.pendingSaves = append(s.pendingSaves, path)
	var failed []error
	if s.configApplied == s.configWanted {
		failed = s.flushSavesLocked()
	}
	s.configMu.Unlock()
	s.showQueueErrors(failed)
}

// flushSavesLocked queues the saves kept for the engine, in order, and
// returns the errors of those it could not queue. The caller holds configMu.
func (s *server) flushSavesLocked() []error {
	e := s.engineNow()
	if e == nil {
		return nil // no settings were ever applied (before initialized)
	}
	var failed []error
	for _, path := range s.pendingSaves {
		if err := e.Queue(path); err != nil {
			failed = append(failed, err)
		}
	}
	s.pendingSaves = nil
	return failed
}

func (s *server) showQueueErrors(errs []error) {
	for _, err := range errs {
		s.show(s.ctx, protocol.MessageTypeError, "hotload: "+err.Error())
	}
}

// configure reads the settings (initializationOptions, then the client's
// "hotload" configuration section, then [tool.hotload] in the first
// folder's pyproject.toml, later ones overriding earlier ones) and starts or
// replaces the engine. newer is closed when a later pass is asked for.
func (s *server) configure(ctx context.Context, newer <-chan struct{}) {
	s.stateMu.Lock()
	settings := s.initOptions
	pushed := s.pushed
	configurable := s.clientConfigurable
	folders := s.folders
	s.stateMu.Unlock()

	var problems []string
	if configurable {
		section := "hotload"
		askCtx, cancel := context.WithTimeout(ctx, configurationWait)
		items, err := s.client.Configuration(askCtx, &protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{{Section: &section}}})
		cancel()
		if err != nil {
			s.logger.Warn("workspace/configuration", zap.Error(err))
		} else if len(items) > 0 {
			problems = settings.merge(items[0])
		}
	} else {
		problems = settings.merge(pushed)
	}
	for _, p := range problems {
		s.show(ctx, protocol.MessageTypeWarning, "hotload: setting "+p)
	}
	if len(folders) > 0 {
		raw, err := pyprojectSettings(folders[0])
		if err != nil {
			// A half-edited file must not cost the user their runtime: keep
			// the settings in force until it reads again.
			s.show(ctx, protocol.MessageTypeWarning, "hotload: "+err.Error()+"; keeping the settings in force")
			if s.engineNow() != nil {
				return
			}
		}
		for _, p := range settings.merge(raw) {
			s.show(ctx, protocol.MessageTypeWarning, "hotload: pyproject.toml [tool.hotload]: "+p)
		}
	}
	s.applySettings(settings, newer)
}

func (s *server) newEngine(settings Settings) *reload.Engine {
	s.stateMu.Lock()
	folders := s.folders
	s.stateMu.Unlock()
	return reload.New(reload.Config{
		Folders:           folders,
		ExtraPaths:        settings.ExtraPaths,
		Python:            settings.Python,
		Env:               settings.envList(),
		PathMap:           settings.PathMap,
		Attach:            settings.Attach,
		Preload:           settings.Preload,
		SkipDependents:    settings.SkipDependents,
		AfterReload:       settings.AfterReload,
		Strategy:          settings.Strategy,
		Timeout:           settings.Timeout,
		OnResult:          s.reportReload,
		OnRun:             s.runStatus,
		OnOutput:          s.logOutput,
		OnRuntimeStart:    s.runtimeStarted,
		OnPreloadsRenewed: s.preloadsRenewed,
		OnRuntimeExit:     s.runtimeExited,
		OnAppOutput:       s.appOutput,
		OnAppExit:         s.appEnded,
		OnAppRestart:      s.appRestarted,
		OnFailure:         s.reportFailure,
		OnStale:           s.reportStale,
		Stderr:            logWriter{s},
		Logger:            s.logger.Named("reload"),
	})
}

func (s *server) DidChangeConfiguration(ctx context.Context, params *protocol.DidChangeConfigurationParams) error {
	s.stateMu.Lock()
	s.pushed = append([]byte(nil), params.Settings...)
	initialized := s.state == serverInitialized
	s.stateMu.Unlock()
	if initialized {
		s.reconfigure()
	}
	return nil
}

// logWriter sends what the runtime writes to its own stderr to the client's log.
type logWriter struct{ s *server }

var _ io.Writer = logWriter{}

func (w logWriter) Write(p []byte) (int, error) {
	w.s.log(w.s.ctx, protocol.MessageTypeLog, "python: "+string(p))
	return len(p), nil
}
