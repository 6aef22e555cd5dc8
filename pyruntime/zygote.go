package pyruntime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// errNoFork reports an interpreter without os.fork, which cannot be a zygote.
var errNoFork = errors.New("pyruntime: this Python cannot fork")

// zygoteCloseWait is how long Close waits for the zygote to end its workers
// and exit after its stdin closes, before it kills the zygote's group. The
// zygote only has to SIGKILL and reap, which takes milliseconds.
const zygoteCloseWait = time.Second

// zygote is a preloaded interpreter that runs no user code: it forks
// workers, each a warm agent of its own, and relays their lines. Channel 0
// is the zygote's own agent (setup, fork, kill); channel N is worker N.
type zygote struct {
	cmd    *agentCommand
	logger *zap.Logger
	self   *process // channel 0
	// background receives the workers' output sent while no call ran.
	background func(Event)

	mu      sync.Mutex       // guards workers
	workers map[int]*process // live workers by channel

	preloadErrors map[string]*Exception
}

// zygoteEvent is what the zygote itself says on channel 0 beyond replies.
type zygoteEvent struct {
	Event  string `json:"event"`
	Worker int    `json:"worker"`
	Pid    int    `json:"pid"`
	Code   int    `json:"code"`
	Signal int    `json:"signal"`
	Fork   *bool  `json:"fork"`
	// Stderr is the end of what the worker wrote on its own stderr pipe,
	// sent with its exit so that it is whole when the exit is reported
	// (the zygote's stderr, which Go reads, is not ordered with stdout).
	Stderr string `json:"stderr"`
}

// startZygote starts argv as a zygote and imports the preloads in it.
// It returns errNoFork (wrapped) when the interpreter cannot fork.
func startZygote(ctx context.Context, argv []string, cfg *Config, logger *zap.Logger) (*zygote, error) {
	// Not killed with ctx: close ends the zygote in order, letting it reap
	// its workers; a start that ctx cuts short kills it below.
	a, err := startAgent(context.WithoutCancel(ctx), argv, cfg, logger, "zygote")
	if err != nil {
		return nil, err
	}
	z := &zygote{
		cmd:        a,
		logger:     a.logger,
		background: cfg.OnOutput,
		workers:    make(map[int]*process),
	}
	z.self = newProcess(zygoteSelf{z}, a.logger, cfg.OnOutput)
	z.self.pid = a.cmd.Process.Pid
	go func() {
		exit := a.readLines(z.route)
		z.self.finish(exit)
		z.mu.Lock()
		workers := z.workers
		z.workers = nil
		z.mu.Unlock()
		// Each worker follows its zygote (parent-death signal, closed channel).
		for _, w := range workers {
			w.finish(fmt.Errorf("pyruntime: the zygote ended (%w)", exit))
		}
	}()
	fail := func(err error) (*zygote, error) {
		z.self.kill(ErrClosed)
		<-z.self.done
		return nil, &StartError{Argv: argv, Err: err}
	}
	if err := z.self.waitReady(ctx); err != nil {
		return fail(err)
	}
	if f := z.self.hello.Fork; f != nil && !*f {
		return fail(errNoFork)
	}
	reply, err := z.self.call(ctx, Request{Op: "setup", SysPath: cfg.SysPath, WorkspaceRoots: cfg.WorkspaceRoots, Preload: cfg.Preload, Cwd: cfg.Dir}, cfg.OnOutput)
	if err != nil {
		return fail(err)
	}
	z.preloadErrors = reply.PreloadErrors
	return z, nil
}

// route hands one line from the zygote to the process of its channel.
func (z *zygote) route(line []byte) {
	head, body, ok := bytes.Cut(line, []byte(" "))
	ch, err := strconv.Atoi(string(head))
	if !ok || err != nil {
		z.logger.Warn("zygote sent a line without a channel", zap.ByteString("line", line))
		return
	}
	if ch != 0 {
		z.mu.Lock()
		w := z.workers[ch]
		z.mu.Unlock()
		if w != nil {
			w.receive(body)
		}
		return
	}
	var ev zygoteEvent
	if err := json.Unmarshal(body, &ev); err == nil {
		switch {
		case ev.Event == "exit":
			z.exited(ev)
			return
		case ev.Event == "" && ev.Worker != 0:
			// A fork's reply: the worker's lines may follow at once, so it
			// is registered here, before the caller hears of it.
			z.add(ev.Worker)
		}
	}
	z.self.receive(body)
}

func (z *zygote) add(ch int) {
	w := newProcess(workerLink{z, ch}, z.logger.With(zap.Int("worker", ch)), z.background)
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.workers != nil {
		z.workers[ch] = w
	}
}

func (z *zygote) exited(ev zygoteEvent) {
	z.mu.Lock()
	w := z.workers[ev.Worker]
	delete(z.workers, ev.Worker)
	z.mu.Unlock()
	if w == nil {
		return
	}
	w.finish(&ExitError{Code: ev.Code, Signal: syscall.Signal(ev.Signal), Stderr: ev.Stderr})
}

// fork asks the zygote for a new worker and waits until it is ready.
func (z *zygote) fork(ctx context.Context) (*process, error) {
	reply, err := z.self.call(ctx, Request{Op: "fork"}, nil)
	if err != nil {
		return nil, fmt.Errorf("pyruntime: fork: %w", err)
	}
	z.mu.Lock()
	w := z.workers[reply.Worker]
	z.mu.Unlock()
	if w == nil {
		// Already gone: it died at once, or the zygote did.
		return nil, fmt.Errorf("pyruntime: fork: worker %d ended before it was ready", reply.Worker)
	}
	if err := w.waitReady(ctx); err != nil {
		w.kill(ErrClosed)
		return nil, fmt.Errorf("pyruntime: fork: %w", err)
	}
	return w, nil
}

// write sends line on channel ch.
func (z *zygote) write(ch int, line []byte) error {
	return z.cmd.write(append(strconv.AppendInt(make([]byte, 0, len(line)+4), int64(ch), 10), append([]byte(" "), line...)...))
}

// alive reports whether the zygote is still running.
func (z *zygote) alive() bool { return !z.self.exited() }

// close ends the workers and the zygote and waits until they are gone. The
// zygote ends its workers itself when its stdin closes, which works for a
// remote zygote as well; a zygote that does not exit in time is killed.
func (z *zygote) close(reason error) {
	z.self.mu.Lock()
	if z.self.killReason == nil {
		z.self.killReason = reason
	}
	z.self.mu.Unlock()
	_ = z.cmd.stdin.Close()
	select {
	case <-z.self.done:
	case <-time.After(zygoteCloseWait):
		z.self.kill(reason)
		<-z.self.done
	}
}

// zygoteSelf is channel 0.
type zygoteSelf struct{ z *zygote }

func (s zygoteSelf) send(line []byte) error { return s.z.write(0, line) }
func (s zygoteSelf) kill()                  { s.z.cmd.kill() }

// workerLink is a worker's channel through the zygote.
type workerLink struct {
	z  *zygote
	ch int
}

func (l workerLink) send(line []byte) error { return l.z.write(l.ch, line) }

// kill asks the zygote to kill the worker's process group. If the zygote is
// gone, so is the worker.
func (l workerLink) kill() {
	msg := fmt.Appendf(nil, `{"id":0,"op":"kill","worker":%d}`+"\n", l.ch)
	if err := l.z.write(0, msg); err != nil {
		l.z.logger.Debug("kill worker", zap.Int("worker", l.ch), zap.Error(err))
	}
}
