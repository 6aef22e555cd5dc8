package pyruntime

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// errNoFork reports an interpreter without os.fork, which cannot be a zygote.
var errNoFork = errors.New("pyruntime: this Python cannot fork")

// drainWait is how long the server goes on reading a dead worker's own
// socket for its last lines: they are there at once, since the worker is
// gone; only a process the worker forked, which shares the socket, can
// keep its end open, and is not waited for beyond this.
const drainWait = 100 * time.Millisecond

// zygoteCloseWait is how long Close waits for the zygote to end its workers
// and exit after its stdin closes, before it kills the zygote's group. The
// zygote only has to SIGKILL and reap, which takes milliseconds.
const zygoteCloseWait = time.Second

// zygote is a preloaded interpreter that runs no user code: it forks
// workers, each a warm agent of its own. Channel 0 is the zygote's own
// agent (setup, fork, kill); channel N is worker N, whose lines go over the
// worker's own socket where the zygote could hand it over (handoff), else
// through the zygote's relay.
type zygote struct {
	cmd    *agentCommand
	logger *zap.Logger
	self   *process // channel 0
	// background receives the workers' output sent while no call ran.
	background func(Event)
	// handoff brings workers' sockets from a zygote on this machine; nil
	// where none can be made.
	handoff *handoff

	mu      sync.Mutex       // guards workers and handed
	workers map[int]*process // live workers by channel
	// handed holds the sockets of workers handed over before the fork's
	// reply was read, by channel, until the worker is added.
	handed map[int]*os.File

	preloadErrors map[string]*Exception
	// held holds the files of the workspace modules the zygote imported at
	// setup, as the interpreter names them: its workers start with these
	// files as they were then. Nil when it imported none.
	held map[string]bool
	// heldMtimes holds the mtime (ns) the interpreter saw of each held
	// file once it had imported them, by the interpreter's name.
	heldMtimes map[string]int64
	// dataReads says what the preloads' workspace modules read as they
	// ran at setup (the setup reply's DataReads, the interpreter's paths):
	// every worker starts with what they made of it.
	dataReads []DataRead
	// onDisk holds, by local path, the mtime (ns) of each held file that
	// this machine saw the same as the interpreter at the start: changes
	// to those are seen here (Runtime.changedHeld). Files it saw
	// otherwise (a remote interpreter, a change during the start) are not
	// looked at. Set by the Runtime once the zygote is up.
	onDisk map[string]int64
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
	h, err := newHandoff()
	if err != nil {
		logger.Debug("the zygote will relay every line", zap.Error(err))
		h = nil
	}
	// Not killed with ctx: close ends the zygote in order, letting it reap
	// its workers; a start that ctx cuts short kills it below.
	a, err := startAgent(context.WithoutCancel(ctx), argv, cfg, logger, h, "zygote")
	if err != nil {
		if h != nil {
			h.close()
		}
		return nil, err
	}
	z := &zygote{
		cmd:        a,
		logger:     a.logger,
		background: cfg.OnOutput,
		handoff:    h,
		workers:    make(map[int]*process),
		handed:     make(map[int]*os.File),
	}
	z.self = newProcess(zygoteSelf{z}, a.logger, cfg.OnOutput)
	z.self.pid = a.cmd.Process.Pid
	if h != nil {
		go z.receiveHandoffs()
	}
	go func() {
		exit := a.readLines(z.route)
		z.self.finish(exit)
		if h != nil {
			h.close()
		}
		z.mu.Lock()
		workers, handed := z.workers, z.handed
		z.workers, z.handed = nil, nil
		z.mu.Unlock()
		for _, f := range handed {
			f.Close()
		}
		// Each worker follows its zygote (parent-death signal, closed channel).
		for _, w := range workers {
			w.finish(fmt.Errorf("pyruntime: the zygote ended (%w)", exit))
			go w.link.(*workerLink).drain() // closes its socket, if it has one
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
	setup := Request{Op: "setup", SysPath: cfg.SysPath, WorkspaceRoots: cfg.WorkspaceRoots, Preload: cfg.Preload, Cwd: cfg.Dir}
	if h != nil {
		setup.Handoff = h.token
	}
	reply, err := z.self.call(ctx, setup, cfg.OnOutput)
	if err != nil {
		return fail(err)
	}
	z.preloadErrors = reply.PreloadErrors
	for _, f := range reply.PreloadedFiles {
		if z.held == nil {
			z.held = make(map[string]bool)
		}
		z.held[f] = true
	}
	z.heldMtimes = reply.PreloadedMtimes
	z.dataReads = reply.DataReads
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
	l := &workerLink{z: z, ch: ch, ended: make(chan struct{})}
	w := newProcess(l, z.logger.With(zap.Int("worker", ch)), z.background)
	z.mu.Lock()
	f := z.handed[ch]
	delete(z.handed, ch)
	if z.workers != nil {
		z.workers[ch] = w
	}
	z.mu.Unlock()
	if f != nil {
		l.attach(f, w)
	}
}

// receiveHandoffs gives each worker the socket the zygote hands over for
// it, until the handoff closes.
func (z *zygote) receiveHandoffs() {
	for {
		ch, f, err := z.handoff.receive()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			z.logger.Warn("receive a worker's socket", zap.Error(err))
			continue
		}
		z.mu.Lock()
		w := z.workers[ch]
		if w == nil && z.handed != nil {
			z.handed[ch], f = f, nil // its fork's reply is still on its way
		}
		z.mu.Unlock()
		switch {
		case w != nil:
			w.link.(*workerLink).attach(f, w)
		case f != nil:
			f.Close() // the zygote has ended
		}
	}
}

// exited reports a worker's exit once every line it wrote has been read.
func (z *zygote) exited(ev zygoteEvent) {
	z.mu.Lock()
	w := z.workers[ev.Worker]
	delete(z.workers, ev.Worker)
	z.mu.Unlock()
	if w == nil {
		return
	}
	exit := &ExitError{Code: ev.Code, Signal: syscall.Signal(ev.Signal), Stderr: ev.Stderr}
	l := w.link.(*workerLink)
	if !l.direct() {
		w.finish(exit) // the zygote relayed its last line before the exit
		return
	}
	go func() {
		l.drain()
		w.finish(exit)
	}()
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

// workerLink is a worker's channel: its own socket once the zygote has
// handed it over, else channel ch through the zygote's relay.
type workerLink struct {
	z  *zygote
	ch int

	mu     sync.Mutex
	conn   net.Conn // the worker's socket; nil while its lines are relayed
	closed bool     // drained: a socket handed over now is closed at once
	// ended is closed when the reader of conn has read its last line.
	ended chan struct{}
}

// attach makes f, the worker's socket, its channel, and reads its lines
// into w.
func (l *workerLink) attach(f *os.File, w *process) {
	conn, err := net.FileConn(f)
	f.Close() // FileConn has its own copy
	if err != nil {
		l.z.logger.Warn("use a worker's socket", zap.Int("worker", l.ch), zap.Error(err))
		return
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		conn.Close()
		return
	}
	l.conn = conn
	l.mu.Unlock()
	go func() {
		defer close(l.ended)
		r := bufio.NewReaderSize(conn, 64*1024)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 && line[len(line)-1] == '\n' {
				w.receive(line[:len(line)-1])
			}
			if err != nil {
				return
			}
		}
	}()
}

// direct reports whether the worker's lines come over its own socket.
func (l *workerLink) direct() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn != nil
}

// drain reads what the worker's socket still holds, for drainWait at most,
// and closes it.
func (l *workerLink) drain() {
	l.mu.Lock()
	conn := l.conn
	l.closed = true
	l.mu.Unlock()
	if conn == nil {
		return
	}
	_ = conn.SetReadDeadline(time.Now().Add(drainWait))
	<-l.ended
	conn.Close()
}

func (l *workerLink) send(line []byte) error {
	l.mu.Lock()
	conn := l.conn
	l.mu.Unlock()
	if conn == nil {
		return l.z.write(l.ch, line)
	}
	_, err := conn.Write(line)
	return err
}

// kill asks the zygote to kill the worker's process group. If the zygote is
// gone, so is the worker.
func (l *workerLink) kill() {
	msg := fmt.Appendf(nil, `{"id":0,"op":"kill","worker":%d}`+"\n", l.ch)
	if err := l.z.write(0, msg); err != nil {
		l.z.logger.Debug("kill worker", zap.Int("worker", l.ch), zap.Error(err))
	}
}
