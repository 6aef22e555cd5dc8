package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// leftoverRounds is how many times each case of the leftover tests dies
// with a subprocess running: which of the zygote's two ways of learning
// of a death comes first (the worker's channel closing, its SIGCHLD) is a
// matter of timing, and before the fix one order in a few left the
// subprocess behind.
const leftoverRounds = 8

// goneWait bounds the wait for a killed process to be gone. It guards
// against a hang; it is not a claim about speed.
const goneWait = 10 * time.Second

// sleeperSource is Python that starts a subprocess, a Python that sleeps
// for ten minutes in the caller's process group, and writes its pid to
// pidFile. With holdSockets, the subprocess also holds every socket of
// the caller open: in a forked worker, its channel to the zygote.
func sleeperSource(pidFile string, holdSockets bool) string {
	return fmt.Sprintf("import os, stat, subprocess, sys\n"+
		"sockets = []\n"+
		"for fd in range(3, 256) if %s else []:\n"+
		"    try:\n"+
		"        if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"+
		"            sockets.append(fd)\n"+
		"    except OSError:\n"+
		"        pass\n"+
		"sleeper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], pass_fds=sockets)\n"+
		"with open(%s, 'w') as f:\n"+
		"    f.write(str(sleeper.pid))\n", pythonBool(holdSockets), pyString(pidFile))
}

// pythonBool is b in Python.
func pythonBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// sleeperPid reads the pid sleeperSource wrote and makes sure the test
// leaves no sleeper behind, whatever happens.
func sleeperPid(t *testing.T, pidFile string) int {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the code did not say its subprocess's pid: %v", err)
	}
	pid, err := strconv.Atoi(string(data))
	if err != nil {
		t.Fatalf("subprocess pid %q: %v", data, err)
	}
	t.Cleanup(func() {
		if !pyruntimetest.Gone(pid) {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill() // the test's own subprocess, left behind: the failure is reported already
			}
		}
	})
	return pid
}

// Regression: a worker that died by itself (os._exit, a segfault) left
// the subprocesses its code had started running whenever the zygote reaped
// it before it noticed its channel close: the kill of its process group
// then came after the reap, when the group's id may have been someone
// else's, and was refused. A runtime started without a zygote left them
// every time. Now what the process leaves in its group is killed as soon
// as it has exited, before it is reaped.
func TestSubprocessesDieWithTheRuntime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		direct bool   // started without a zygote, as where Python cannot fork
		holds  bool   // the subprocess holds the worker's channel open
		die    string // how the code ends its process
	}{
		{"forked worker, os._exit", false, false, "os._exit(3)\n"},
		{"forked worker, segfault", false, false, "import ctypes\nctypes.string_at(0)\n"},
		// The channel stays open, so the zygote learns of the death from
		// SIGCHLD alone: the order that left the subprocess behind, every
		// time rather than one time in a few.
		{"forked worker, channel held open, os._exit", false, true, "os._exit(3)\n"},
		{"without fork, os._exit", true, false, "os._exit(3)\n"},
		{"without fork, segfault", true, false, "import ctypes\nctypes.string_at(0)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var cfg Config
			if tt.direct {
				cfg.Python = forklessPython(t)
			}
			r := newRuntime(t, cfg)
			for round := range leftoverRounds {
				pidFile := filepath.Join(dir, fmt.Sprintf("sleeper%d", round))
				path := writeModule(t, dir, fmt.Sprintf("crash%d", round), sleeperSource(pidFile, tt.holds)+tt.die)
				_, _, err := reload(t, r, "crash", path)
				if !errors.As(err, new(*ExitError)) {
					t.Fatalf("round %d: reload = %v, want an ExitError", round, err)
				}
				pyruntimetest.WaitGone(t, sleeperPid(t, pidFile), goneWait)
			}
		})
	}
}

// A program run with StartApp that ends by itself, however it ends, takes
// the subprocesses it left in its process group with it.
func TestAppLeavesNoSubprocess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		direct bool
		end    string // how the program ends
	}{
		{"forked, returns", false, "print('done')\n"},
		{"forked, segfault", false, "import ctypes\nctypes.string_at(0)\n"},
		{"without fork, returns", true, "print('done')\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pidFile := filepath.Join(dir, "sleeper")
			writeModule(t, dir, "prog", sleeperSource(pidFile, false)+tt.end)
			events := newAppEvents()
			cfg := events.config(dir)
			if tt.direct {
				cfg.Python = forklessPython(t)
			}
			r := newRuntime(t, cfg)
			if _, err := r.StartApp(context.Background(), []string{"prog.py"}); err != nil {
				t.Fatal(err)
			}
			events.awaitExit(t)
			pyruntimetest.WaitGone(t, sleeperPid(t, pidFile), goneWait)
		})
	}
}
