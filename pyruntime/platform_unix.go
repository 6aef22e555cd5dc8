//go:build unix

package pyruntime

import (
	"os/exec"
	"syscall"
)

// killProcessGroup kills the process group cmd leads: cmd's process and
// every process it started that has not moved to a group of its own.
func killProcessGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
