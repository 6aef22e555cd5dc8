package pyruntime

import (
	"os/exec"
	"syscall"
)

// darwinGroup is a process group. macOS has no parent-death signal, so
// dying with the server is the agent's part: the zygote and its workers
// exit when their channel closes (the kernel closes a killed server's end)
// and watch their parent with kqueue's NOTE_EXIT, which needs no polling
// (pyruntime/agent/_hotload_agent/platform.py).
type darwinGroup struct{}

func newProcessGroup() processGroup { return darwinGroup{} }

// prepare puts the process in its own group: a kill reaches the processes
// user code started, and a terminal's Ctrl-C reaches the server, which
// decides what to do.
func (darwinGroup) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func (darwinGroup) started(*exec.Cmd) error  { return nil }
func (darwinGroup) kill(cmd *exec.Cmd) error { return killProcessGroup(cmd) }
func (darwinGroup) release()                 {}
