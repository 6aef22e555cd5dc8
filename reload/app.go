package reload

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/pyruntime"
)

// AppExit says how an app ended (see pyruntime.AppExit).
type AppExit = pyruntime.AppExit

// AppError reports an app that could not start (see pyruntime.AppError).
type AppError = pyruntime.AppError

// Errors of the app methods, re-exported for front ends.
var (
	ErrAppRunning  = pyruntime.ErrAppRunning
	ErrNoApp       = pyruntime.ErrNoApp
	ErrAttachedApp = pyruntime.ErrAttachedApp
)

// appState is the engine's side of a running app.
type appState struct {
	mu   sync.Mutex // guards the fields below
	args []string   // the running app's arguments, nil when none runs
	out  *runOutput // bounds what the app's output passes to OnAppOutput
	cut  bool       // the note that output is no longer passed on was sent
}

// StartApp runs `python args…` as __main__ in a new runtime process (see
// pyruntime.Runtime.StartApp) and returns its pid. While it runs, saves
// reload only the modules it has loaded, in place, in the app; with the
// Fresh strategy they restart it instead. Its output goes to OnAppOutput,
// its end to OnAppExit.
func (e *Engine) StartApp(ctx context.Context, args []string) (int, error) {
	limit := e.cfg.StreamedOutput
	if limit == 0 {
		limit = DefaultStreamedOutput
	}
	e.app.mu.Lock()
	e.app.out, e.app.cut = newRunOutput(limit), false
	e.app.mu.Unlock()
	pid, err := e.runtime.StartApp(ctx, args)
	if err != nil {
		return 0, fmt.Errorf("reload: start app: %w", err)
	}
	e.app.mu.Lock()
	e.app.args = args
	e.app.mu.Unlock()
	e.logger.Info("app started", zap.Int("pid", pid), zap.Strings("args", args))
	return pid, nil
}

// StopApp stops the app as Ctrl-C would (SIGINT, then a kill after a
// grace period) and waits until its process is gone.
func (e *Engine) StopApp(ctx context.Context) error {
	if err := e.runtime.StopApp(ctx); err != nil {
		return fmt.Errorf("reload: stop app: %w", err)
	}
	return nil
}

// RestartApp stops the app if it runs and starts it again with args.
func (e *Engine) RestartApp(ctx context.Context, args []string) (int, error) {
	if err := e.runtime.StopApp(ctx); err != nil && !errors.Is(err, ErrNoApp) {
		return 0, fmt.Errorf("reload: restart app: %w", err)
	}
	return e.StartApp(ctx, args)
}

// AppPid returns the pid of the running app, or 0 if none runs.
func (e *Engine) AppPid() int { return e.runtime.AppPid() }

// AppArgs returns the arguments of the running app, nil if none runs.
func (e *Engine) AppArgs() []string {
	if e.AppPid() == 0 {
		return nil
	}
	e.app.mu.Lock()
	defer e.app.mu.Unlock()
	return e.app.args
}

// appOutput passes the app's output on, within StreamedOutput for each run
// of the app, and says once when the rest is not passed on.
func (e *Engine) appOutput(stream, text string) {
	if e.cfg.OnAppOutput == nil {
		return
	}
	e.app.mu.Lock()
	out := e.app.out
	if out == nil {
		out = newRunOutput(-1)
		e.app.out = out
	}
	passed := out.add(text)
	note := ""
	if out.limit >= 0 && out.streamed >= out.limit && !e.app.cut {
		e.app.cut = true
		note = fmt.Sprintf("\n[hotload: the app has printed %s; its later output is not logged (restart the app to log again)]\n", formatBytes(out.streamed))
	}
	e.app.mu.Unlock()
	if passed != "" {
		e.cfg.OnAppOutput(stream, passed)
	}
	if note != "" {
		e.cfg.OnAppOutput("stderr", note)
	}
}

// appExited forgets the app and reports its end.
func (e *Engine) appExited(x pyruntime.AppExit) {
	e.app.mu.Lock()
	e.app.args = nil
	e.app.mu.Unlock()
	if e.cfg.OnAppExit != nil {
		e.cfg.OnAppExit(x)
	}
}

// restartAppFor restarts the app for a save of mod, under the Fresh
// strategy, if the app has loaded mod; it reports whether it did.
func (e *Engine) restartAppFor(ctx context.Context, mod Module) bool {
	loaded, err := e.runtime.Loaded(ctx, pyruntime.Request{Module: mod.Name, Path: mod.Path})
	if err != nil || !loaded {
		return false
	}
	args := e.AppArgs()
	if args == nil {
		return false
	}
	pid, err := e.RestartApp(ctx, args)
	if e.cfg.OnAppRestart != nil {
		e.cfg.OnAppRestart(mod.Path, pid, err)
	}
	return err == nil
}

// Failure is an exception the running program did not handle where it
// was raised: one that escaped a thread or the app's main thread, or that
// it logged with its traceback (see the agent's failures.py).
type Failure struct {
	// Origin is "thread", "main", "log" or "printed" (traceback.print_exc).
	Origin string
	// Where is the thread's name, the logger's, or the module that printed it.
	Where string
	// Message is what the program logged with it, for a logged failure.
	Message string
	// App reports a failure of the process running an app.
	App       bool
	Exception *Exception
}

// Describe says where the failure came from, for a message:
// "in thread worker", "in the app's main thread", "logged by flask.app".
func (f *Failure) Describe() string {
	switch f.Origin {
	case "thread":
		return "in thread " + f.Where
	case "main":
		return "in the app's main thread"
	case "printed":
		return "printed by " + f.Where
	case "log":
		if f.Where == "asyncio" {
			return "in an asyncio task or callback (logged by asyncio)"
		}
		return "logged by " + f.Where
	}
	return f.Origin
}

// Key identifies a failure among its repeats: its type and the lines of
// its traceback. The message may differ between repeats (a KeyError's key).
func (f *Failure) Key() string {
	var b strings.Builder
	b.WriteString(f.Exception.Type)
	for _, fr := range f.Exception.Frames {
		fmt.Fprintf(&b, "|%s:%d", fr.Path, fr.Line)
	}
	return b.String()
}

// Inspection describes a live value for a hover (see pyruntime.Inspection).
type Inspection = pyruntime.Inspection

// Inspect describes the value of expr, a module global or an attribute
// chain starting at one, in the module whose file is path, where it stands
// at line (1-based) and col (0-based code points); nil when it is not a
// global of a module the runtime has loaded. It never starts a runtime and
// never waits for a run: while one runs, the answer has no value.
func (e *Engine) Inspect(ctx context.Context, path, expr string, line, col int) (*Inspection, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return nil, err
	}
	return e.runtime.Inspect(ctx, pyruntime.Request{Module: mod.Name, Path: mod.Path, Expr: expr, Line: line, Col: col})
}
