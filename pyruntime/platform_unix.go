//go:build unix

package pyruntime

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

// killProcessGroup kills the process group cmd leads: cmd's process and
// every process it started that has not moved to a group of its own.
func killProcessGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// killLeftovers waits until cmd's process has exited, leaving it unreaped
// (waitExited), and kills its process group: what its code started and
// left there. A process that left the group on purpose (a daemon, a
// subprocess started with start_new_session=True) is not in it, and lives
// on.
func killLeftovers(cmd *exec.Cmd) error {
	if err := waitExited(cmd.Process.Pid); err != nil {
		return fmt.Errorf("pyruntime: wait for python to exit: %w", err)
	}
	// ESRCH: nothing left, not even the leader (macOS does not count a
	// zombie as the group's).
	if err := killProcessGroup(cmd); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("pyruntime: kill what python left in its group: %w", err)
	}
	return nil
}
