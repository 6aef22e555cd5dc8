package lsp

import (
	"errors"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// applySettings starts the engine, or replaces it when the settings that
// shape the runtime changed. A replacement starts the new runtime while the
// old one serves on, and closes the old one only once the new one is up:
// settings that cannot start (a mistyped python) must not cost the user the
// runtime and the state in it. newer is closed when later settings are
// asked for, which makes a runtime still starting for these moot.
func (s *server) applySettings(settings Settings, newer <-chan struct{}) {
	s.stateMu.Lock()
	s.notifications = settings.Notifications
	s.stateMu.Unlock()
	s.engineMu.Lock()
	if s.ctx.Err() != nil {
		s.engineMu.Unlock()
		return
	}
	old, oldSettings := s.engine, s.settings
	if old != nil && oldSettings.sameRuntime(settings) {
		changed := oldSettings.reloadOptions() != settings.reloadOptions()
		old.SetReloadOptions(settings.reloadOptions())
		s.settings = settings
		s.engineMu.Unlock()
		if changed {
			s.log(s.ctx, protocol.MessageTypeInfo, "hotload: reload settings changed: "+settings.describeReloads())
		}
		return
	}
	s.engineMu.Unlock()

	e := s.newEngine(settings)
	if old == nil || !holdsState(old, oldSettings) {
		s.putInPlace(e, settings, old, false)
		return
	}
	if s.startBeside(e, settings.Preload, newer) {
		s.putInPlace(e, settings, old, true)
	}
}

// holdsState reports whether the runtime of old, run with settings, has
// state that starting its replacement first would keep. One that is not up
// (it could not start, or is still starting) has none. An app hotload
// attached to keeps its state itself whatever hotload does, and serves
// one connection at a time: the new one can only be made once the old one
// is closed.
func holdsState(old *reload.Engine, settings Settings) bool {
	return settings.Attach == "" && old.RuntimePid() != 0
}

// startBeside starts e's runtime while the current engine serves on, and
// reports whether it is up. On false e is closed: its start failed (the
// user is told the old runtime keeps running), later settings made it
// moot, or the server is closing.
func (s *server) startBeside(e *reload.Engine, preload []string, newer <-chan struct{}) bool {
	s.engineMu.Lock()
	if s.ctx.Err() != nil {
		s.engineMu.Unlock()
		_ = e.Close()
		return false
	}
	s.incoming, s.incomingDone = e, make(chan struct{})
	s.engineMu.Unlock()

	started := make(chan error, 1)
	go func() {
		end := s.startProgress(preload)
		started <- e.Start(s.ctx)
		end()
	}()
	var err error
	select {
	case err = <-started:
	case <-newer:
		select {
		case err = <-started:
		default:
			s.log(s.ctx, protocol.MessageTypeLog, "hotload: settings changed again while a runtime for the change before started; starting one with the latest instead")
			_ = e.Close()
			<-started
			err = reload.ErrClosed
			// A runtime that came up just before the close said so in the
			// status: the runtime serving is still the old one.
			if cur := s.engineNow(); cur != nil {
				if pid := cur.RuntimePid(); pid != 0 {
					s.setStatus(func(st *status) { st.State, st.Pid = stateReady, pid })
				}
			}
		}
	}
	if err == nil {
		return true // putInPlace ends the incoming engine's time aside
	}
	_ = e.Close()
	s.endIncoming()
	if s.ctx.Err() != nil || errors.Is(err, reload.ErrClosed) {
		return false
	}
	msg := "hotload: settings changed, but a runtime with them cannot start; the runtime that was running keeps running, with its state and the settings it had. " +
		capitalize(startFailure(err)) + " Fix the settings, and a runtime with them takes its place."
	s.show(s.ctx, protocol.MessageTypeError, msg)
	s.log(s.ctx, protocol.MessageTypeError, msg)
	return false
}

// endIncoming forgets the engine started beside the current one: it is in
// place or closed.
func (s *server) endIncoming() {
	s.engineMu.Lock()
	done := s.incomingDone
	s.incoming, s.incomingDone = nil, nil
	s.engineMu.Unlock()
	if done != nil {
		close(done)
	}
}

// putInPlace makes e, run with settings, the engine in place of old (nil
// for the first one), closes old and starts old's app again in e. If e's
// runtime is not started yet, it is started now, without waiting: requests
// wait for the runtime themselves, and the next settings change must not
// wait for preloads it may make moot.
func (s *server) putInPlace(e *reload.Engine, settings Settings, old *reload.Engine, started bool) {
	s.engineMu.Lock()
	if s.ctx.Err() != nil {
		s.engineMu.Unlock()
		_ = e.Close() // the server closed meanwhile
		s.endIncoming()
		return
	}
	s.engine, s.settings = e, settings
	if old == nil {
		close(s.engineReady)
	}
	s.engineMu.Unlock()
	s.endIncoming()

	var appArgs []string // the app the old runtime ran, started again in the new one
	if old != nil {
		appArgs = old.AppArgs()
		_ = old.Close() // only ever reports success
	}
	if appArgs != nil && len(settings.App) > 0 {
		appArgs = settings.App
	}
	if !started {
		s.setStatus(func(st *status) { st.State, st.Pid = stateStarting, 0 })
		go s.startEngine(e, settings.Preload, appArgs, old != nil)
		return
	}
	s.runtimeReplaced()
	if appArgs != nil {
		go func() { _, _ = s.startApp(s.ctx, e, appArgs) }() // a failure is shown
	}
}

// runtimeReplaced tells the user that a runtime with the changed settings
// took over, once it has.
func (s *server) runtimeReplaced() {
	const msg = "hotload: settings changed; started a new runtime"
	s.show(s.ctx, protocol.MessageTypeInfo, msg)
	s.log(s.ctx, protocol.MessageTypeInfo, msg)
}

// startEngine starts e's runtime and reports a failure to start, unless e
// was replaced or closed meanwhile, then starts the app appArgs, if any:
// the one the runtime e replaced ran. replaced says e took the place of
// another engine, which the user is told once e's runtime is up. Preloads
// can take seconds: the client shows them as progress.
func (s *server) startEngine(e *reload.Engine, preload, appArgs []string, replaced bool) {
	end := s.startProgress(preload)
	err := e.Start(s.ctx)
	end()
	if err == nil {
		if replaced {
			s.runtimeReplaced()
		}
		if appArgs != nil && s.ctx.Err() == nil {
			_, _ = s.startApp(s.ctx, e, appArgs) // a failure is shown
		}
		return
	}
	if s.ctx.Err() != nil || errors.Is(err, reload.ErrClosed) {
		return
	}
	msg := startFailure(err)
	s.setStatus(func(st *status) { st.State, st.Message = stateDead, msg })
	s.show(s.ctx, protocol.MessageTypeError, "hotload: "+msg)
}

// startFailure says why a runtime could not start, in the user's words
// where hotload knows them.
func startFailure(err error) string {
	if why := reload.Explain(err); why != "" {
		return "cannot start Python. " + why
	}
	return "cannot start Python: " + err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
