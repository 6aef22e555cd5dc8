package pyruntime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// heldStderr is a Config.Stderr that stops taking writes once it has seen
// the line hold: the server's stderr reader then stalls, and whatever the
// process writes after that stays in the pipe, unread. It makes a file
// when it starts holding, so the process knows its next lines are unread.
type heldStderr struct {
	hold, held string // the line to stop after; the file made then
	release    chan struct{}

	mu   sync.Mutex // guards seen
	seen bytes.Buffer
}

func newHeldStderr(hold, held string) *heldStderr {
	return &heldStderr{hold: hold + "\n", held: held, release: make(chan struct{})}
}

func (h *heldStderr) Write(p []byte) (int, error) {
	h.mu.Lock()
	before := bytes.Contains(h.seen.Bytes(), []byte(h.hold))
	h.seen.Write(p)
	now := bytes.Contains(h.seen.Bytes(), []byte(h.hold))
	h.mu.Unlock()
	if now && !before {
		if err := os.WriteFile(h.held, nil, 0o644); err != nil {
			return 0, fmt.Errorf("mark stderr held: %w", err)
		}
		<-h.release
	}
	return len(p), nil
}

// Regression: a forked worker's last stderr lines (faulthandler's report of
// a segfault, what the code wrote before os._exit) went through the
// zygote's stderr, a pipe not ordered with the exit event on its stdout, so
// the ExitError's Stderr was empty or cut whenever the server had not read
// them yet (1 run in 15 on a loaded machine). Here the server's stderr
// reader is held before the code's last lines, which makes "not read yet"
// certain: the report must not depend on that reader.
func TestCrashReportHasTheLastStderrLinesEvenUnread(t *testing.T) {
	tests := []struct {
		name       string
		die        string // the code's end, after the held line
		wantCode   int
		wantSignal syscall.Signal
		wantStderr []string
		wantError  string // what the user sees: the error's message
	}{
		{"os._exit", "sys.__stderr__.write('last words\\n'); sys.__stderr__.flush()\nos._exit(3)\n",
			3, 0, []string{"last words"}, "pyruntime: python exited with code 3: last words"},
		{"segfault", "import ctypes\nctypes.string_at(0)\n",
			-1, syscall.SIGSEGV, []string{"Fatal Python error: Segmentation fault", "in <module>"},
			"pyruntime: python killed by signal 11 (segmentation fault): Fatal Python error: Segmentation fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			held := filepath.Join(dir, "held")
			stderr := newHeldStderr("hold stderr here", held)
			r := newRuntime(t, Config{Stderr: stderr})
			var once sync.Once
			release := func() { once.Do(func() { close(stderr.release) }) }
			t.Cleanup(release) // before Close, which waits for the reader

			// The wait for the file is bounded so that a server that never
			// holds (a broken relay) fails the test rather than hanging it.
			source := fmt.Sprintf("import os, sys, time\n"+
				"sys.__stderr__.write('hold stderr here\\n'); sys.__stderr__.flush()\n"+
				"deadline = time.monotonic() + 60\n"+
				"while not os.path.exists(%s) and time.monotonic() < deadline:\n"+
				"    time.sleep(0.005)\n", pyString(held)) + tt.die
			_, _, err := reload(t, r, "crash", writeModule(t, dir, "crash", source))
			release()
			var exit *ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("err = %v, want *ExitError", err)
			}
			if exit.Code != tt.wantCode || exit.Signal != tt.wantSignal {
				t.Errorf("exit = code %d signal %v, want code %d signal %v", exit.Code, exit.Signal, tt.wantCode, tt.wantSignal)
			}
			if got := exit.Error(); got != tt.wantError {
				t.Errorf("ExitError.Error() = %q, want %q", got, tt.wantError)
			}
			for _, want := range append([]string{"hold stderr here"}, tt.wantStderr...) {
				if !strings.Contains(exit.Stderr, want) {
					t.Errorf("ExitError.Stderr = %q, want it to contain %q", exit.Stderr, want)
				}
			}
		})
	}
}

// stderrWatch is a Config.Stderr that closes found once want has gone by,
// keeping no more of the stream than it needs to find it.
type stderrWatch struct {
	want  string
	found chan struct{}

	mu    sync.Mutex // guards carry and done
	carry []byte     // the end of the stream, shorter than want
	done  bool
}

func newStderrWatch(want string) *stderrWatch {
	return &stderrWatch{want: want, found: make(chan struct{})}
}

func (s *stderrWatch) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return len(p), nil
	}
	data := append(s.carry, p...)
	if bytes.Contains(data, []byte(s.want)) {
		s.done = true
		close(s.found)
		return len(p), nil
	}
	s.carry = bytes.Clone(data[max(0, len(data)-len(s.want)+1):])
	return len(p), nil
}

// A subprocess the code started inherits its stderr and may outlive it,
// holding the pipe open and writing on: the death is reported all the same,
// without waiting for that pipe's end, and what the subprocess writes
// afterwards still reaches the server's log. (The subprocess has a session
// of its own, as a daemon would: one in the code's process group may be
// killed with it.)
func TestCrashReportDoesNotWaitForASubprocessHoldingStderr(t *testing.T) {
	dir := t.TempDir()
	writing, stop, pidFile := filepath.Join(dir, "writing"), filepath.Join(dir, "stop"), filepath.Join(dir, "pid")
	stderr := newStderrWatch("subprocess orphaned\n")
	r := newRuntime(t, Config{Stderr: stderr})

	// It writes as fast as it can, so the pipe is never empty for long, and
	// says "orphaned" once its parent, the code's process, is gone. The
	// 60 s bound is a guard: the test stops it long before.
	subprocess := fmt.Sprintf("import os, sys, time\n"+
		"parent = os.getppid()\n"+
		"deadline = time.monotonic() + 60\n"+
		"while not os.path.exists(%s) and time.monotonic() < deadline:\n"+
		"    sys.stderr.write(('subprocess %%s\\n' %% ('writing' if os.getppid() == parent else 'orphaned')) * 100)\n"+
		"    sys.stderr.flush()\n"+
		"    open(%s, 'w').close()\n", pyString(stop), pyString(writing))
	// %q quotes as Go does, which Python reads alike for ASCII text.
	source := fmt.Sprintf("import os, subprocess, sys, time\n"+
		"p = subprocess.Popen([sys.executable, '-c', %q], start_new_session=True)\n"+
		"with open(%s, 'w') as f:\n"+
		"    f.write(str(p.pid))\n"+
		"deadline = time.monotonic() + 60\n"+
		"while not os.path.exists(%s) and time.monotonic() < deadline:\n"+
		"    time.sleep(0.005)\n"+
		"sys.__stderr__.write('last words\\n'); sys.__stderr__.flush()\n"+
		"os._exit(3)\n", subprocess, pyString(pidFile), pyString(writing))
	path := writeModule(t, dir, "spawner", source)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a guard, not a claim of speed
	defer cancel()
	reply, err := r.Call(ctx, Request{Op: "reload", Module: "spawner", Path: path, PathEntry: dir}, nil)
	if data, readErr := os.ReadFile(pidFile); readErr == nil {
		if pid, convErr := strconv.Atoi(string(data)); convErr == nil {
			t.Cleanup(func() {
				if writeErr := os.WriteFile(stop, nil, 0o644); writeErr != nil {
					if p, err := os.FindProcess(pid); err == nil {
						_ = p.Kill() // no file to stop it: stop it anyway
					}
				}
				pyruntimetest.WaitGone(t, pid, 10*time.Second)
			})
		}
	}
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 3 {
		t.Fatalf("err = %v (reply %+v), want an ExitError with code 3", err, reply)
	}
	select {
	case <-stderr.found:
	case <-ctx.Done():
		t.Fatal("the subprocess's output after the crash never reached the server's stderr")
	}
	ok := writeModule(t, dir, "alive", "'alive'\n")
	if reply, _, err := reload(t, r, "alive", ok); err != nil || reply.Value == nil {
		t.Fatalf("next call after the crash: %v", err)
	}
}
