//go:build unix

package pyruntime

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The zygote's parent is not always the server (`uv run python`, a shell
// wrapper), and on macOS nothing like the parent-death signal kills it:
// the zygote watches its parent (kqueue on macOS, a pidfd here) and, when
// the parent dies, ends its workers and itself, although its channel to
// the server is still open.
func TestZygoteGoesWithItsParent(t *testing.T) {
	if exec.Command("python3", "-c", "import os; os.pidfd_open").Run() != nil {
		t.Skip("python3 has no os.pidfd_open (Python 3.9+ on Linux): the zygote cannot watch its parent here")
	}
	// sh runs Python as its child (not exec: a command follows), so the
	// parent-death signal the server asks for reaches sh only.
	r := newRuntime(t, Config{Python: []string{"sh", "-c", `python3 "$@"; exit $?`, "sh"}})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	pids := waitSpare(t, r)
	r.mu.Lock()
	shell := r.zyg.cmd.cmd.Process.Pid
	r.mu.Unlock()
	if err := syscall.Kill(shell, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		pyruntimetest.WaitGone(t, pid, 10*time.Second)
	}
}
