package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"go.uber.org/zap"
)

// ErrRestarted is what calls in flight report when [Runtime.Restart] kills
// the process under them.
var ErrRestarted = errors.New("pyruntime: runtime restarted")

// DefaultInterruptGrace is how long interrupted code gets to stop by default:
// long enough for finally blocks and context managers to clean up, short
// enough that a stuck C call does not leave the user waiting.
const DefaultInterruptGrace = 3 * time.Second

// stableAfter is how long a process must live for its death not to count as a
// failed start: a process that dies sooner is probably dying on every start.
const stableAfter = 10 * time.Second

// backoff returns how long to wait before the next start after n failures in
// a row. The first restart is immediate; n² backoff is smoother than the usual
// 2ⁿ, and 10 s keeps a broken setup from spinning without making a fixed one
// wait long.
func backoff(n int) time.Duration {
	return min(time.Duration(n*n)*100*time.Millisecond, 10*time.Second)
}

// Config says how to start the Python process.
type Config struct {
	// Python is the command line that starts the interpreter, such as
	// ["/usr/bin/python3"] or ["uv", "run", "python"]. If Python is empty,
	// each start finds one with FindPython(nil, Dir, nil).
	Python []string
	// Dir is the working directory of the process and the workspace where
	// FindPython looks for a virtual environment. If Dir is empty, the
	// process runs in the server's directory.
	Dir string
	// Env holds "KEY=value" entries added to the server's environment.
	// If Env is empty, the process gets the server's environment unchanged.
	Env []string
	// SysPath is put at the front of sys.path at start, in this order.
	SysPath []string
	// WorkspaceRoots are the folders whose modules are the user's; only
	// those are re-run as importers of a reloaded module. If WorkspaceRoots
	// is empty, only modules loaded through reload requests count.
	WorkspaceRoots []string
	// Preload names modules imported at start so requests find them warm.
	Preload []string
	// InterruptGrace is how long interrupted code gets to stop before the
	// process is killed and restarted. Zero means DefaultInterruptGrace.
	InterruptGrace time.Duration

	// Stderr receives what the process writes to its real stderr: C-level
	// output, faulthandler tracebacks, interpreter errors. Nil discards it.
	Stderr io.Writer
	// OnOutput receives output user code wrote while no request was running,
	// such as prints from a background thread. Nil drops it.
	OnOutput func(Event)
	// OnStart, if not nil, is called after each successful start.
	OnStart func(Started)
	// OnExit, if not nil, is called when the process dies while no request
	// runs on it; a request running when the process dies gets the error
	// from its call instead. Either way a new process is started at once
	// (with backoff if processes keep dying young).
	OnExit func(error)
	// Logger receives debug and warning logs. Nil means no logging.
	Logger *zap.Logger
}

// Started describes a process that has become ready.
type Started struct {
	Pid      int
	Argv     []string
	Duration time.Duration // from exec to preloads done
	// PreloadErrors maps each preload module that failed to import to why.
	PreloadErrors map[string]*Exception
}

// Runtime supervises one Python process at a time. Its methods are safe for
// concurrent use; requests run one after another in the process, in the order
// they were sent.
type Runtime struct {
	cfg    Config
	logger *zap.Logger
	// ctx is the processes' long-lived context, canceled by Close.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex // guards the fields below
	proc     *process   // the ready process, or nil
	starting *attempt   // the start in progress, or nil
	failures int        // failed starts and early deaths in a row
	closed   bool
}

type attempt struct {
	done chan struct{} // closed when proc or err is set
	err  error
}

// New returns a Runtime that starts its process on first use or on Start.
func New(cfg Config) *Runtime {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.InterruptGrace == 0 {
		cfg.InterruptGrace = DefaultInterruptGrace
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Runtime{cfg: cfg, logger: cfg.Logger, ctx: ctx, cancel: cancel}
}

// Start starts the process now, if it is not running, and waits until it is
// ready with its preloads imported.
func (r *Runtime) Start(ctx context.Context) error {
	_, err := r.ensure(ctx)
	return err
}

// Call sends req to the process, starting one if needed, and returns the
// reply. onEvent, if not nil, receives the request's output as it happens.
// If the process dies during the call, Call returns an *ExitError (wrapped
// with ErrInterrupted or ErrRestarted when the server killed it).
func (r *Runtime) Call(ctx context.Context, req Request, onEvent func(Event)) (Reply, error) {
	p, err := r.ensure(ctx)
	if err != nil {
		return Reply{}, err
	}
	return p.call(ctx, req, onEvent)
}

// Interrupt raises KeyboardInterrupt in the code running in the process and
// reports whether any was running. If the code is still running after the
// grace period, the process is killed (the call fails with ErrInterrupted)
// and a new one started.
func (r *Runtime) Interrupt(ctx context.Context) (bool, error) {
	r.mu.Lock()
	p := r.proc
	r.mu.Unlock()
	if p == nil {
		return false, nil
	}
	busy, finished := p.busy()
	if !busy {
		return false, nil
	}
	// The agent's reader thread answers even while user code holds the main
	// thread; if C code holds the GIL it cannot, and the grace timer decides.
	go func() {
		// Not ctx: the caller's request may end before the agent answers.
		if _, err := p.call(r.ctx, Request{Op: "interrupt"}, nil); err != nil {
			r.logger.Debug("interrupt not acknowledged", zap.Error(err))
		}
	}()
	grace := r.cfg.InterruptGrace
	time.AfterFunc(grace, func() {
		if stillBusy, nowFinished := p.busy(); stillBusy && nowFinished == finished {
			r.logger.Info("interrupted code did not stop; killing the runtime", zap.Duration("grace", grace))
			p.kill(fmt.Errorf("%w: code still running %v after the interrupt, so the runtime was killed and restarted", ErrInterrupted, grace))
		}
	})
	return true, nil
}

// Restart kills the process, if any, and starts a new one.
func (r *Runtime) Restart(ctx context.Context) error {
	r.mu.Lock()
	p := r.proc
	r.proc = nil
	r.failures = 0
	r.mu.Unlock()
	if p != nil {
		p.kill(ErrRestarted)
		<-p.done
	}
	return r.Start(ctx)
}

// Pid returns the process id of the running process, or 0 if there is none.
func (r *Runtime) Pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil || r.proc.exited() {
		return 0
	}
	return r.proc.pid
}

// Close kills the process and waits until it is gone. Calls in flight and
// later calls fail with ErrClosed.
func (r *Runtime) Close() error {
	r.mu.Lock()
	r.closed = true
	p, a := r.proc, r.starting
	r.proc = nil
	r.mu.Unlock()
	r.cancel()
	if a != nil {
		<-a.done
	}
	if p != nil {
		p.kill(ErrClosed)
		<-p.done
	}
	return nil
}

// ensure returns the ready process, starting one if there is none.
func (r *Runtime) ensure(ctx context.Context) (*process, error) {
	r.mu.Lock()
	for {
		if r.closed {
			r.mu.Unlock()
			return nil, ErrClosed
		}
		if p := r.proc; p != nil && !p.exited() {
			r.mu.Unlock()
			return p, nil
		}
		a := r.startLocked()
		r.mu.Unlock()
		select {
		case <-a.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if a.err != nil {
			return nil, a.err
		}
		r.mu.Lock()
	}
}

// startLocked begins a start unless one is in progress, and returns it.
func (r *Runtime) startLocked() *attempt {
	if r.starting != nil {
		return r.starting
	}
	a := &attempt{done: make(chan struct{})}
	r.starting = a
	go r.run(a, backoff(r.failures))
	return a
}

func (r *Runtime) run(a *attempt, delay time.Duration) {
	if delay > 0 {
		r.logger.Info("waiting before restart", zap.Duration("delay", delay))
		select {
		case <-time.After(delay):
		case <-r.ctx.Done():
		}
	}
	p, err := r.launch()
	r.mu.Lock()
	r.starting = nil
	switch {
	case err != nil:
		r.failures++
	case r.closed:
		err = ErrClosed
	default:
		r.proc = p
	}
	a.err = err
	r.mu.Unlock()
	if p != nil && err != nil {
		p.kill(ErrClosed)
		<-p.done
	}
	close(a.done)
	if err == nil {
		go r.watch(p)
	}
}

// launch starts a process and sets it up: sys.path, working directory, preloads.
func (r *Runtime) launch() (*process, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, ErrClosed
	}
	argv, err := FindPython(r.cfg.Python, r.cfg.Dir, nil)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	p, err := startProcess(r.ctx, argv, &r.cfg, r.logger)
	if err != nil {
		return nil, err
	}
	reply, err := p.call(r.ctx, Request{Op: "setup", SysPath: r.cfg.SysPath, WorkspaceRoots: r.cfg.WorkspaceRoots, Preload: r.cfg.Preload, Cwd: r.cfg.Dir}, r.cfg.OnOutput)
	if err != nil {
		p.kill(ErrClosed)
		<-p.done
		return nil, &StartError{Argv: argv, Err: err}
	}
	started := Started{Pid: p.pid, Argv: argv, Duration: time.Since(began), PreloadErrors: reply.PreloadErrors}
	r.logger.Info("runtime ready", zap.Int("pid", p.pid), zap.Strings("argv", argv), zap.Duration("took", started.Duration))
	if r.cfg.OnStart != nil {
		r.cfg.OnStart(started)
	}
	return p, nil
}

// watch waits for p to exit, reports an unexpected death and starts anew.
func (r *Runtime) watch(p *process) {
	<-p.done
	p.mu.Lock()
	reason, busy := p.killReason, p.running > p.finished
	p.mu.Unlock()

	r.mu.Lock()
	if r.proc == p {
		r.proc = nil
	}
	if reason == nil {
		if time.Since(p.start) < stableAfter {
			r.failures++
		} else {
			r.failures = 0
		}
	}
	// Restart and Close start (or not) on their own; every other death gets a
	// fresh process right away so the next request finds it warm.
	if !r.closed && !errors.Is(reason, ErrRestarted) && !errors.Is(reason, ErrClosed) {
		r.startLocked()
	}
	r.mu.Unlock()

	r.logger.Info("runtime exited", zap.Int("pid", p.pid), zap.Error(p.exitErr))
	if reason == nil && !busy && r.cfg.OnExit != nil {
		r.cfg.OnExit(p.exitErr)
	}
}
