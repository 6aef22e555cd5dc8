package pyruntime

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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

func (darwinGroup) killLeftovers(cmd *exec.Cmd) error { return killLeftovers(cmd) }

// zombieCheck is how often waitExited also asks whether the process is a
// zombie, should its NOTE_EXIT have gone by before the watch began: a
// guard against a race nobody has seen, so once a second is plenty.
const zombieCheck = time.Second

// szomb is a zombie's p_stat (SZOMB, <sys/proc.h>): exited, not reaped.
const szomb = 5

// waitExited blocks until the child pid has exited, without reaping it:
// macOS has no waitid WNOWAIT that Go can call, so it waits for kqueue's
// NOTE_EXIT, which leaves the zombie to cmd.Wait. A process already a
// zombie when the watch begins cannot be watched (ESRCH): it has exited.
func waitExited(pid int) error {
	kq, err := unix.Kqueue()
	if err != nil {
		return fmt.Errorf("kqueue: %w", err)
	}
	defer unix.Close(kq) // ours, and nothing was written through it
	var change unix.Kevent_t
	unix.SetKevent(&change, pid, unix.EVFILT_PROC, unix.EV_ADD|unix.EV_ONESHOT)
	change.Fflags = unix.NOTE_EXIT
	if _, err := unix.Kevent(kq, []unix.Kevent_t{change}, nil, nil); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil
		}
		return fmt.Errorf("watch process %d: %w", pid, err)
	}
	events := make([]unix.Kevent_t, 1)
	timeout := unix.NsecToTimespec(int64(zombieCheck))
	for {
		n, err := unix.Kevent(kq, nil, events, &timeout)
		if n > 0 {
			return nil
		}
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait for process %d: %w", pid, err)
		}
		if info, err := unix.SysctlKinfoProc("kern.proc.pid", pid); err == nil && info.Proc.P_stat == szomb {
			return nil
		}
	}
}
