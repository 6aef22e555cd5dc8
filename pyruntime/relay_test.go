package pyruntime

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Regression: the zygote relayed a worker's output until the worker paused,
// so a worker that printed without pause froze every other worker (and
// every fork). Here one worker prints until a second one, forked while it
// prints, creates a file: the second must be served meanwhile.
func TestAFloodingWorkerDoesNotFreezeTheOthers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	gate := filepath.Join(dir, "gate")
	flood := writeModule(t, dir, "flood", "import os, sys\nline = 'x' * 100000 + '\\n'\nwhile not os.path.exists("+quote(gate)+"):\n    sys.stdout.write(line)\n")
	other := writeModule(t, dir, "other", "open("+quote(gate)+", 'w').close()\n'served'\n")
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	flooding := make(chan struct{})
	floodDone := make(chan error, 1)
	go func() {
		first := true
		_, err := r.Call(context.Background(), Request{Op: "reload", Module: "flood", Path: flood, PathEntry: dir}, func(Event) {
			if first {
				first = false
				close(flooding)
			}
		})
		floodDone <- err
	}()
	<-flooding
	began := time.Now()
	// A fresh worker: forked by the zygote while the first one floods it.
	reply, err := r.CallFresh(context.Background(), Request{Op: "reload", Module: "other", Path: other, PathEntry: dir}, nil)
	if err != nil || reply.Value == nil || *reply.Value != "'served'" {
		t.Fatalf("the other worker answered %v, %v", reply.Value, err)
	}
	t.Logf("the other worker was forked and answered in %v while the first flooded", time.Since(began))
	select {
	case err := <-floodDone:
		if err != nil {
			t.Errorf("the flooding run: %v", err)
		}
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("the flooding run did not end after the gate")
	}
}

// Regression: the zygote re-joined and re-split a worker's whole pending
// line for every chunk it read, so one huge line (an exception whose
// message holds 20 MiB) took time quadratic in its length. Its time is
// logged, not asserted.
func TestAHugeLineIsRelayedWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	mib := map[bool]int{false: 20, true: 6}[raceEnabled] // the race detector slows decoding tenfold
	path := writeModule(t, dir, "huge", fmt.Sprintf("raise ValueError('y' * (%d << 20))\n", mib))
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	reply, err := r.Call(context.Background(), Request{Op: "reload", Module: "huge", Path: path, PathEntry: dir}, nil)
	took := time.Since(began)
	if err != nil || reply.Error == nil || reply.Error.Type != "ValueError" || len(reply.Error.Message) != mib<<20 {
		t.Fatalf("reply = %v, %v; want the ValueError with its %d MiB message", reply.Error != nil, err, mib)
	}
	t.Logf("a %d MiB exception message was relayed in %v", mib, took)
}
