package pyruntime

import (
	"errors"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// linuxGroup is a process group whose leader the kernel kills when the
// server dies (the parent-death signal).
type linuxGroup struct{}

func newProcessGroup() processGroup { return linuxGroup{} }

// prepare puts the process in its own group: a kill reaches the processes
// user code started, and a terminal's Ctrl-C reaches the server, which
// decides what to do. Pdeathsig: if the server dies without cleaning up,
// the kernel kills Python.
func (linuxGroup) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func (linuxGroup) started(*exec.Cmd) error  { return nil }
func (linuxGroup) kill(cmd *exec.Cmd) error { return killProcessGroup(cmd) }
func (linuxGroup) release()                 {}

func (linuxGroup) killLeftovers(cmd *exec.Cmd) error { return killLeftovers(cmd) }

// waitExited blocks until the child pid has exited, and leaves it a
// zombie (waitid's WNOWAIT): its pid, and the id of the group it leads,
// stay its own until cmd.Wait reaps it.
func waitExited(pid int) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
