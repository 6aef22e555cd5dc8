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

// errReplaced is what a process is killed with when a fresh one has taken
// its place (CallFresh) and it has answered its calls.
var errReplaced = errors.New("pyruntime: replaced by a fresh process")

// refillDelay is how long after a process takes over (at start, after a
// death, after a restart) the next spare is forked, and how long into a
// fresh run at most. The next request usually comes at once, such as the
// save after a crash report, and a fork meanwhile would hold the zygote
// that relays its lines for milliseconds; 50 ms is enough for a small
// request to finish and far less than it takes a user to save again.
const refillDelay = 50 * time.Millisecond

// stableAfter is how long a process must live for a death while it runs no
// code not to count as a failed start: a process that dies sooner by itself
// is probably dying on every start.
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
	// PathMap maps folders on this machine to where the interpreter sees
	// them, for a Python on another machine (Python is an ssh or docker exec
	// command line): paths in requests (Dir included, as the interpreter's
	// working directory) are translated to remote ones, and the paths in
	// replies (tracebacks, warnings) back to local ones. The longest
	// matching folder wins; only whole path components match. If PathMap
	// is empty, paths pass unchanged.
	PathMap map[string]string
	// Attach, if set, is the Unix socket of a running app that serves the
	// agent (see AgentSource): requests run in that app instead of in a
	// process the runtime starts, Python and PathMap are unused, and the
	// app is never restarted or killed, only disconnected from.
	Attach string

	// Stderr receives what the process writes to its real stderr: C-level
	// output, faulthandler tracebacks, interpreter errors. Nil discards it.
	Stderr io.Writer
	// OnOutput receives output user code wrote while no request was running,
	// such as prints from a background thread. Nil drops it.
	OnOutput func(Event)
	// OnStart, if not nil, is called after each successful start.
	OnStart func(Started)
	// OnRenewed, if not nil, hears the outcome of each renewal of the
	// zygote the runtime made itself, before a start or a fresh run,
	// because path, a file the zygote holds, changed outside the editor
	// (see RenewZygote for err).
	OnRenewed func(path string, err error)
	// OnExit, if not nil, is called when the process dies while no request
	// runs on it; a request running when the process dies gets the error
	// from its call instead. Either way a new process is started at once
	// (with backoff if processes keep dying young).
	OnExit func(error)
	// OnAppExit, if not nil, is called when the process running an app
	// (StartApp) has ended, however it ended; OnExit is not called for it.
	OnAppExit func(AppExit)
	// AppStopGrace is how long StopApp waits after SIGINT before it kills
	// the app. Zero means DefaultAppStopGrace.
	AppStopGrace time.Duration
	// Logger receives debug and warning logs. Nil means no logging.
	Logger *zap.Logger

	// localDir, when set, is the local Dir of a Config whose paths were
	// translated for the agent (pathMap.config).
	localDir string
	// newGroup makes the process group of each interpreter started. If
	// newGroup is nil, it is this OS's (newProcessGroup); tests use fakes.
	newGroup func() processGroup
}

// Started describes a process that has become ready.
type Started struct {
	Pid      int
	Argv     []string
	Duration time.Duration // from asking for a process to its being ready
	// Forked reports a process forked from a zygote that was already
	// running, with its preloads imported: a restart that cost no import.
	Forked bool
	// PreloadErrors maps each preload module that failed to import to why.
	// It is set when the preloads ran, so not for a Forked process.
	PreloadErrors map[string]*Exception
	// DataReads says, for each of the preloads' workspace modules that read
	// data files as it ran, which: the process starts with what they made
	// of them. Set for a Forked process too.
	DataReads []DataRead
}

// Runtime supervises the process that runs the user's code. Its methods are
// safe for concurrent use; requests run one after another in the process,
// in the order they were sent.
//
// The process is forked from a zygote: an interpreter that has imported the
// preloads and runs no user code. A spare worker forked ahead of time takes
// over at once when the current one dies or is restarted, and CallFresh
// runs each request in a new one. Where Python cannot fork, the process is
// an interpreter started directly and every start imports the preloads.
type Runtime struct {
	cfg    Config
	paths  pathMap // cfg.PathMap, applied to every request and reply
	logger *zap.Logger
	// ctx is the processes' long-lived context, canceled by Close.
	ctx    context.Context
	cancel context.CancelFunc

	freshMu sync.Mutex // makes taking a fresh process and sending to it one step
	appMu   sync.Mutex // serializes StartApp and StopApp

	// background counts the goroutines that watch processes and fork
	// spares: Close waits for them, so none logs after it returns.
	background sync.WaitGroup

	mu     sync.Mutex // guards the fields below
	zyg    *zygote    // the zygote, or nil
	noFork bool       // Python cannot fork: processes are started directly
	proc   *process   // the current process, or nil
	spare  *process   // a ready worker to take over, or nil
	// forking is closed when the spare being forked is ready (or failed);
	// nil when none is being forked.
	forking chan struct{}
	// renewing is the latest renewal asked for by RenewZygote that has not
	// ended (taken the current zygote's place, or failed to); nil when
	// none. Starts and fresh runs wait for its done.
	renewing *renewal
	// queuedRenewal is the renewal asked for that has not begun to start
	// its zygote (it waits for another renewal to end, or for its save's
	// run); nil when none waits. RenewZygote joins it.
	queuedRenewal *renewal
	// stopRenewal ends the start of the zygote a renewal is starting
	// (Interrupt); nil when none is being started.
	stopRenewal context.CancelFunc
	// retired holds the zygotes RenewZygote replaced whose workers still
	// run (the current process, the app): each is closed once none does.
	retired  []*zygote
	starting *attempt // the start in progress, or nil
	failures int      // failed starts and early deaths in a row
	closed   bool
	app      *process // the process running an app, or nil
	// refillDelay is how long a takeover or a fresh run waits to fork the
	// next spare: the constant refillDelay, which tests change.
	refillDelay time.Duration
	// interrupts counts Interrupt calls; a Ticket holds its value.
	interrupts uint64
	// unsent counts calls between their start and their request reaching
	// the process: work an interrupt stops though no process runs it yet.
	unsent int
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
	paths := newPathMap(cfg.PathMap)
	if onOutput := cfg.OnOutput; onOutput != nil {
		// A failure's traceback names the interpreter's files: map them back.
		cfg.OnOutput = func(ev Event) {
			ev.Exception = paths.exception(ev.Exception)
			ev.Note = paths.note(ev.Note)
			onOutput(ev)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Runtime{cfg: cfg, paths: paths, logger: cfg.Logger, ctx: ctx, cancel: cancel, refillDelay: refillDelay}
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
//
// If ctx ends before the reply, Call returns ctx's error at once and stops
// the request in Python: KeyboardInterrupt in its code if it runs, at its
// start if it waits behind another (see Request.Stop to stop it and still
// wait for the reply). An Interrupt made after req.Ticket was taken stops
// it too, even if it had not reached the process yet.
func (r *Runtime) Call(ctx context.Context, req Request, onEvent func(Event)) (Reply, error) {
	return r.call(ctx, req, onEvent, false)
}

// CallFresh is Call in a new process forked from the zygote, which then
// becomes the current process: nothing earlier requests did is in it, yet
// the preloads are. The previous process answers the calls it has and is
// then killed. Where Python cannot fork, CallFresh is Call.
func (r *Runtime) CallFresh(ctx context.Context, req Request, onEvent func(Event)) (Reply, error) {
	return r.call(ctx, req, onEvent, true)
}

func (r *Runtime) call(ctx context.Context, req Request, onEvent func(Event), fresh bool) (Reply, error) {
	ticket := req.Ticket
	if !ticket.taken {
		ticket = r.Ticket()
	}
	// An Interrupt after the ticket and before the call is counted in the
	// process did not see it: the request then goes out stopped.
	stale := func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.interrupts != ticket.interrupts
	}
	r.mu.Lock()
	r.unsent++
	r.mu.Unlock()
	var p *process
	var c *call
	var err error
	if fresh {
		var old *process
		r.freshMu.Lock()
		if p, old, err = r.renew(ctx); err == nil {
			c, err = p.sendUnless(r.paths.request(req), onEvent, stale)
		}
		r.freshMu.Unlock()
		// The replaced process goes and the next spare is forked once the
		// run has replied, or refillDelay into a longer run: a short run
		// has the machine to itself, and a long one neither keeps the old
		// process's memory nor leaves the next save without a spare.
		r.mu.Lock()
		delay := r.refillDelay
		r.mu.Unlock()
		settle := sync.OnceFunc(func() { r.afterFresh(old) })
		timer := time.AfterFunc(delay, settle)
		defer func() {
			timer.Stop()
			settle()
		}()
	} else if p, err = r.ensure(ctx); err == nil {
		c, err = p.sendUnless(r.paths.request(req), onEvent, stale)
	}
	r.mu.Lock()
	r.unsent--
	r.mu.Unlock()
	if err != nil {
		return Reply{}, err
	}
	if req.Sent != nil {
		req.Sent()
	}
	stop := req.Stop
	for {
		reply, err := p.wait(ctx, c, stop)
		switch {
		case errors.Is(err, errStopped):
			r.interruptCall(p, c, r.interruptedReason())
			stop = nil // wait on for the reply
			continue
		case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
			taken := r.interruptCall(p, c, fmt.Errorf("%w: the request was cancelled, and its code still ran %v after the interrupt, so the runtime was killed and restarted", ErrInterrupted, r.cfg.InterruptGrace))
			// Once the agent has it, nothing the caller sends next can run
			// before the request stops. C code holding the GIL keeps the
			// agent from answering; the grace period bounds the wait.
			select {
			case <-taken:
			case <-time.After(r.cfg.InterruptGrace):
			}
		}
		return r.paths.reply(reply), err
	}
}

// afterFresh retires old, the process a fresh one replaced (nil if none),
// and forks the next spare. Neither should happen while a short fresh run
// runs: a fork holds the single-threaded zygote, which relays the run's
// lines, for as long as it copies the page tables of a heap with numpy and
// pandas in it (several milliseconds on a small VM), and a killed
// process's teardown takes a core.
func (r *Runtime) afterFresh(old *process) {
	if old != nil {
		old.retire(errReplaced)
	}
	r.mu.Lock()
	r.refillLocked()
	r.mu.Unlock()
}

// renew makes a fresh worker the current process and returns it with the
// process it replaced, which the caller retires. The worker is the spare,
// or the one being forked, or else one forked now.
func (r *Runtime) renew(ctx context.Context) (p, old *process, err error) {
	current, err := r.ensure(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := r.awaitRenewal(ctx); err != nil {
		return nil, nil, err
	}
	r.renewIfHeldChanged()
	for {
		r.mu.Lock()
		z, forking := r.zyg, r.forking
		p, r.spare = r.spare, nil
		r.mu.Unlock()
		if z == nil {
			r.logger.Debug("no zygote: a fresh run runs in place")
			return current, nil, nil
		}
		if p != nil && !p.exited() {
			break
		}
		if forking == nil {
			if p, err = z.fork(ctx); err != nil {
				return nil, nil, err
			}
			break
		}
		// A spare is on its way: a second fork would only compete with it.
		select {
		case <-forking:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		p.kill(ErrClosed)
		return nil, nil, ErrClosed
	}
	old = r.proc
	r.proc = p
	p.grace = r.cfg.InterruptGrace
	r.background.Add(1) // for the watch below
	r.mu.Unlock()
	go r.watch(p)
	return p, old, nil
}

// Restart kills the process, if any, and puts a new one in its place: the
// spare, when one is ready.
func (r *Runtime) Restart(ctx context.Context) error {
	if r.cfg.Attach != "" {
		return ErrNoRestart
	}
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

// Pid returns the process id of the current process, or 0 if there is none.
// For a runtime on another machine it is that machine's process id.
func (r *Runtime) Pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil || r.proc.exited() {
		return 0
	}
	return r.proc.pid
}

// Pids returns the process ids of every process the runtime is running: the
// zygote, the current process and the spare. Tests use it to check that none
// outlives the runtime.
func (r *Runtime) Pids() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var pids []int
	for _, z := range append([]*zygote{r.zyg}, r.retired...) {
		if z != nil && z.alive() {
			pids = append(pids, z.self.pid)
		}
	}
	for _, p := range []*process{r.proc, r.spare} {
		if p != nil && !p.exited() {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// Close kills every process and waits until they are gone. Calls in flight
// and later calls fail with ErrClosed.
func (r *Runtime) Close() error {
	r.mu.Lock()
	r.closed = true
	p, spare, z, a, retired := r.proc, r.spare, r.zyg, r.starting, r.retired
	r.proc, r.spare, r.zyg, r.retired = nil, nil, nil, nil
	r.mu.Unlock()
	r.cancel()
	if a != nil {
		<-a.done
		// A start that finished meanwhile has seen closed and ended its process.
	}
	for _, q := range []*process{p, spare} {
		if q != nil {
			q.kill(ErrClosed)
		}
	}
	for _, z := range append(retired, z) {
		if z != nil {
			z.close(ErrClosed)
		}
	}
	for _, q := range []*process{p, spare} {
		if q != nil {
			<-q.done
		}
	}
	r.background.Wait()
	return nil
}

// ensure returns the current process, starting one if there is none.
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
	p, started, err := r.next()
	r.mu.Lock()
	r.starting = nil
	switch {
	case r.closed:
		// Close cancels the start: whatever it failed with, the runtime
		// was closed, which is no failure to start.
		err = ErrClosed
	case err != nil:
		r.failures++
	default:
		r.proc = p
		p.grace = r.cfg.InterruptGrace
		r.refillSoon()
		r.background.Add(1) // for the watch below
	}
	a.err = err
	r.mu.Unlock()
	if p != nil && err != nil {
		p.kill(ErrClosed)
		<-p.done
	}
	if err == nil {
		r.logger.Info("runtime ready", zap.Int("pid", p.pid), zap.Bool("forked", started.Forked), zap.Duration("took", started.Duration))
		if r.cfg.OnStart != nil {
			r.cfg.OnStart(started)
		}
		go r.watch(p)
	}
	close(a.done)
}

// next returns a ready process to become the current one: the spare if one
// is ready; else a worker forked from the zygote, starting the zygote first
// if it is not running; else, where Python cannot fork, an interpreter
// started directly.
func (r *Runtime) next() (*process, Started, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, Started{}, ErrClosed
	}
	began := time.Now()
	if err := r.awaitRenewal(r.ctx); err != nil {
		return nil, Started{}, ErrClosed
	}
	r.renewIfHeldChanged()
	r.mu.Lock()
	z, spare, noFork := r.zyg, r.spare, r.noFork
	r.spare = nil
	r.mu.Unlock()
	if spare != nil && !spare.exited() {
		return spare, Started{Pid: spare.pid, Argv: z.cmd.argv, Duration: time.Since(began), Forked: true, DataReads: r.paths.dataReads(z.dataReads)}, nil
	}
	if r.cfg.Attach != "" {
		return r.attach(began)
	}
	argv, err := FindPython(r.cfg.Python, r.cfg.Dir, nil)
	if err != nil {
		return nil, Started{}, err
	}
	if noFork {
		return r.startDirect(argv, began)
	}
	started := Started{Argv: argv, Forked: true}
	if z == nil || !z.alive() {
		z, err = r.startZygote(argv)
		if errors.Is(err, errNoFork) {
			r.logger.Warn("this Python cannot fork: every restart imports the preloads again, and fresh runs run in place", zap.Strings("argv", argv))
			r.mu.Lock()
			r.noFork = true
			r.mu.Unlock()
			return r.startDirect(argv, began)
		}
		if err != nil {
			return nil, Started{}, err
		}
		r.noteOnDisk(z)
		r.mu.Lock()
		closed := r.closed
		if !closed {
			r.zyg = z
		}
		r.mu.Unlock()
		if closed {
			z.close(ErrClosed)
			return nil, Started{}, ErrClosed
		}
		started.Forked = false
		started.PreloadErrors = r.paths.exceptions(z.preloadErrors)
	}
	p, err := z.fork(r.ctx)
	if err != nil {
		return nil, Started{}, &StartError{Argv: argv, Err: err}
	}
	started.Pid, started.Duration = p.pid, time.Since(began)
	started.DataReads = r.paths.dataReads(z.dataReads)
	return p, started, nil
}

// startDirect starts an interpreter that serves the agent itself and sets it
// up: sys.path, working directory, preloads.
func (r *Runtime) startDirect(argv []string, began time.Time) (*process, Started, error) {
	p, err := startDirect(r.ctx, argv, &r.cfg, r.logger)
	if err != nil {
		return nil, Started{}, err
	}
	reply, err := p.call(r.ctx, r.paths.request(Request{Op: "setup", SysPath: r.cfg.SysPath, WorkspaceRoots: r.cfg.WorkspaceRoots, Preload: r.cfg.Preload, Cwd: r.cfg.Dir}), r.cfg.OnOutput)
	if err != nil {
		p.kill(ErrClosed)
		<-p.done
		return nil, Started{}, &StartError{Argv: argv, Err: err}
	}
	return p, Started{Pid: p.pid, Argv: argv, Duration: time.Since(began), PreloadErrors: r.paths.exceptions(reply.PreloadErrors), DataReads: r.paths.dataReads(reply.DataReads)}, nil
}

// refillSoon forks a spare r.refillDelay from now, unless one is ready or on
// its way by then.
func (r *Runtime) refillSoon() {
	time.AfterFunc(r.refillDelay, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.refillLocked()
	})
}

// refillLocked forks a spare in the background unless one is ready or on
// its way.
func (r *Runtime) refillLocked() {
	z := r.zyg
	if r.closed || r.forking != nil || z == nil || !z.alive() || (r.spare != nil && !r.spare.exited()) {
		return
	}
	forking := make(chan struct{})
	r.forking = forking
	r.background.Add(1)
	go func() {
		defer r.background.Done()
		p, err := z.fork(r.ctx)
		r.mu.Lock()
		r.forking = nil
		keep := err == nil && !r.closed && r.zyg == z && r.spare == nil
		if keep {
			r.spare = p
		}
		if r.zyg != z {
			r.refillLocked() // the zygote was renewed meanwhile: a spare of the new one
		}
		r.mu.Unlock()
		close(forking)
		switch {
		case err != nil:
			r.logger.Debug("fork a spare", zap.Error(err))
		case !keep:
			p.kill(ErrClosed)
		}
	}()
}

// watch waits for p to exit, reports an unexpected death and puts a new
// process in its place.
func (r *Runtime) watch(p *process) {
	defer r.background.Done()
	<-p.done
	p.mu.Lock()
	reason, busy := p.killReason, p.running > p.finished
	p.mu.Unlock()

	r.mu.Lock()
	current := r.proc == p
	if current {
		r.proc = nil
	}
	app := r.app == p
	if app {
		r.app = nil
	}
	// A death while code ran is the code's doing (os._exit, a segfault):
	// the next request deserves a new process at once. A process that dies
	// young by itself is probably dying on every start. An app's end is
	// the program's.
	if reason == nil && !busy && !app {
		if time.Since(p.start) < stableAfter {
			r.failures++
		} else {
			r.failures = 0
		}
	}
	// Restart and Close start (or not) on their own; every other death of
	// the current process gets a new one right away so the next request
	// finds it warm.
	// An attached app is not ours to start: the next request attaches again.
	if current && !r.closed && r.cfg.Attach == "" && !errors.Is(reason, ErrRestarted) && !errors.Is(reason, ErrClosed) {
		r.startLocked()
	}
	idle := r.idleRetiredLocked()
	r.mu.Unlock()
	for _, z := range idle {
		z.close(ErrClosed)
	}

	if app {
		r.appExited(p, reason)
		return
	}
	if errors.Is(reason, errReplaced) {
		return
	}
	r.logger.Info("runtime exited", zap.Int("pid", p.pid), zap.Error(p.exitErr))
	if reason == nil && !busy && current && r.cfg.OnExit != nil {
		r.cfg.OnExit(p.exitErr)
	}
}

// attach connects to the app at Config.Attach and sets it up like a new
// process, except for the working directory, which is the app's own.
func (r *Runtime) attach(began time.Time) (*process, Started, error) {
	p, err := attach(r.ctx, r.cfg.Attach, &r.cfg, r.logger)
	if err != nil {
		return nil, Started{}, err
	}
	reply, err := p.call(r.ctx, Request{Op: "setup", SysPath: r.cfg.SysPath, WorkspaceRoots: r.cfg.WorkspaceRoots, Preload: r.cfg.Preload}, r.cfg.OnOutput)
	if err != nil {
		p.kill(ErrClosed)
		<-p.done
		return nil, Started{}, fmt.Errorf("pyruntime: attach %s: set up: %w", r.cfg.Attach, err)
	}
	return p, Started{Pid: p.pid, Argv: []string{"attach", r.cfg.Attach}, Duration: time.Since(began), PreloadErrors: reply.PreloadErrors}, nil
}
