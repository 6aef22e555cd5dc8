package pyruntime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
)

// link carries one agent's protocol lines and ends its process: a pipe to
// an interpreter the server started itself, or a channel through the zygote.
type link interface {
	// send writes one line, newline included.
	send(line []byte) error
	// kill ends the process and everything it started. Its end is reported
	// later, through finish.
	kill()
}

// process is one agent the server talks to: a worker forked from the
// zygote, or an interpreter started directly where fork is unavailable.
type process struct {
	link   link
	logger *zap.Logger
	pid    int // as the agent reported it; on another machine for a remote runtime
	start  time.Time
	// grace is how long a request stopped by its timeout gets before the
	// process is killed; the runtime sets it when it takes the process.
	// Zero means DefaultInterruptGrace.
	grace time.Duration

	writeMu sync.Mutex // orders sends; held while registering and queuing a call
	out     outbox     // the lines sent, in order, as they are written

	mu         sync.Mutex // guards the fields below
	nextID     int64
	calls      map[int64]*call
	running    int   // calls of code the main thread has taken or queued (see runsNoCode)
	finished   int   // of those, the ones completed
	killReason error // why we killed it, nil if it died by itself
	retiring   error // once set, the process is killed with it when idle
	exitErr    error // set when the process has exited

	ready     chan struct{} // closed when the agent says it is ready
	readyOnce sync.Once
	hello     message       // the ready event
	done      chan struct{} // closed when the process has exited and exitErr is set
	// background receives output sent while no call was running.
	background func(Event)

	appMu       sync.Mutex // guards the fields below
	app         bool       // the process runs an app (StartApp)
	appStopping bool       // StopApp asked the app to stop
}

// runsNoCode reports whether a request of op never counts as code running:
// the agent's reader thread answers it itself, even while its main thread
// runs code (ping, interrupt, signal, inspect), or the main thread only
// compiles for it (prepare) or runs the agent's own code (warm), which an
// interrupt has nothing to stop in.
func runsNoCode(op string) bool {
	switch op {
	case "ping", "interrupt", "signal", "inspect", "prepare", "warm":
		return true
	}
	return false
}

type call struct {
	id      int64
	op      string
	reply   chan Reply
	onEvent func(Event)
	code    bool // counts as code running (see runsNoCode)
}

func newProcess(l link, logger *zap.Logger, background func(Event)) *process {
	return &process{
		link:       l,
		logger:     logger,
		calls:      make(map[int64]*call),
		ready:      make(chan struct{}),
		done:       make(chan struct{}),
		background: background,
	}
}

// waitReady waits until the agent is ready, has exited, or ctx ends.
func (p *process) waitReady(ctx context.Context) error {
	select {
	case <-p.ready:
		p.start = time.Now()
		return nil
	case <-p.done:
		return p.exitErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish records that the process has exited with exit, which is wrapped
// with the reason if the server killed it. Later calls return it.
func (p *process) finish(exit error) {
	p.mu.Lock()
	if p.exitErr != nil {
		p.mu.Unlock()
		return
	}
	if p.killReason != nil {
		p.exitErr = fmt.Errorf("%w (%w)", p.killReason, exit)
	} else {
		p.exitErr = exit
	}
	p.calls = nil // callers in flight notice p.done and read exitErr
	p.mu.Unlock()
	close(p.done)
}

// receive handles one line from the agent.
func (p *process) receive(line []byte) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		p.logger.Warn("agent sent a line that is not JSON", zap.ByteString("line", line), zap.Error(err))
		return
	}
	if m.Event != "" {
		p.event(&m)
		return
	}
	if m.RequestID == nil {
		p.logger.Warn("agent reply without id", zap.ByteString("line", line))
		return
	}
	m.Reply.ID = *m.RequestID
	p.mu.Lock()
	c := p.calls[m.Reply.ID]
	delete(p.calls, m.Reply.ID)
	if c != nil && c.code {
		p.finished++
	}
	idle := p.running == p.finished
	retiring := p.retiring
	p.mu.Unlock()
	if c == nil {
		p.logger.Debug("reply to an abandoned call", zap.Int64("id", m.Reply.ID))
		return
	}
	c.reply <- m.Reply
	if retiring != nil && idle {
		p.kill(retiring)
	}
}

func (p *process) event(m *message) {
	switch m.Event {
	case "ready":
		p.readyOnce.Do(func() {
			p.hello = *m
			if m.Pid != 0 {
				p.pid = m.Pid
			}
			close(p.ready)
		})
		return
	case "protocol_error":
		p.logger.Warn("agent could not read a request", zap.String("error", m.Text))
		return
	case "timeout":
		if m.RequestID != nil {
			p.timedOut(*m.RequestID, time.Duration(m.Seconds*float64(time.Second)))
		}
		return
	}
	ev := Event{Kind: m.Event, Stream: m.Stream, Text: m.Text, App: p.runsApp(), Origin: m.Origin, Where: m.Where, Exception: m.Error, Note: m.Note}
	var c *call
	if m.RequestID != nil {
		p.mu.Lock()
		c = p.calls[*m.RequestID]
		p.mu.Unlock()
	}
	switch {
	case c != nil && c.onEvent != nil:
		c.onEvent(ev)
	case c == nil && p.background != nil:
		p.background(ev)
	}
}

// call sends req and waits for its reply, the process's exit, or ctx.
// Leaving early on ctx does not stop the request in Python.
func (p *process) call(ctx context.Context, req Request, onEvent func(Event)) (Reply, error) {
	c, err := p.send(req, onEvent)
	if err != nil {
		return Reply{}, err
	}
	return p.wait(ctx, c, nil)
}

// send registers req and writes it, or queues it behind the lines another
// sender is writing. Registering and queuing happen under writeMu
// together: once busy() counts the call, an interrupt cannot reach the
// agent before it.
func (p *process) send(req Request, onEvent func(Event)) (*call, error) {
	return p.sendUnless(req, onEvent, nil)
}

// sendUnless is send, except that the request is sent stopped (it raises
// KeyboardInterrupt as it starts) if stale, called once the call is
// counted, reports true: an interrupt then either saw the call or came
// before this check, and either way stops it.
func (p *process) sendUnless(req Request, onEvent func(Event), stale func() bool) (*call, error) {
	c, writer, err := p.queue(req, onEvent, stale)
	if errors.Is(err, errWriteFailed) {
		return nil, p.sendError(req.Op, err)
	}
	if err != nil || !writer {
		return c, err
	}
	if err := p.out.flush(p.link.send, p.lost); err != nil {
		return nil, p.sendError(req.Op, err)
	}
	return c, nil
}

// post is send for a caller that must not wait for the write: the request
// keeps its place in the order, and a goroutine writes it if no sender is
// writing already.
func (p *process) post(req Request) (*call, error) {
	c, writer, err := p.queue(req, nil, nil)
	if err != nil || !writer {
		return c, err
	}
	go p.out.flush(p.link.send, p.lost)
	return c, nil
}

// queue registers req and puts its line in the outbox, under writeMu. It
// reports whether the caller must write the outbox, or errWriteFailed
// (outbox.put), which it does not wait on: post's caller must not.
func (p *process) queue(req Request, onEvent func(Event), stale func() bool) (c *call, writer bool, err error) {
	c = &call{op: req.Op, reply: make(chan Reply, 1), onEvent: onEvent, code: !runsNoCode(req.Op)}
	p.writeMu.Lock()
	p.mu.Lock()
	if p.exitErr != nil {
		err := p.exitErr
		p.mu.Unlock()
		p.writeMu.Unlock()
		return nil, false, err
	}
	p.nextID++
	req.ID = p.nextID
	c.id = req.ID
	p.calls[req.ID] = c
	if c.code {
		p.running++
	}
	p.mu.Unlock()
	if stale != nil && stale() {
		req.Stopped = true
	}
	data, err := json.Marshal(req)
	if err != nil {
		p.forget(c)
		p.writeMu.Unlock()
		return nil, false, fmt.Errorf("pyruntime: encode %s request: %w", req.Op, err)
	}
	writer, err = p.out.put(append(data, '\n'))
	if err != nil {
		p.forget(c)
		c = nil
	}
	p.writeMu.Unlock()
	return c, writer, err
}

// forget unregisters c, which was never sent, as if it had been answered:
// busy must not count it.
func (p *process) forget(c *call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.calls, c.id)
	if c.code {
		p.finished++
	}
}

// sendError is what a sender whose line could not be written returns: how
// the process ended, which a failed write usually means, rather than EPIPE.
func (p *process) sendError(op string, err error) error {
	select {
	case <-p.done:
		return p.exitErr
	case <-time.After(waitDelay):
		return fmt.Errorf("pyruntime: send %s request: %w", op, err)
	}
}

// lost handles a failed write: the line and those queued behind it are
// lost, so the process can no longer be told anything in order. Their
// calls learn it from the process's end, which the server brings about
// unless the process ends by itself within waitDelay, as it does when the
// write failed because it had exited.
func (p *process) lost(err error) {
	go func() {
		select {
		case <-p.done:
		case <-time.After(waitDelay):
			p.kill(fmt.Errorf("pyruntime: write to the runtime: %w", err))
		}
	}()
}

// errStopped is what wait returns when its stop channel closes.
var errStopped = errors.New("pyruntime: request stopped")

// wait waits for the reply to c, the process's exit, ctx, or stop (if not
// nil) to close, which it reports as errStopped.
func (p *process) wait(ctx context.Context, c *call, stop <-chan struct{}) (Reply, error) {
	select {
	case <-stop:
		return Reply{}, errStopped
	case r := <-c.reply:
		if r.ProtocolError != "" {
			return r, fmt.Errorf("pyruntime: agent rejected %s request: %s", c.op, r.ProtocolError)
		}
		return r, nil
	case <-p.done:
		// A reply may have arrived just before the exit.
		select {
		case r := <-c.reply:
			return r, nil
		default:
		}
		return Reply{}, p.exitErr
	case <-ctx.Done():
		// The call stays registered so its reply is still counted; the
		// buffered channel takes the reply nobody reads.
		return Reply{}, ctx.Err()
	}
}

// busy reports whether the main thread has work and how many calls it has
// finished, so an interrupt can tell later whether the code stopped.
func (p *process) busy() (busy bool, finished int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running > p.finished && p.exitErr == nil, p.finished
}

// kill ends the process. reason, if not nil, is what calls in flight
// report; nil means the death was unexpected.
func (p *process) kill(reason error) {
	p.mu.Lock()
	if p.killReason == nil {
		p.killReason = reason
	}
	p.mu.Unlock()
	p.link.kill()
}

// retire kills the process with reason once the calls it has are answered:
// a newer process has taken its place.
func (p *process) retire(reason error) {
	p.mu.Lock()
	p.retiring = reason
	idle := p.running == p.finished
	p.mu.Unlock()
	if idle {
		p.kill(reason)
	}
}

// pending reports whether c still waits for its reply.
func (p *process) pending(c *call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[c.id] == c
}

// timedOut starts the grace period of request id, which the agent stopped
// because it ran for its timeout: if it has not answered by the end of it,
// the process is killed.
func (p *process) timedOut(id int64, timeout time.Duration) {
	p.mu.Lock()
	c := p.calls[id]
	p.mu.Unlock()
	if c == nil {
		return
	}
	grace := p.grace
	if grace == 0 {
		grace = DefaultInterruptGrace
	}
	p.killUnlessAnswered(c, grace, fmt.Errorf("%w after %v (%w), and its code still ran %v after the interrupt, so the runtime was killed and restarted", ErrTimedOut, timeout, ErrInterrupted, grace))
}

// killUnlessAnswered kills the process with reason if c has no reply after
// grace: interrupted code that does not stop (a C call that holds the GIL,
// code that catches KeyboardInterrupt) costs the runtime.
func (p *process) killUnlessAnswered(c *call, grace time.Duration, reason error) {
	time.AfterFunc(grace, func() {
		if p.pending(c) {
			p.logger.Info("interrupted code did not stop; killing the runtime", zap.Duration("grace", grace), zap.String("op", c.op))
			p.kill(reason)
		}
	})
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
