package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// ErrAppRunning is what StartApp returns while an app runs.
var ErrAppRunning = errors.New("pyruntime: an app is running already")

// ErrNoApp is what StopApp returns when no app runs.
var ErrNoApp = errors.New("pyruntime: no app is running")

// ErrAttachedApp is what StartApp returns for an attached runtime: the
// process is someone else's program already.
var ErrAttachedApp = errors.New("pyruntime: an attached app cannot run another program")

// errAppStopped is what an app's process is killed with when it did not
// stop within the grace period after StopApp's SIGINT.
var errAppStopped = errors.New("pyruntime: the app did not stop after SIGINT, so it was killed")

// DefaultAppStopGrace is how long an app gets to stop after SIGINT before
// it is killed: web servers finish the requests in flight and run their
// shutdown hooks in that time (uvicorn, for one, waits for open
// connections), and 5 s is as long as a user waits for Ctrl-C.
const DefaultAppStopGrace = 5 * time.Second

// AppError reports an app that could not start: its script or module does
// not exist, or its arguments ask for what a running Python cannot do.
type AppError struct {
	Args []string
	// Message is why, as Python would say it.
	Message string
}

func (e *AppError) Error() string {
	return fmt.Sprintf("pyruntime: cannot run python %s: %s", strings.Join(e.Args, " "), e.Message)
}

// AppExit describes how an app's process ended.
type AppExit struct {
	Pid int
	// Code is the exit status, or -1 when a signal ended the process.
	Code int
	// Signal is the signal that ended it, zero if it exited by itself.
	Signal syscall.Signal
	// Stopped reports an end the server asked for (StopApp, Restart,
	// Close): not the program's own doing.
	Stopped bool
	// Reason is why the server killed the process (ErrInterrupted: a
	// reload ignored an interrupt), nil if it ended by itself or after
	// StopApp's SIGINT.
	Reason error
	// Stderr holds the last lines the process wrote to its real stderr.
	Stderr string
}

// Status says how the app ended in a user's words: "exited with status
// 0", "was killed by signal 11 (segmentation fault)".
func (x AppExit) Status() string {
	if x.Signal != 0 {
		return fmt.Sprintf("was killed by signal %d (%v)", int(x.Signal), x.Signal)
	}
	return fmt.Sprintf("exited with status %d", x.Code)
}

// StartApp runs `python args…` as __main__ in a new process forked from
// the zygote (the preloads already imported), which becomes the current
// process: reloads, evaluations and inspections go to the app while it
// runs, on the agent's own thread, as the app's main thread runs the
// program. It returns the app's pid once the program has started, or an
// *AppError if it cannot (its script or module does not exist).
//
// When the app ends, OnAppExit says how, and a fresh process (the spare)
// takes its place: the app is not started again.
func (r *Runtime) StartApp(ctx context.Context, args []string) (int, error) {
	if r.cfg.Attach != "" {
		return 0, ErrAttachedApp
	}
	r.appMu.Lock()
	defer r.appMu.Unlock()
	if r.AppPid() != 0 {
		return 0, ErrAppRunning
	}
	r.freshMu.Lock()
	p, err := r.appProcess(ctx)
	var c *call
	if err == nil {
		p.appMu.Lock()
		p.app = true
		p.appMu.Unlock()
		r.mu.Lock()
		r.app = p
		r.mu.Unlock()
		c, err = p.send(r.paths.request(Request{Op: "app", Args: args, Cwd: r.cfg.Dir}), nil)
	}
	r.freshMu.Unlock()
	if err != nil {
		r.dropApp(p)
		return 0, fmt.Errorf("pyruntime: start app: %w", err)
	}
	reply, err := p.wait(ctx, c, nil)
	if err == nil && reply.Error != nil {
		err = &AppError{Args: args, Message: reply.Error.Message}
	}
	if err != nil {
		// The process is a fresh one that runs nothing: it stays as the
		// current process.
		r.dropApp(p)
		return 0, err
	}
	return p.pid, nil
}

// appProcess returns a process nothing has run in, made the current one.
func (r *Runtime) appProcess(ctx context.Context) (*process, error) {
	if _, err := r.ensure(ctx); err != nil {
		return nil, err
	}
	r.mu.Lock()
	noFork := r.noFork
	r.mu.Unlock()
	if !noFork {
		p, old, err := r.renew(ctx)
		if err != nil {
			return nil, err
		}
		// An app runs for long: the process it replaces goes, and the next
		// spare is forked, now.
		r.afterFresh(old)
		return p, nil
	}
	// Started directly: a restart is the only way to a clean process.
	if err := r.Restart(ctx); err != nil {
		return nil, err
	}
	return r.ensure(ctx)
}

// dropApp forgets that p runs an app.
func (r *Runtime) dropApp(p *process) {
	if p == nil {
		return
	}
	p.appMu.Lock()
	p.app = false
	p.appMu.Unlock()
	r.mu.Lock()
	if r.app == p {
		r.app = nil
	}
	r.mu.Unlock()
}

// StopApp sends the app SIGINT, as Ctrl-C in a terminal would, and waits
// until it has exited; an app still running after the grace period
// (Config.AppStopGrace) or when ctx ends is killed. OnAppExit reports the
// end with Stopped set.
func (r *Runtime) StopApp(ctx context.Context) error {
	r.appMu.Lock()
	defer r.appMu.Unlock()
	r.mu.Lock()
	p := r.app
	r.mu.Unlock()
	if p == nil || p.exited() {
		return ErrNoApp
	}
	p.appMu.Lock()
	p.appStopping = true
	p.appMu.Unlock()
	go func() {
		// Not ctx: the caller may stop waiting before the agent answers.
		if _, err := p.call(r.ctx, Request{Op: "signal", Signal: int(syscall.SIGINT)}, nil); err != nil {
			r.logger.Debug("stop app", zap.Error(err))
		}
	}()
	grace := r.cfg.AppStopGrace
	if grace == 0 {
		grace = DefaultAppStopGrace
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
		r.logger.Info("the app did not stop after SIGINT; killing it", zap.Duration("grace", grace))
		p.kill(errAppStopped)
	case <-ctx.Done():
		p.kill(errAppStopped)
	}
	<-p.done
	return nil
}

// AppPid returns the pid of the process running the app, or 0 if no app
// runs.
func (r *Runtime) AppPid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.app == nil || r.app.exited() {
		return 0
	}
	return r.app.pid
}

// appExited reports the end of p, which ran the app, through OnAppExit.
func (r *Runtime) appExited(p *process, reason error) {
	p.appMu.Lock()
	stopping := p.appStopping
	p.appMu.Unlock()
	x := AppExit{Pid: p.pid, Code: -1, Reason: reason}
	x.Stopped = stopping || errors.Is(reason, ErrClosed) || errors.Is(reason, ErrRestarted) || errors.Is(reason, errReplaced)
	var exit *ExitError
	if errors.As(p.exitErr, &exit) {
		x.Code, x.Signal, x.Stderr = exit.Code, exit.Signal, exit.Stderr
	}
	r.logger.Info("app exited", zap.Int("pid", p.pid), zap.Error(p.exitErr))
	if r.cfg.OnAppExit != nil {
		r.cfg.OnAppExit(x)
	}
}

// runsApp reports whether p runs an app.
func (p *process) runsApp() bool {
	p.appMu.Lock()
	defer p.appMu.Unlock()
	return p.app
}

// Inspect sends an inspect request to the current process and returns its
// description of the value, nil when the name is not a global of a loaded
// module. It never starts a process, and the agent answers it at once
// while code runs, so it never waits for a reload.
func (r *Runtime) Inspect(ctx context.Context, req Request) (*Inspection, error) {
	req.Op = "inspect"
	reply, err := r.callCurrent(ctx, req)
	return reply.Inspection, err
}

// Loaded reports whether the current process has loaded the module of
// req's Module and Path (for an app, its __main__ counts), without starting
// a process.
func (r *Runtime) Loaded(ctx context.Context, req Request) (bool, error) {
	req.Op = "loaded"
	reply, err := r.callCurrent(ctx, req)
	return reply.Loaded, err
}

// Prepare asks the current process to compile the editor's text of the
// module of req's Module and Path (in Code) as its next save would, so that
// the save, if it reads the same bytes from the file, runs that code
// rather than compiling it. It never starts a process; the reply says
// whether the code was kept (a module not loaded, a syntax error or a
// warning while compiling leave it to the save).
func (r *Runtime) Prepare(ctx context.Context, req Request) (bool, error) {
	req.Op = "prepare"
	reply, err := r.callCurrent(ctx, req)
	return reply.Prepared, err
}

// Warm asks the current process to run the agent's own start of a save of
// the module of req's Module and Path, and nothing else: no code runs and
// nothing changes. The editor is about to save the file, and after a pause
// the processor has let go of the agent's code and data; a warm request a
// few milliseconds before the save fetches them again, so the save does
// not. It never starts a process; the reply says whether the process has
// loaded the module (for an app, its __main__ counts).
func (r *Runtime) Warm(ctx context.Context, req Request) (bool, error) {
	req.Op = "warm"
	reply, err := r.callCurrent(ctx, req)
	return reply.Loaded, err
}

// Changed tells the current process that the files of req's Paths, not
// Python code, changed (a template saved), so that what its frameworks
// keep of them goes, and returns its reply: what went (Dropped), which
// adapters failed (Failed). It never starts a process: one that has not
// started has kept nothing.
func (r *Runtime) Changed(ctx context.Context, req Request) (Reply, error) {
	req.Op = "changed"
	return r.callCurrent(ctx, req)
}

// callCurrent sends req to the current process, if there is one: the zero
// Reply when there is none, as a process that has loaded nothing answers.
func (r *Runtime) callCurrent(ctx context.Context, req Request) (Reply, error) {
	r.mu.Lock()
	p := r.proc
	r.mu.Unlock()
	if p == nil || p.exited() {
		return Reply{}, nil
	}
	reply, err := p.call(ctx, r.paths.request(req), nil)
	if err != nil {
		return Reply{}, err
	}
	return r.paths.reply(reply), nil
}
