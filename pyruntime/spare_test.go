package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// spareState says what the runtime holds besides its current process: a
// spare, a spare being forked, both or neither ("").
func spareState(r *Runtime) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var held []string
	if r.spare != nil {
		held = append(held, "a spare")
	}
	if r.forking != nil {
		held = append(held, "a spare being forked")
	}
	return strings.Join(held, " and ")
}

// watchSpares returns an onEvent that records, at each output event of a
// run, what spareState says, and a function that returns what it saw.
func watchSpares(r *Runtime) (func(Event), func() []string) {
	var seen []string
	return func(Event) {
			if s := spareState(r); s != "" {
				seen = append(seen, s)
			}
		}, func() []string {
			return seen
		}
}

// workerChannel is the zygote channel of the runtime's current process.
func workerChannel(t *testing.T, r *Runtime) int {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.proc.link.(*workerLink)
	if !ok {
		t.Fatalf("the current process is not a forked worker: %T", r.proc.link)
	}
	return w.ch
}

// A fresh run has the zygote to itself: the spare that replaces the one it
// took is forked once the run has replied. A fork holds the zygote, which
// relays the run's lines, for as long as it copies the page tables
// (milliseconds with numpy and pandas preloaded); forking during the run
// made a fresh run four times slower than an in-place one (issue 13).
func TestFreshRunForksTheNextSpareAfterItReplies(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitSpare(t, r)
	// However slow the machine, the run replies before refillDelay.
	r.mu.Lock()
	r.refillDelay = time.Hour
	r.mu.Unlock()
	path := writeModule(t, dir, "probe", "print('running')\n")
	for i := range 3 {
		waitSpare(t, r)
		onEvent, seen := watchSpares(r)
		reply, err := r.CallFresh(context.Background(), Request{Op: "reload", Module: "probe", Path: path, PathEntry: dir}, onEvent)
		if err != nil || reply.Error != nil {
			t.Fatalf("fresh run %d: %v %v", i+1, err, reply.Error)
		}
		if s := seen(); len(s) > 0 {
			t.Errorf("fresh run %d: while it ran, the runtime had %v; want nothing forked until it replied", i+1, s)
		}
	}
	waitSpare(t, r) // and after the last, a spare comes
}

// A fresh run that takes longer than refillDelay does not keep the process
// it replaced (and its memory) alive, nor the next save waiting for a
// fork: both happen refillDelay into the run.
func TestLongFreshRunEndsTheOldProcessAndGetsASpare(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitSpare(t, r)
	r.mu.Lock()
	r.refillDelay = time.Millisecond
	r.mu.Unlock()
	old := r.Pid()
	started, release := filepath.Join(dir, "started"), filepath.Join(dir, "release")
	path := writeModule(t, dir, "long", "import os, time\nopen("+pyString(started)+", 'w').close()\n"+
		"while not os.path.exists("+pyString(release)+"):\n    time.sleep(0.005)\n'done'\n")
	done := make(chan string, 1)
	go func() {
		reply, err := r.CallFresh(context.Background(), Request{Op: "reload", Module: "long", Path: path, PathEntry: dir}, nil)
		if err != nil {
			done <- err.Error()
			return
		}
		done <- valueOf(reply)
	}()
	waitFile(t, started)
	pyruntimetest.WaitGone(t, old, 10*time.Second)
	waitSpare(t, r)
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "'done'" {
		t.Errorf("the long run = %s, want 'done'", got)
	}
}

// Saves that come back to back each take the spare being forked for them,
// rather than forking one more that then goes unused: worker channels go
// up one by one.
func TestBackToBackFreshRunsWaitForTheSpareBeingForked(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitSpare(t, r)
	path := writeModule(t, dir, "probe", "'ok'\n")
	var channels []int
	for range 5 {
		callFresh(t, r, "probe", path)
		channels = append(channels, workerChannel(t, r))
	}
	// Worker 1 started the runtime and worker 2 was its spare.
	if want := []int{2, 3, 4, 5, 6}; fmt.Sprint(channels) != fmt.Sprint(want) {
		t.Errorf("fresh runs ran in workers %v, want %v: each the spare forked after the previous run", channels, want)
	}
}

// After the current process dies, the next request runs in the spare
// before the next spare is forked, which waits refillDelay: the save after
// a crash report comes at once, and a fork would hold the zygote during it.
func TestTakeoverForksTheNextSpareLater(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitSpare(t, r)
	r.mu.Lock()
	r.refillDelay = time.Hour
	r.mu.Unlock()
	crash := writeModule(t, dir, "crash", "import os\nos._exit(3)\n")
	if _, _, err := reload(t, r, "crash", crash); !errors.As(err, new(*ExitError)) {
		t.Fatalf("reload of os._exit = %v, want an ExitError", err)
	}
	probe := writeModule(t, dir, "probe", "print('running')\n")
	onEvent, seen := watchSpares(r)
	reply, err := r.Call(context.Background(), Request{Op: "reload", Module: "probe", Path: probe, PathEntry: dir}, onEvent)
	if err != nil || reply.Error != nil {
		t.Fatalf("the run after the crash: %v %v", err, reply.Error)
	}
	if s := seen(); len(s) > 0 {
		t.Errorf("while the first run after the crash ran, the runtime had %v; want no fork before refillDelay", s)
	}
	if s := spareState(r); s != "" {
		t.Errorf("after that run the runtime has %v; want nothing until refillDelay has passed", s)
	}

	// With a short delay, the spare comes by itself.
	r.mu.Lock()
	r.refillDelay = time.Millisecond
	r.mu.Unlock()
	if _, _, err := reload(t, r, "crash", crash); !errors.As(err, new(*ExitError)) {
		t.Fatalf("second reload of os._exit = %v, want an ExitError", err)
	}
	if _, _, err := reload(t, r, "probe", probe); err != nil {
		t.Fatal(err)
	}
	waitSpare(t, r)
}

// Workers are forked with the zygote's objects frozen out of the garbage
// collector's reach, so a full collection in a worker visits only its own
// objects instead of copying every page of the preloads (issue 13: 40 to
// 130 ms with numpy and pandas, against under a millisecond).
func TestWorkersStartWithTheZygotesObjectsFrozen(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "probe", "import gc\ngc.get_freeze_count() > 1000\n")
	for _, fresh := range []bool{false, true} {
		call := r.Call
		if fresh {
			call = r.CallFresh
		}
		reply, err := call(context.Background(), Request{Op: "reload", Module: "probe", Path: path, PathEntry: filepath.Dir(path)}, nil)
		if err != nil || valueOf(reply) != "True" {
			t.Errorf("fresh=%v: frozen objects in the worker > 1000 = %s, %v; want True", fresh, valueOf(reply), err)
		}
	}
}

// warmUpRounds is how many runtimes TestSparesLeaveNothingInTheTemporaryFolder
// closes while their spare is being forked, each a millisecond later than
// the last: the spare warms up before it says it is ready (see warmup.py),
// so some of the closes land during its warm-up, which is when a warm-up
// that wrote a file left it behind.
const warmUpRounds = 12

// A spare warms up while it waits, and a runtime closed meanwhile kills
// it: nothing it did may be left in the temporary folder.
func TestSparesLeaveNothingInTheTemporaryFolder(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	for round := range warmUpRounds {
		r := New(Config{Env: []string{"TMPDIR=" + tmp}})
		if err := r.Start(context.Background()); err != nil {
			r.Close()
			t.Fatal(err)
		}
		r.mu.Lock()
		forks := r.zyg != nil
		r.mu.Unlock()
		if !forks {
			r.Close()
			t.Skip("this Python cannot fork: there are no spares")
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(spareState(r), "being forked") && len(r.Pids()) < 3 {
			if time.Now().After(deadline) {
				r.Close()
				t.Fatalf("round %d: no spare was forked: processes %v", round, r.Pids())
			}
			time.Sleep(100 * time.Microsecond)
		}
		time.Sleep(time.Duration(round) * time.Millisecond)
		r.Close()
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("the runtimes left %v in their temporary folder", names)
	}
}
