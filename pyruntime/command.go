package pyruntime

import (
	"bufio"
	"context"
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

// bootstrap is passed with -c. It reads a 10-digit length and then that many
// bytes of agent source from stdin, byte-exact, so that nothing beyond the
// agent is consumed from what becomes the protocol channel. First it refuses
// a Python older than 3.8 in words Explain finds (versionRefusal); the
// check parses and runs on any Python, 2.7 included, so the user sees that
// rather than a SyntaxError from the agent's source. Then it takes the
// working directory, which -c puts first, off sys.path: the agent imports
// the standard library's queue, signal and token, not the project's files
// of those names (the workspace's folders are put on sys.path at setup).
const bootstrap = `import os, sys
if sys.version_info < (3, 8):
    sys.stderr.write("hotload needs Python 3.8 or later; %s is Python %s\n" % (sys.executable or "this interpreter", sys.version.split()[0]))
    sys.exit(3)
if sys.path and sys.path[0] == "":
    del sys.path[0]
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

// agentCommand is an interpreter the server started with the agent in it,
// in the agent mode given by its extra arguments.
type agentCommand struct {
	cmd    *exec.Cmd
	argv   []string
	group  processGroup
	logger *zap.Logger

	writeMu sync.Mutex // serializes writes to stdin
	stdin   io.WriteCloser
	stdout  *bufio.Reader
	stderr  *tail
	// sent is closed once the agent's source is sent, or cannot be.
	sent chan struct{}
}

// startAgent starts argv with the bootstrap and sends it the agent. Through
// ssh, the arguments it appends are quoted for the remote shell (remoteArgs).
// A zygote's handoff, if not nil, becomes its fd 3.
func startAgent(ctx context.Context, argv []string, cfg *Config, logger *zap.Logger, h *handoff, mode ...string) (*agentCommand, error) {
	args := append(argv[1:len(argv):len(argv)], remoteArgs(argv[0], append([]string{"-c", bootstrap}, mode...))...)
	cmd := exec.CommandContext(ctx, argv[0], args...)
	cmd.Dir = cfg.processDir()
	if len(cfg.Env) > 0 {
		cmd.Env = append(os.Environ(), cfg.Env...)
	}
	group := cfg.processGroup()
	group.prepare(cmd)
	cmd.Cancel = func() error { return group.kill(cmd) }
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
	if h != nil {
		cmd.ExtraFiles = []*os.File{h.zygoteEnd()}
	}
	if err := cmd.Start(); err != nil {
		return nil, &StartError{Argv: argv, Err: err}
	}
	if h != nil {
		h.started()
	}
	if err := group.started(cmd); err != nil {
		_ = cmd.Process.Kill() // not in its group: the process alone, before it runs code
		_ = cmd.Wait()         // reaps it; its error is the kill's
		group.release()
		return nil, &StartError{Argv: argv, Err: fmt.Errorf("pyruntime: put python in its process group: %w", err)}
	}
	a := &agentCommand{
		cmd:    cmd,
		argv:   argv,
		group:  group,
		logger: logger.With(zap.Int("pid", cmd.Process.Pid)),
		stdin:  stdin,
		stdout: bufio.NewReaderSize(stdout, 64*1024),
		stderr: stderr,
		sent:   make(chan struct{}),
	}
	// A Python that exits at once leaves the source unread; what it said
	// on stderr, reported by wait, tells why.
	go func() {
		defer close(a.sent)
		source := AgentSource()
		if _, err := fmt.Fprintf(stdin, "%010d%s", len(source), source); err != nil {
			a.logger.Debug("send agent source", zap.Error(err))
		}
	}()
	return a, nil
}

// write sends data to the agent's stdin.
func (a *agentCommand) write(data []byte) error {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	_, err := a.stdin.Write(data)
	return err
}

// readLines calls handle with each line the agent writes until its stdout
// closes, then kills what the process left in its group, reaps it and
// returns how it ended.
func (a *agentCommand) readLines(handle func(line []byte)) *ExitError {
	for {
		line, err := a.stdout.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			handle(line[:len(line)-1])
		}
		if err != nil {
			break
		}
	}
	// Its stdout closed: it is exiting. Before the reap, which frees its
	// pid and so its group's id, what its code left in the group goes.
	if err := a.group.killLeftovers(a.cmd); err != nil {
		a.logger.Debug("kill leftovers", zap.Error(err))
	}
	waitErr := a.cmd.Wait()
	// Wait closed stdin, so the sender is done or about to be. Regression:
	// it logged its failure to send after readLines had returned, and so
	// after the test that owned the logger had ended (a data race).
	<-a.sent
	a.group.release()
	exit := &ExitError{Code: a.cmd.ProcessState.ExitCode(), Stderr: a.stderr.String()}
	if ws, ok := a.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		exit.Signal = ws.Signal()
	}
	if waitErr != nil && !errors.As(waitErr, new(*exec.ExitError)) {
		a.logger.Debug("wait", zap.Error(waitErr))
	}
	return exit
}

// kill ends the process group.
func (a *agentCommand) kill() {
	_ = a.group.kill(a.cmd) // fails only if the group is already gone
}
