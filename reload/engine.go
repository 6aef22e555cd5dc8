package reload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/pyruntime"
)

// Errors a Result's Err can wrap, re-exported so front ends need not import
// the runtime package to tell them apart.
var (
	// ErrInterrupted: the code ignored an interrupt and the runtime was killed.
	ErrInterrupted = pyruntime.ErrInterrupted
	// ErrTimedOut: the code ran over the Timeout and ignored the interrupt,
	// so the runtime was killed; it comes with ErrInterrupted.
	ErrTimedOut = pyruntime.ErrTimedOut
	// ErrClosed: the engine was closed while the code ran.
	ErrClosed = pyruntime.ErrClosed
	// ErrRestarted: the user restarted the runtime while the code ran.
	ErrRestarted = pyruntime.ErrRestarted
	// ErrDetached: the app the engine attached to closed the connection.
	ErrDetached = pyruntime.ErrDetached
	// ErrCannotAttach: the app to attach to is not serving, or its socket
	// is not private; nothing runs in its place.
	ErrCannotAttach = pyruntime.ErrCannotAttach
)

// Config configures an Engine. The zero value runs python3 from PATH with no
// import roots.
type Config struct {
	// Folders are the workspace folders, absolute. The first one is the
	// runtime's working directory and where a virtual environment is looked for.
	Folders []string
	// ExtraPaths are more import roots; relative ones are taken from Folders[0].
	ExtraPaths []string
	// Python is the command line that starts the interpreter; empty means
	// look for one (see pyruntime.FindPython).
	Python []string
	// Env holds "KEY=value" entries added to the runtime's environment.
	Env []string
	// PathMap maps local folders to where a runtime on another machine sees
	// them; empty means the runtime sees the same paths (see
	// pyruntime.Config.PathMap).
	PathMap map[string]string
	// Attach, if set, is the Unix socket of a running app serving the agent:
	// code runs in that app, which is never restarted (see
	// pyruntime.Config.Attach). Empty means start a runtime.
	Attach string
	// Preload names modules imported when the runtime starts.
	Preload []string
	// InterruptGrace is how long interrupted code gets before the runtime is
	// killed; zero means pyruntime.DefaultInterruptGrace.
	InterruptGrace time.Duration
	// SkipDependents stops a reload from re-running the loaded workspace
	// modules that import the reloaded one. By default they re-run after
	// it, in dependency order, so they see its new names.
	SkipDependents bool
	// AfterReload names a function, "pkg.mod:func", called after every
	// successful reload; empty means none.
	AfterReload string
	// Strategy says where a reload runs; the zero value runs it in place.
	Strategy Strategy
	// Timeout, if positive, is how long a reload or an evaluation may run
	// before it is interrupted (Result.TimedOut). Zero means no limit.
	Timeout time.Duration

	// OnResult, if not nil, is called with the result of every reload, in
	// the order the reloads of a module ran, before Reload returns it; not for
	// a ReloadIfLoaded that found nothing to run.
	OnResult func(*Result)
	// OnOutput, if not nil, receives output as the code writes it. module is
	// the module running, or "" for output written between requests (by a
	// background thread). Of one run it receives at most StreamedOutput
	// bytes, then a line saying how much more there was.
	OnOutput func(module, text string)
	// StreamedOutput bounds how much of one run's output OnOutput receives.
	// Zero means DefaultStreamedOutput; negative means no bound.
	StreamedOutput int64
	// OnRun, if not nil, is called when code of module starts running in the
	// runtime (res is nil: its request has been sent) and when it has
	// finished (res is its result), for reloads and evaluations alike; for
	// a reload, after OnResult has reported the result.
	OnRun func(module string, res *Result)
	// OnRuntimeStart, if not nil, is called each time a runtime is ready.
	OnRuntimeStart func(RuntimeInfo)
	// OnPreloadsRenewed, if not nil, is called when a save of a file the
	// runtime's zygote imported at start (a preload, or a workspace module
	// a preload imports), or a change to one outside the editor seen
	// before a restart or fresh run, has started a zygote with the new
	// file, with how that went.
	OnPreloadsRenewed func(PreloadRenewal)
	// OnRuntimeExit, if not nil, is called when the runtime dies while no
	// code runs in it; a new one is started at once.
	OnRuntimeExit func(error)
	// OnAppOutput, if not nil, receives what a running app (StartApp)
	// writes to stream ("stdout" or "stderr"), from any of its threads,
	// within StreamedOutput for each run of the app. OnOutput does not
	// receive it.
	OnAppOutput func(stream, text string)
	// OnAppExit, if not nil, is called when the app has ended, however it
	// ended; OnRuntimeExit is not called for it.
	OnAppExit func(AppExit)
	// OnAppRestart, if not nil, is called when a save of path restarted
	// the app (the Fresh strategy), with its new pid or why it failed.
	OnAppRestart func(path string, pid int, err error)
	// OnFailure, if not nil, receives the failures of the running program:
	// exceptions that escape a thread, or that it logs with a traceback.
	OnFailure func(*Failure)
	// OnStale, if not nil, receives the notes of old code that ran again
	// after the save that replaced it: a generator or coroutine made before
	// the save, found when it resumed (Python 3.12 and later).
	OnStale func(Note)
	// NewWatcher, if not nil, starts the watcher of the data files modules
	// read as they run (settings.json, a CSV); nil means NewFSWatcher.
	// When one changes, the modules that read it reload as a save of
	// their files would, and their Results say why (Because). Not with
	// PathMap or Attach: their runtimes' files are not this machine's.
	NewWatcher func() (Watcher, error)
	// Stderr receives the runtime process's own stderr. Nil discards it.
	Stderr io.Writer
	// Logger logs; nil means no logging.
	Logger *zap.Logger
}

// RuntimeInfo describes a runtime that has become ready.
type RuntimeInfo struct {
	Pid      int
	Argv     []string
	Duration time.Duration
	// Forked reports a process forked from the preloaded zygote, so its
	// preloads cost nothing; PreloadErrors is then empty.
	Forked bool
	// PreloadErrors maps each preload module that failed to import to why.
	PreloadErrors map[string]*Exception
}

// PreloadRenewal says how the zygote was renewed after a save of Path,
// a file it had imported at start. If Err is nil, every process started
// from then on (fresh runs, restarts, the spare after a crash) has the
// file as saved. Otherwise they go on starting with the file as it was
// imported at start.
type PreloadRenewal struct {
	Path string
	// PreloadErrors maps each preload that failed to import in the new
	// zygote to why; then Err is set too.
	PreloadErrors map[string]*Exception
	// Err says why the zygote in use stays; nil if the new one took over.
	Err error
}

// Engine reloads modules in one warm runtime. Its methods are safe for
// concurrent use.
type Engine struct {
	cfg     Config
	layout  Layout
	runtime *pyruntime.Runtime
	logger  *zap.Logger
	// ctx is the context reloads run in: they outlive the request that asked
	// for them (a save notification), and end only with the engine.
	ctx    context.Context
	cancel context.CancelFunc

	// drains are the goroutines running queued reloads (drain); Close
	// waits for them, so no result is reported after it returns.
	drains sync.WaitGroup

	mu         sync.Mutex              // guards the fields below
	closed     bool                    // Close was called: nothing more is queued
	queues     map[string]*moduleQueue // by file: two files of one name are two modules
	opts       ReloadOptions
	evaluating int // evaluations between their call and their result

	app appState // the running app, if any

	// data watches the data files the modules' runs read, and reloads
	// their readers when one changes; nil for a runtime on another
	// machine (PathMap, Attach).
	data *dataFiles
}

// ReloadOptions are the settings of a reload that can change while the
// runtime runs.
type ReloadOptions struct {
	SkipDependents bool          // see Config.SkipDependents
	AfterReload    string        // see Config.AfterReload
	Strategy       Strategy      // see Config.Strategy
	Timeout        time.Duration // see Config.Timeout
}

// Strategy says where a reload runs.
type Strategy string

const (
	// InPlace runs the module's new code in the running process, in its
	// existing namespace, and updates old functions and classes in place:
	// state survives the reload. It is what the zero Strategy does.
	InPlace Strategy = "inplace"
	// Fresh runs each reload in a new process forked from the preloaded
	// zygote: no state survives from earlier runs, yet the preloads are
	// already imported. Evaluations then run in that process. Where Python
	// cannot fork, Fresh runs in place.
	Fresh Strategy = "fresh"
)

// SetReloadOptions changes how later reloads run, keeping the runtime.
func (e *Engine) SetReloadOptions(o ReloadOptions) {
	e.mu.Lock()
	e.opts = o
	e.mu.Unlock()
}

// moduleQueue orders the reloads of one module: one runs at a time, and every
// save that arrives meanwhile joins the single run queued after it.
type moduleQueue struct {
	running bool
	current *pendingReload // the reload running; nil when none
	next    *pendingReload // nil when nothing is queued
}

type pendingReload struct {
	module Module
	// ifLoaded is true while every save that joined asked for a reload
	// only if the module is loaded.
	ifLoaded bool
	// ticket is from the last time a caller joined: an Interrupt after it
	// stops the run, one before it does not.
	ticket pyruntime.Ticket
	// saved reports that a save (Queue) joined: no one's cancellation
	// stops the run then. waiters counts the Reload calls waiting for it.
	saved   bool
	waiters int
	stop    chan struct{} // closed to interrupt the run, when every waiter gave up
	stopped bool          // stop is closed
	// because lists the data files whose change queued it, until a save
	// joins: then the save is why it runs.
	because []string
	// after holds the done channels of the other modules' reloads queued
	// before this one: it runs after them, so saves apply in the order
	// they were made (a save of a module, then of its importer, runs the
	// importer with the saved module).
	after  []chan struct{}
	done   chan struct{} // closed when result is set
	result *Result
}

// New returns an Engine. Its runtime starts on the first request or on Start.
func New(cfg Config) *Engine {
	logger := cfg.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	layout := NewLayout(cfg.Folders, cfg.ExtraPaths)
	e := &Engine{cfg: cfg, layout: layout, logger: logger, queues: make(map[string]*moduleQueue)}
	e.opts = ReloadOptions{SkipDependents: cfg.SkipDependents, AfterReload: cfg.AfterReload, Strategy: cfg.Strategy, Timeout: cfg.Timeout}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	if len(cfg.PathMap) == 0 && cfg.Attach == "" {
		watchLogger := logger.Named("data")
		newWatcher := cfg.NewWatcher
		if newWatcher == nil {
			newWatcher = func() (Watcher, error) { return NewFSWatcher(watchLogger) }
		}
		e.data = newDataFiles(newWatcher, e.dataChanged, cfg.Folders, watchLogger)
	}
	dir := ""
	if len(cfg.Folders) > 0 {
		dir = cfg.Folders[0]
	}
	e.runtime = pyruntime.New(pyruntime.Config{
		Python:         cfg.Python,
		Dir:            dir,
		Env:            cfg.Env,
		PathMap:        cfg.PathMap,
		Attach:         cfg.Attach,
		SysPath:        layout.SysPath(),
		WorkspaceRoots: layout.Roots,
		Preload:        cfg.Preload,
		InterruptGrace: cfg.InterruptGrace,
		Stderr:         cfg.Stderr,
		OnOutput:       e.background,
		OnStart:        e.started,
		OnRenewed:      e.preloadsRenewed,
		OnExit:         cfg.OnRuntimeExit,
		OnAppExit:      e.appExited,
		Logger:         logger.Named("runtime"),
	})
	return e
}

// Layout returns the import roots the engine maps files with.
func (e *Engine) Layout() Layout { return e.layout }

// Start starts the runtime now and waits until its preloads are imported.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.runtime.Start(ctx); err != nil {
		return fmt.Errorf("reload: start runtime: %w", err)
	}
	return nil
}

// Reload runs the module whose file is path: it imports the module on first
// use and runs it again in its existing namespace afterwards, so module
// globals persist. A reload of a module already running is queued; saves
// arriving meanwhile share that one queued run, which reads the file as it
// is then, so the latest content wins and runs never overlap or reorder.
//
// Reload first waits for the reloads of other modules queued before it, so
// it sees what the saves before it did.
//
// The error reports bad input (not a Python file) or ctx's end; what the
// code did is in the Result.
func (e *Engine) Reload(ctx context.Context, path string) (*Result, error) {
	return e.wait(ctx, path, false)
}

// ReloadIfLoaded is Reload for a module that only matters if something has
// imported it: when the runtime has not loaded the module, nothing runs and
// the Result says Skipped. A saved dependency thus takes effect without
// running files that nothing imports.
func (e *Engine) ReloadIfLoaded(ctx context.Context, path string) (*Result, error) {
	return e.wait(ctx, path, true)
}

func (e *Engine) wait(ctx context.Context, path string, ifLoaded bool) (*Result, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return nil, err
	}
	// Its own module's queue orders it after that module's earlier saves.
	if err := e.settle(ctx, mod.Path); err != nil {
		return nil, err
	}
	p, err := e.queue(path, ifLoaded, false, nil)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.done:
		return p.result, nil
	case <-ctx.Done():
		e.mu.Lock()
		p.waiters--
		if p.waiters == 0 && !p.saved && !p.stopped && p.result == nil {
			// Nobody wants it any more: stop it, running or not.
			close(p.stop)
			p.stopped = true
		}
		e.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Queue queues a reload like Reload but does not wait for it: OnResult
// reports the result. It returns at once, so a save handler can call it
// inline and saves queue in the order they arrived.
func (e *Engine) Queue(path string) error {
	_, err := e.queue(path, false, true, nil)
	return err
}

// dataChanged queues, as saves, the reloads of the modules whose runs read
// data files that changed: {module's file: those files}.
func (e *Engine) dataChanged(readers map[string][]string) {
	for _, path := range slices.Sorted(maps.Keys(readers)) {
		e.logger.Info("data changed", zap.String("reader", path), zap.Strings("files", readers[path]))
		if _, err := e.queue(path, false, true, readers[path]); err != nil {
			e.logger.Warn("reload after data changed", zap.String("reader", path), zap.Error(err))
		}
	}
}

// queue joins the reload queued for path's module, or queues one: saved
// for a save (because, the data files whose change queued it, else nil),
// else for a caller that waits for it.
func (e *Engine) queue(path string, ifLoaded, saved bool, because []string) (*pendingReload, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return nil, err
	}
	// A running app is only patched where it has loaded the module: a
	// save never imports a file into it.
	ifLoaded = ifLoaded || e.AppPid() != 0
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		// No drain may start once Close waits for them: the reload ends
		// here, as one queued before Close would.
		p := &pendingReload{module: mod, done: make(chan struct{}), result: &Result{Module: mod.Name, Path: mod.Path, Err: ErrClosed}}
		close(p.done)
		return p, nil
	}
	q := e.queues[mod.Path]
	if q == nil {
		q = &moduleQueue{}
		e.queues[mod.Path] = q
	}
	if q.next == nil {
		q.next = &pendingReload{done: make(chan struct{}), stop: make(chan struct{}), ifLoaded: true, after: e.pendingLocked(mod.Path)}
	}
	p := q.next
	p.module = mod
	p.ifLoaded = p.ifLoaded && ifLoaded
	p.ticket = e.runtime.Ticket()
	switch {
	case saved && because == nil:
		p.because = nil
	case because != nil:
		for _, file := range because {
			if !slices.Contains(p.because, file) {
				p.because = append(p.because, file)
			}
		}
	}
	if saved {
		p.saved = true
	} else {
		p.waiters++
	}
	if !q.running {
		q.running = true
		e.drains.Go(func() { e.drain(q) })
	}
	return p, nil
}

// settle waits until every reload queued before it has finished, except
// those of the module whose file is except (if not empty), so that what a
// caller does next sees what the saves before it did: an evaluation sent
// right after a save finds the saved code. A reload queued meanwhile is not
// waited for.
func (e *Engine) settle(ctx context.Context, except string) error {
	e.mu.Lock()
	pending := e.pendingLocked(except)
	e.mu.Unlock()
	return waitAll(ctx, pending)
}

// pendingLocked returns the done channels of the reloads queued or running,
// except those of the module whose file is except. The caller holds mu.
func (e *Engine) pendingLocked(except string) []chan struct{} {
	var pending []chan struct{}
	for path, q := range e.queues {
		if path == except {
			continue
		}
		for _, p := range []*pendingReload{q.current, q.next} {
			if p != nil {
				pending = append(pending, p.done)
			}
		}
	}
	return pending
}

// waitAll waits until every channel in chans is closed, or ctx ends.
func waitAll(ctx context.Context, chans []chan struct{}) error {
	for _, done := range chans {
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// drain runs a module's queued reloads one after another until none is left.
func (e *Engine) drain(q *moduleQueue) {
	for {
		e.mu.Lock()
		if q.current != nil {
			close(q.current.done)
		}
		p := q.next
		q.next, q.current = nil, p
		if p == nil {
			q.running = false
			e.mu.Unlock()
			return
		}
		e.mu.Unlock()
		_ = waitAll(e.ctx, p.after) // if closed meanwhile, the run fails with ErrClosed, as any would
		e.mu.Lock()
		opts := e.opts
		e.mu.Unlock()

		// A save of a file the zygote holds renews it: in fresh mode before
		// the run (or the app's restart), which must start as a fresh run
		// would; in place after the reload, which runs the new code in its
		// own process, but asked for now, so that a restart or crash
		// meanwhile waits for the new zygote.
		held := e.runtime.HoldsFile(p.module.Path)
		if held && opts.Strategy == Fresh {
			e.preloadsRenewed(p.module.Path, <-e.runtime.RenewZygote())
		}
		var ran chan struct{}
		if held && opts.Strategy != Fresh {
			ran = make(chan struct{})
			renewed := e.runtime.RenewZygoteAfter(ran)
			e.drains.Add(1)
			go func() {
				defer e.drains.Done()
				e.preloadsRenewed(p.module.Path, <-renewed)
			}()
		}

		// A reload only if loaded is about the running process; it is never
		// fresh, since a fresh process has loaded nothing. A running app is
		// restarted instead, if the save concerns it.
		if opts.Strategy == Fresh && e.AppPid() != 0 {
			e.restartAppFor(e.ctx, p.module)
			e.mu.Lock()
			p.result = &Result{Module: p.module.Name, Path: p.module.Path, Skipped: true}
			e.mu.Unlock()
			continue // done is closed at the top of the loop
		}
		fresh := opts.Strategy == Fresh && !p.ifLoaded
		e.mu.Lock()
		ticket, because := p.ticket, p.because
		e.mu.Unlock()
		result, ended := e.run(e.ctx, p.module, pyruntime.Request{
			Op:           "reload",
			IfLoaded:     p.ifLoaded,
			NoDependents: opts.SkipDependents,
			AfterReload:  opts.AfterReload,
			Timeout:      pyruntime.SecondsOf(opts.Timeout),
			Ticket:       ticket,
			Stop:         p.stop,
		}, fresh)
		result.Because = because
		if ran != nil {
			close(ran)
		}
		if e.data != nil && result.OK() {
			e.data.update(result.DataReads)
		}
		e.mu.Lock()
		p.result = result
		e.mu.Unlock()
		if e.cfg.OnResult != nil && !p.result.Skipped {
			e.cfg.OnResult(p.result)
		}
		ended()
		// done is closed under mu (above), with current cleared: a settle
		// that finds the reload no longer current finds it done.
	}
}

// Evaluate runs code in the namespace of the module whose file is path,
// loading the module first if it is not loaded. An expression (or code
// ending in one) gives its value's repr. If ctx ends first, Evaluate returns
// a Result whose Err is ctx's error; the code still runs to its end.
//
// It runs after every reload queued before it has finished, so it sees the
// code of the saves that came before it.
func (e *Engine) Evaluate(ctx context.Context, path, code string) (*Result, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return nil, err
	}
	res := e.evaluate(ctx, mod, pyruntime.Request{Op: "evaluate", Code: code})
	res.Code = code
	return res, nil
}

// evaluate runs an evaluation once the reloads queued before it are done.
// An Interrupt made from its call on stops it, even while it waits; so does
// the end of ctx.
func (e *Engine) evaluate(ctx context.Context, mod Module, req pyruntime.Request) *Result {
	req.Ticket = e.runtime.Ticket()
	e.mu.Lock()
	e.evaluating++
	req.Timeout = pyruntime.SecondsOf(e.opts.Timeout)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.evaluating--
		e.mu.Unlock()
	}()
	if err := e.settle(ctx, ""); err != nil {
		return &Result{Module: mod.Name, Path: mod.Path, Err: err}
	}
	res, ended := e.run(ctx, mod, req, false)
	// The modules it loaded for the first time read their data files as
	// a save's run would (the reply names only those), and stay loaded
	// when the evaluated code then raised.
	if e.data != nil && res.Err == nil {
		e.data.update(res.DataReads)
	}
	ended()
	return res
}

// EvaluateLines is Evaluate for code taken from the module's own file,
// starting at line firstLine (1-based): it is compiled as lines of that
// file, so tracebacks point at the file's lines.
func (e *Engine) EvaluateLines(ctx context.Context, path, code string, firstLine int) (*Result, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return nil, err
	}
	// Blank lines before the code keep its line numbers those of the file.
	padded := strings.Repeat("\n", max(firstLine-1, 0)) + code
	res := e.evaluate(ctx, mod, pyruntime.Request{Op: "evaluate", Code: padded, Filename: mod.Path})
	res.Code = code
	return res, nil
}

// PrepareLimit is the largest text Prepare compiles ahead of a save.
// Python 3.11 parses and compiles 2 to 4 MiB of source a second on this
// project's 2-core VM (argparse, typing, dataclasses), so 256 KiB, some
// 7,000 lines, takes 0.06 to 0.12 s: a save that comes while it runs waits
// at most that long, and if the text saved is not the one compiled, pays
// for compiling twice. Larger files are compiled by their save.
const PrepareLimit = 256 << 10

// Prepare compiles text, the editor's unsaved text of the module at path,
// in the runtime as the module's next save would, so that the save runs
// that code if the file then holds exactly this text (see
// pyruntime.Runtime.Prepare). It reports whether the code was kept. It
// does nothing for a text over PrepareLimit, when no runtime runs, when a
// reload or an evaluation is queued or running (the text would only wait
// behind it), or when saves run in a fresh process, which would not have
// it.
func (e *Engine) Prepare(ctx context.Context, path, text string) (bool, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return false, err
	}
	if len(text) > PrepareLimit {
		return false, nil
	}
	if !e.readyForSave() {
		return false, nil
	}
	return e.runtime.Prepare(ctx, pyruntime.Request{Module: mod.Name, Path: mod.Path, Code: text})
}

// Changed is what the runtime emptied after files that are not Python
// code changed (see FilesChanged).
type Changed struct {
	// Dropped says what the framework adapters emptied for the files
	// ("Django's cached templates"); empty when none of them concerned
	// an adapter, or no runtime runs.
	Dropped []string
	// Failed says which adapters failed to empty what they keep, and why.
	Failed []string
}

// FilesChanged tells the runtime that files of the workspace that are not
// Python code changed (paths, absolute: a template saved), so that what
// its frameworks keep of them (compiled templates) goes, as a fresh run
// would read them again. It waits for the reloads queued before it, and
// never starts a runtime: one that has not started has kept nothing.
func (e *Engine) FilesChanged(ctx context.Context, paths []string) (Changed, error) {
	if err := e.settle(ctx, ""); err != nil {
		return Changed{}, err
	}
	reply, err := e.runtime.Changed(ctx, pyruntime.Request{Paths: paths})
	if err != nil {
		return Changed{}, fmt.Errorf("reload: files changed: %w", err)
	}
	return Changed{Dropped: reply.Dropped, Failed: reply.Failed}, nil
}

// readyForSave reports whether work done now in the current process
// (Prepare, Warm) reaches the next save: saves run in place, and no
// reload or evaluation is queued or running, which the work would only
// wait behind.
func (e *Engine) readyForSave() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.opts.Strategy != Fresh && e.evaluating == 0 && len(e.pendingLocked("")) == 0
}

// Warm gets the runtime ready for a save of the module at path that the
// editor says is coming (see pyruntime.Runtime.Warm): no code runs. It
// reports whether the runtime has the module loaded, and so was warmed for
// its save. It does nothing when no runtime runs, when a reload or an
// evaluation is queued or running (the runtime is awake, and the request
// would only wait behind it), or when saves run in a fresh process, which
// the warm-up would not reach.
func (e *Engine) Warm(ctx context.Context, path string) (bool, error) {
	mod, err := e.layout.ModuleFor(path)
	if err != nil {
		return false, err
	}
	if !e.readyForSave() {
		return false, nil
	}
	return e.runtime.Warm(ctx, pyruntime.Request{Module: mod.Name, Path: mod.Path})
}

// run sends one request about mod, in a fresh process if fresh, and turns
// the reply into a Result. The caller calls ended once it has reported the
// result: it announces the end of the run (OnRun with the result), which
// tells the client too, and the result is what the user waits for.
func (e *Engine) run(ctx context.Context, mod Module, req pyruntime.Request, fresh bool) (res *Result, ended func()) {
	req.Module, req.Path, req.PathEntry = mod.Name, mod.Path, mod.PathEntry
	res = &Result{Module: mod.Name, Path: mod.Path}
	ended = func() {}
	if e.cfg.OnRun != nil {
		// Announced once the request is on its way, so that telling the
		// client (a status notification, which wakes the editor) runs
		// beside the code rather than before it.
		announced := false
		req.Sent = func() {
			e.cfg.OnRun(mod.Name, nil)
			announced = true
		}
		defer func() {
			if !announced { // never sent: the runtime could not start
				e.cfg.OnRun(mod.Name, nil)
			}
		}()
		ended = func() { e.cfg.OnRun(mod.Name, res) }
	}
	limit := e.cfg.StreamedOutput
	if limit == 0 {
		limit = DefaultStreamedOutput
	}
	out := newRunOutput(limit)
	res.Started = time.Now()
	call := e.runtime.Call
	if fresh {
		call = e.runtime.CallFresh
		res.Fresh = true
	}
	reply, err := call(ctx, req, func(ev pyruntime.Event) {
		if ev.Kind != "output" {
			return
		}
		if text := out.add(ev.Text); text != "" && e.cfg.OnOutput != nil {
			e.cfg.OnOutput(mod.Name, text)
		}
	})
	res.Duration = time.Since(res.Started)
	res.Output = out.text()
	if note := out.unstreamed(); note != "" && e.cfg.OnOutput != nil {
		e.cfg.OnOutput(mod.Name, note)
	}
	res.TimedOut = reply.TimedOut || errors.Is(err, pyruntime.ErrTimedOut)
	if err != nil {
		res.Err = err
	} else {
		res.Value = reply.Value
		res.Exception = newException(reply.Error)
		if exc := res.Exception; res.TimedOut && exc != nil && exc.Type == "KeyboardInterrupt" && exc.Message == "" {
			exc.Message = fmt.Sprintf("stopped after the %v timeout", req.Timeout.Duration())
			if text, ok := strings.CutSuffix(exc.Text, "KeyboardInterrupt\n"); ok {
				exc.Text = text + exc.Summary() + "\n"
			}
		}
		res.Skipped = reply.Skipped
		res.Prepared = reply.Prepared
		res.Reloaded = reply.Reloaded
		for _, n := range reply.Notes {
			res.Notes = append(res.Notes, newNote(n))
		}
		res.DataReads = dataReads(reply.DataReads)
		res.RolledBack = reply.RolledBack
		res.FailedWith = reply.FailedWith
		res.SetAside = reply.SetAside
		res.HookError = newException(reply.HookError)
		for _, w := range reply.Warnings {
			res.Warnings = append(res.Warnings, Warning{
				Frame:    Frame{Path: w.File, Line: w.Line, EndLine: w.Line, Col: -1, EndCol: -1, Source: w.Source},
				Category: w.Category,
				Message:  w.Message,
			})
		}
	}
	e.logger.Debug(req.Op, zap.String("module", mod.Name), zap.Duration("took", res.Duration), zap.Bool("ok", res.OK()))
	return res, ended
}

func (e *Engine) output(module string, ev pyruntime.Event) {
	if e.cfg.OnOutput != nil && ev.Kind == "output" {
		e.cfg.OnOutput(module, ev.Text)
	}
}

// background takes what the runtime sends outside a request: output of
// background threads or of the app, and the program's failures.
func (e *Engine) background(ev pyruntime.Event) {
	switch {
	case ev.Kind == "output" && ev.App:
		e.appOutput(ev.Stream, ev.Text)
	case ev.Kind == "failure" && ev.Exception != nil:
		if e.cfg.OnFailure != nil {
			e.cfg.OnFailure(&Failure{Origin: ev.Origin, Where: ev.Where, Message: ev.Text, App: ev.App, Exception: newException(ev.Exception)})
		}
	case ev.Kind == "stale" && ev.Note != nil:
		if e.cfg.OnStale != nil {
			e.cfg.OnStale(newNote(*ev.Note))
		}
	default:
		e.output("", ev)
	}
}

func (e *Engine) started(s pyruntime.Started) {
	if e.data != nil {
		// Its modules run again, and read again, but the preloads' ran
		// in the zygote, and what they read stands.
		e.data.reset()
		e.data.update(dataReads(s.DataReads))
	}
	if e.cfg.OnRuntimeStart == nil {
		return
	}
	info := RuntimeInfo{Pid: s.Pid, Argv: s.Argv, Duration: s.Duration, Forked: s.Forked}
	for name, exc := range s.PreloadErrors {
		if info.PreloadErrors == nil {
			info.PreloadErrors = make(map[string]*Exception)
		}
		info.PreloadErrors[name] = newException(exc)
	}
	e.cfg.OnRuntimeStart(info)
}

// preloadsRenewed reports the renewal of the zygote after a save of path.
func (e *Engine) preloadsRenewed(path string, err error) {
	if err != nil && errors.Is(err, pyruntime.ErrClosed) {
		return
	}
	if err != nil {
		e.logger.Warn("renew the zygote", zap.String("path", path), zap.Error(err))
	}
	if e.cfg.OnPreloadsRenewed == nil {
		return
	}
	r := PreloadRenewal{Path: path, Err: err}
	var pe *pyruntime.PreloadError
	if errors.As(err, &pe) {
		r.PreloadErrors = make(map[string]*Exception)
		for name, exc := range pe.Errors {
			r.PreloadErrors[name] = newException(exc)
		}
	}
	e.cfg.OnPreloadsRenewed(r)
}

// Interrupt stops the code running and everything asked for before the
// Interrupt (queued reloads, evaluations waiting for them): each raises
// KeyboardInterrupt. It reports whether there was any. Code that ignores
// the interrupt is stopped by killing the runtime.
func (e *Engine) Interrupt(ctx context.Context) (bool, error) {
	busy, err := e.runtime.Interrupt(ctx)
	if err != nil {
		return false, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.evaluating > 0 {
		busy = true
	}
	for _, q := range e.queues {
		busy = busy || q.running
	}
	return busy, nil
}

// Restart replaces the runtime's process with a fresh one: module state is
// lost; the preloads come from the zygote, imported when it started or
// again after a save of a file it holds, or a change to one outside the
// editor (Config.OnPreloadsRenewed).
func (e *Engine) Restart(ctx context.Context) error {
	if err := e.runtime.Restart(ctx); err != nil {
		return fmt.Errorf("reload: restart runtime: %w", err)
	}
	return nil
}

// RuntimePid returns the runtime's process id, or 0 if none is running.
func (e *Engine) RuntimePid() int { return e.runtime.Pid() }

// Close stops the runtime and waits until its process is gone. Code running
// then ends with a Result whose Err is ErrClosed, and so does every reload
// queued; Close returns once OnResult has had them all. A reload asked for
// after Close ends at once with ErrClosed, which OnResult does not hear of.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	err := e.runtime.Close()
	e.cancel()
	e.drains.Wait()
	if e.data != nil {
		e.data.close()
	}
	return err
}
