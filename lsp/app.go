package lsp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// App states as hotload/status names them.
const (
	appRunning = "running" // the app runs
	appStopped = "stopped" // stopped by a command (or a runtime restart)
	appExited  = "exited"  // ended by itself
)

// appCommand runs hotload.startApp, hotload.stopApp or hotload.restartApp.
func (s *server) appCommand(ctx context.Context, e *reload.Engine, command string, args []protocol.LSPAny) (any, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("%w: %s takes no arguments (the app is the `app` setting), got %d", jsonrpc2.ErrInvalidParams, command, len(args))
	}
	if command == commandStopApp {
		if err := e.StopApp(ctx); err != nil {
			if errors.Is(err, reload.ErrNoApp) {
				s.show(ctx, protocol.MessageTypeInfo, "hotload: the app is not running")
				s.log(ctx, protocol.MessageTypeInfo, "hotload: stop app: the app is not running")
				return map[string]int{"pid": 0}, nil
			}
			return nil, err
		}
		return map[string]int{"pid": 0}, nil
	}
	s.engineMu.Lock()
	appArgs := s.settings.App
	s.engineMu.Unlock()
	if len(appArgs) == 0 {
		return nil, fmt.Errorf("%w: set the `app` setting to the program's arguments, as given to python: e.g. [\"-m\", \"flask\", \"--app\", \"app\", \"run\"] or [\"manage.py\", \"runserver\", \"--noreload\"]", jsonrpc2.ErrInvalidRequest)
	}
	var pid int
	var err error
	if command == commandRestartApp {
		pid, err = s.restartApp(ctx, e, appArgs)
	} else {
		pid, err = s.startApp(ctx, e, appArgs)
	}
	if err != nil {
		return nil, err
	}
	return map[string]int{"pid": pid}, nil
}

// startApp starts the app and says so. A program that cannot start (its
// file is missing) is reported as an Error message and the error.
func (s *server) startApp(ctx context.Context, e *reload.Engine, args []string) (int, error) {
	s.clearFailures(ctx, nil, time.Now()) // a new program: the old one's failures are its own
	pid, err := e.StartApp(ctx, args)
	if err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "reload: start app: "), "pyruntime: ")
		s.show(ctx, protocol.MessageTypeError, "hotload: "+msg)
		return 0, fmt.Errorf("%w: %s", jsonrpc2.ErrInvalidRequest, msg)
	}
	s.setStatus(func(st *status) {
		if st.appEnded == pid {
			return // it has ended already, and appEnded said so
		}
		st.App, st.AppPid, st.Pid, st.AppMessage = appRunning, pid, pid, ""
	})
	s.show(ctx, protocol.MessageTypeInfo, fmt.Sprintf("hotload: app started (pid %d): python %s", pid, strings.Join(args, " ")))
	s.log(ctx, protocol.MessageTypeInfo, fmt.Sprintf("hotload: app started (pid %d): python %s; saves of the modules it has loaded apply to it", pid, strings.Join(args, " ")))
	return pid, nil
}

// restartApp stops the app if it runs and starts it again.
func (s *server) restartApp(ctx context.Context, e *reload.Engine, args []string) (int, error) {
	if err := e.StopApp(ctx); err != nil && !errors.Is(err, reload.ErrNoApp) {
		return 0, err
	}
	return s.startApp(ctx, e, args)
}

// appOutput streams the app's output to the log.
func (s *server) appOutput(_, text string) {
	s.log(s.ctx, protocol.MessageTypeLog, "app: "+strings.TrimRight(text, "\n"))
}

// appEnded reports how the app ended: a message unless it was stopped on
// request, and the status.
func (s *server) appEnded(x reload.AppExit) {
	state, message := appStopped, ""
	if !x.Stopped {
		state, message = appExited, "the app "+x.Status()
		if x.Reason != nil {
			message += " (" + describeFailure(x.Reason) + ")"
		}
	}
	s.setStatus(func(st *status) {
		st.appEnded = x.Pid
		// AppPid is 0 when the app ended before startApp recorded it.
		if st.AppPid == x.Pid || st.AppPid == 0 {
			st.App, st.AppPid, st.AppMessage = state, 0, message
		}
	})
	if x.Stopped {
		s.log(s.ctx, protocol.MessageTypeInfo, fmt.Sprintf("hotload: app stopped (pid %d %s)", x.Pid, x.Status()))
		return
	}
	kind := protocol.MessageTypeWarning
	if x.Code == 0 && x.Signal == 0 {
		kind = protocol.MessageTypeInfo
	}
	s.show(s.ctx, kind, "hotload: "+message+"; hotload.startApp starts it again")
	detail := "hotload: " + message
	if x.Stderr != "" {
		detail += "\n" + x.Stderr
	}
	s.log(s.ctx, kind, detail)
}

// appRestarted reports a restart of the app by a save (the fresh strategy).
func (s *server) appRestarted(path string, pid int, err error) {
	if err != nil {
		s.show(s.ctx, protocol.MessageTypeError, "hotload: restarting the app for "+path+": "+err.Error())
		return
	}
	s.clearFailures(s.ctx, nil, time.Now())
	s.setStatus(func(st *status) {
		if st.appEnded == pid {
			return // it has ended already, and appEnded said so
		}
		st.App, st.AppPid, st.Pid, st.AppMessage = appRunning, pid, pid, ""
	})
	s.show(s.ctx, protocol.MessageTypeInfo, fmt.Sprintf("hotload: app restarted for %s (pid %d)", s.relative(path), pid))
}

// relative names path from its workspace folder when it lies in one.
func (s *server) relative(path string) string {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	for _, f := range s.folders {
		if rest, ok := strings.CutPrefix(path, f+"/"); ok {
			return rest
		}
	}
	return path
}
