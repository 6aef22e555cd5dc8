package pyruntime

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

//go:embed agent.py
var agentSource string

// bootstrap is passed with -c. It reads a 10-digit length and then that many
// bytes of agent source from stdin, byte-exact, so that nothing beyond the
// agent is consumed from what becomes the protocol channel.
const bootstrap = `import os
def _hotload_read(n):
    b = b""
    while len(b) < n:
        c = os.read(0, n - len(b))
        if not c:
            raise SystemExit("hotload: agent source truncated")
        b += c
    return b
exec(compile(_hotload_read(int(_hotload_read(10))), "<hotload-agent>", "exec"), {"__name__": "__hotload_agent__"})
`

// waitDelay bounds how long Wait waits for the stderr copy after the process
// has exited: a grandchild that inherited stderr must not hold the server up.
const waitDelay = 2 * time.Second

// process is one running Python process with the agent in it.
type process struct {
	cmd    *exec.Cmd
	logger *zap.Logger
	pid    int
	start  time.Time // when the agent said it was ready

	writeMu sync.Mutex // serializes writes to stdin; held while registering a call
	stdin   io.WriteCloser

	mu         sync.Mutex // guards the fields below
	nextID     int64
	calls      map[int64]*call
	running    int   // calls the main thread has taken or queued (not ping/interrupt)
	finished   int   // calls the main thread has completed
	killReason error // why we killed it, nil if it died by itself
	exitErr    error // set when the process has exited

	done   chan struct{} // closed when the process has exited and exitErr is set
	stderr *tail
	// background receives output sent while no call was running.
	background func(Event)
}

type call struct {
	reply   chan Reply
	onEvent func(Event)
	main    bool // runs on the agent's main thread
}

// startProcess starts argv with the agent and waits until it is ready.
func startProcess(ctx context.Context, argv []string, cfg *Config, logger *zap.Logger) (*process, error) {
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:len(argv):len(argv)], "-c", bootstrap)...)
	cmd.Dir = cfg.Dir
	if len(cfg.Env) > 0 {
		cmd.Env = append(os.Environ(), cfg.Env...)
	}
	// Own process group: a kill reaches the subprocesses user code started,
	// and a terminal's Ctrl-C reaches the server, which decides what to do.
	// Pdeathsig: if the server dies without cleaning up, the kernel kills Python.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = waitDelay
	stderr := &tail{next: cfg.Stderr}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, &StartError{Argv: argv, Err: err}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, &StartError{Argv: argv, Err: err}
	}
	if err := cmd.Start(); err != nil {
		return nil, &StartError{Argv: argv, Err: err}
	}
	p := &process{
		cmd:        cmd,
		logger:     logger.With(zap.Int("pid", cmd.Process.Pid)),
		pid:        cmd.Process.Pid,
		stdin:      stdin,
		calls:      make(map[int64]*call),
		done:       make(chan struct{}),
		stderr:     stderr,
		background: cfg.OnOutput,
	}
	ready := make(chan error, 1)
	go p.readLoop(bufio.NewReaderSize(stdout, 64*1024), ready)

	if _, err := fmt.Fprintf(stdin, "%010d%s", len(agentSource), agentSource); err != nil {
		p.kill(nil)
		<-p.done
		return nil, &StartError{Argv: argv, Err: p.exitErr}
	}
	select {
	case <-ready:
	case <-p.done:
		return nil, &StartError{Argv: argv, Err: p.exitErr}
	case <-ctx.Done():
		p.kill(ErrClosed)
		<-p.done
		return nil, &StartError{Argv: argv, Err: ctx.Err()}
	}
	p.start = time.Now()
	return p, nil
}

// readLoop reads the agent's messages until the process exits, then reaps it.
func (p *process) readLoop(r *bufio.Reader, ready chan<- error) {
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			p.dispatch(line, ready)
		}
		if err != nil {
			break
		}
	}
	waitErr := p.cmd.Wait()
	exit := &ExitError{Code: p.cmd.ProcessState.ExitCode(), Stderr: p.stderr.String()}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		exit.Signal = ws.Signal()
	}
	if waitErr != nil && !errors.As(waitErr, new(*exec.ExitError)) {
		p.logger.Debug("wait", zap.Error(waitErr))
	}
	p.mu.Lock()
	if p.killReason != nil {
		p.exitErr = fmt.Errorf("%w (%w)", p.killReason, exit)
	} else {
		p.exitErr = exit
	}
	p.calls = nil // callers in flight notice p.done and read exitErr
	p.mu.Unlock()
	close(p.done)
}

func (p *process) dispatch(line []byte, ready chan<- error) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		p.logger.Warn("agent sent a line that is not JSON", zap.ByteString("line", line), zap.Error(err))
		return
	}
	if m.Event != "" {
		p.event(&m, ready)
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
	if c != nil && c.main {
		p.finished++
	}
	p.mu.Unlock()
	if c == nil {
		p.logger.Debug("reply to an abandoned call", zap.Int64("id", m.Reply.ID))
		return
	}
	c.reply <- m.Reply
}

func (p *process) event(m *message, ready chan<- error) {
	switch m.Event {
	case "ready":
		p.logger.Debug("agent ready", zap.String("python", m.Version))
		ready <- nil
		return
	case "protocol_error":
		p.logger.Warn("agent could not read a request", zap.String("error", m.Text))
		return
	}
	ev := Event{Kind: m.Event, Stream: m.Stream, Text: m.Text}
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
	c := &call{reply: make(chan Reply, 1), onEvent: onEvent, main: req.Op != "ping" && req.Op != "interrupt"}
	// Registering and writing happen under writeMu together: once busy()
	// counts this call, an interrupt cannot reach the agent before it.
	p.writeMu.Lock()
	p.mu.Lock()
	if p.exitErr != nil {
		err := p.exitErr
		p.mu.Unlock()
		p.writeMu.Unlock()
		return Reply{}, err
	}
	p.nextID++
	req.ID = p.nextID
	data, err := json.Marshal(req)
	if err != nil {
		p.mu.Unlock()
		p.writeMu.Unlock()
		return Reply{}, fmt.Errorf("pyruntime: encode %s request: %w", req.Op, err)
	}
	p.calls[req.ID] = c
	if c.main {
		p.running++
	}
	p.mu.Unlock()
	_, err = p.stdin.Write(append(data, '\n'))
	p.writeMu.Unlock()
	if err != nil {
		// The process is going away; report how it ended rather than EPIPE.
		select {
		case <-p.done:
			return Reply{}, p.exitErr
		case <-time.After(waitDelay):
			return Reply{}, fmt.Errorf("pyruntime: send %s request: %w", req.Op, err)
		}
	}
	select {
	case r := <-c.reply:
		if r.ProtocolError != "" {
			return r, fmt.Errorf("pyruntime: agent rejected %s request: %s", req.Op, r.ProtocolError)
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

// kill ends the process group. reason, if not nil, is what calls in flight
// report; nil means the death was unexpected.
func (p *process) kill(reason error) {
	p.mu.Lock()
	if p.killReason == nil {
		p.killReason = reason
	}
	p.mu.Unlock()
	_ = killGroup(p.pid) // fails only if the group is already gone
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

func killGroup(pid int) error {
	return syscall.Kill(-pid, syscall.SIGKILL)
}
