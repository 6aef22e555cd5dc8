package lsp

import (
	"context"
	"io"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// configure reads the settings (initializationOptions, then the client's
// "hotload" configuration section, then [tool.hotload] in the first
// folder's pyproject.toml, later ones overriding earlier ones) and starts or
// replaces the engine.
func (s *server) configure(ctx context.Context) {
	s.stateMu.Lock()
	settings := s.initOptions
	pushed := s.pushed
	configurable := s.clientConfigurable
	folders := s.folders
	s.stateMu.Unlock()

	var problems []string
	if configurable {
		section := "hotload"
		items, err := s.client.Configuration(ctx, &protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{{Section: &section}}})
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
	s.applySettings(settings)
}

// applySettings starts the engine, or replaces it when the settings that
// shape the runtime changed.
func (s *server) applySettings(settings Settings) {
	s.stateMu.Lock()
	s.notifications = settings.Notifications
	s.stateMu.Unlock()
	s.engineMu.Lock()
	if s.ctx.Err() != nil {
		s.engineMu.Unlock()
		return
	}
	if s.engine != nil && s.settings.sameRuntime(settings) {
		changed := s.settings.reloadOptions() != settings.reloadOptions()
		s.engine.SetReloadOptions(settings.reloadOptions())
		s.settings = settings
		s.engineMu.Unlock()
		if changed {
			s.log(s.ctx, protocol.MessageTypeInfo, "hotload: reload settings changed: "+settings.describeReloads())
		}
		return
	}
	old := s.engine
	s.engine, s.settings = s.newEngine(settings), settings
	e := s.engine
	if old == nil {
		close(s.engineReady)
	}
	s.engineMu.Unlock()

	var appArgs []string // the app the old runtime ran, started again in the new one
	if old != nil {
		appArgs = old.AppArgs()
		_ = old.Close() // only ever reports success
		s.show(s.ctx, protocol.MessageTypeInfo, "hotload: settings changed; started a new runtime")
		s.log(s.ctx, protocol.MessageTypeInfo, "hotload: settings changed; started a new runtime")
	}
	s.setStatus(func(st *status) { st.State, st.Pid = stateStarting, 0 })
	if err := e.Start(s.ctx); err != nil && s.ctx.Err() == nil {
		msg := "cannot start Python: " + err.Error()
		if why := reload.Explain(err); why != "" {
			msg = "cannot start Python. " + why
		}
		s.setStatus(func(st *status) { st.State, st.Message = stateDead, msg })
		s.show(s.ctx, protocol.MessageTypeError, "hotload: "+msg)
	} else if appArgs != nil && s.ctx.Err() == nil {
		if len(settings.App) > 0 {
			appArgs = settings.App
		}
		_, _ = s.startApp(s.ctx, e, appArgs) // a failure is shown
	}
}

func (s *server) newEngine(settings Settings) *reload.Engine {
	s.stateMu.Lock()
	folders := s.folders
	s.stateMu.Unlock()
	return reload.New(reload.Config{
		Folders:        folders,
		ExtraPaths:     settings.ExtraPaths,
		Python:         settings.Python,
		Env:            settings.envList(),
		PathMap:        settings.PathMap,
		Attach:         settings.Attach,
		Preload:        settings.Preload,
		SkipDependents: settings.SkipDependents,
		AfterReload:    settings.AfterReload,
		Strategy:       settings.Strategy,
		OnResult:       s.reportReload,
		OnRun:          s.runStatus,
		OnOutput:       s.logOutput,
		OnRuntimeStart: s.runtimeStarted,
		OnRuntimeExit:  s.runtimeExited,
		OnAppOutput:    s.appOutput,
		OnAppExit:      s.appEnded,
		OnAppRestart:   s.appRestarted,
		OnFailure:      s.reportFailure,
		Stderr:         logWriter{s},
		Logger:         s.logger.Named("reload"),
	})
}

func (s *server) DidChangeConfiguration(ctx context.Context, params *protocol.DidChangeConfigurationParams) error {
	if s.lifecycle() != serverInitialized {
		return nil
	}
	s.stateMu.Lock()
	s.pushed = append([]byte(nil), params.Settings...)
	s.stateMu.Unlock()
	go s.configure(s.ctx)
	return nil
}

// logWriter sends what the runtime writes to its own stderr to the client's log.
type logWriter struct{ s *server }

var _ io.Writer = logWriter{}

func (w logWriter) Write(p []byte) (int, error) {
	w.s.log(w.s.ctx, protocol.MessageTypeLog, "python: "+string(p))
	return len(p), nil
}
