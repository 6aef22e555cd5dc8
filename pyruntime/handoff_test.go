//go:build unix

package pyruntime

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// A zygote on this machine hands each worker's socket to the server, and
// the worker's lines skip the relay; a zygote whose fd 3 is something
// else (as behind ssh or docker) relays them, and both work the same:
// output, values, and the last lines of a worker that dies, before its
// exit.
func TestWorkersTalkOverTheirOwnSocketWhereTheZygoteCanHandItOver(t *testing.T) {
	t.Parallel()
	python := pyruntimetest.Python(t)
	// Execs the Python with fd 3 an unrelated socket holding a datagram.
	foreign := []string{python, "-c", "import os, socket, sys\n" +
		"a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n" +
		"b.send(b'not the token\\n')\n" +
		"os.dup2(a.fileno(), 3)\n" +
		"os.execvp(sys.argv[1], sys.argv[1:])\n", python}
	for _, tc := range []struct {
		name       string
		python     []string
		wantDirect bool
	}{
		{name: "a local Python", python: []string{python}, wantDirect: true},
		{name: "fd 3 is not the handoff", python: foreign, wantDirect: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			r := newRuntime(t, Config{Python: tc.python})
			path := writeModule(t, dir, "hello", "print('hello')\n6 * 7\n")
			reply, out, err := reload(t, r, "hello", path)
			if err != nil || reply.Value == nil || *reply.Value != "42" || out != "hello\n" {
				t.Fatalf("reload = %+v, output %q, %v; want 42 and hello", reply, out, err)
			}
			r.mu.Lock()
			direct := r.proc.link.(*workerLink).direct()
			r.mu.Unlock()
			if direct != tc.wantDirect {
				t.Errorf("the worker's lines come over its own socket: %v, want %v", direct, tc.wantDirect)
			}

			crash := writeModule(t, dir, "crash", "import os\nprint('last words', flush=True)\nos._exit(3)\n")
			_, out, err = reload(t, r, "crash", crash)
			var exit *ExitError
			if !errors.As(err, &exit) || exit.Code != 3 || !strings.Contains(out, "last words") {
				t.Errorf("a worker that prints and exits: output %q, error %v; want its output, then exit code 3", out, err)
			}
			reply, _, err = reload(t, r, "hello", path)
			if err != nil || reply.Value == nil || *reply.Value != "42" {
				t.Errorf("reload after the crash = %+v, %v; want 42 from the next worker", reply, err)
			}
		})
	}
}

// Each fresh run's worker brings its own socket; none is left open once
// its worker has gone, nor the handoff once the runtime is closed.
func TestHandedOverSocketsAreClosedWithTheirWorkers(t *testing.T) {
	// Not parallel: it counts the test binary's own descriptors.
	openFDs := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skipf("cannot count descriptors here: %v", err)
		}
		return len(entries)
	}
	dir := t.TempDir()
	path := writeModule(t, dir, "fresh", "print('ran')\n")
	before := openFDs()
	r := New(Config{})
	for i := range 20 {
		if reply, err := r.CallFresh(context.Background(), Request{Op: "reload", Module: "fresh", Path: path, PathEntry: dir}, nil); err != nil || reply.Error != nil {
			t.Fatalf("fresh run %d = %+v, %v", i, reply, err)
		}
	}
	during := openFDs()
	t.Logf("descriptors: %d before, %d after the runs", before, during)
	r.Close()
	// The workers the runs replaced are killed as they go; their sockets
	// close once their exits are read, asynchronously: wait a little.
	after := openFDs()
	for end := time.Now().Add(5 * time.Second); after > before && time.Now().Before(end); after = openFDs() {
		time.Sleep(10 * time.Millisecond)
	}
	if after > before {
		t.Errorf("%d descriptors open after 20 fresh runs and Close, %d before (%d while running)", after, before, during)
	}
	if during > before+12 {
		t.Errorf("%d descriptors open after 20 fresh runs, %d before: the replaced workers' sockets were not closed", during, before)
	}
}
