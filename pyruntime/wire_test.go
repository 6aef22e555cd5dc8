package pyruntime

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Regression: an interrupt that landed while the agent wrote a line cut the
// line short (a short write, or a KeyboardInterrupt between two writes), so
// the next message was glued to it ("agent sent a line that is not JSON")
// and the reply it held never arrived. Many interrupts while a run prints
// lines larger than a pipe holds: every line must still arrive whole, and
// every reply with it.
func TestInterruptStormKeepsTheWireWhole(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.WarnLevel)
	// The code catches every interrupt and goes on: a grace period longer
	// than the test keeps the runtime from being killed for it.
	r := newRuntime(t, Config{Logger: zap.New(core), InterruptGrace: time.Hour})
	dir := t.TempDir()
	// Each line outgrows the pipe, so most writes block part way; fewer
	// under the race detector, whose Go side reads them slowly.
	lines := map[bool]int{false: 400, true: 40}[raceEnabled]
	path := writeModule(t, dir, "chatty", `import sys
caught = i = 0
line = 'x' * 300000 + '\n'
while i < `+strconv.Itoa(lines)+`:
    try:
        while i < `+strconv.Itoa(lines)+`:
            i += 1  # first: a line cut short by the storm is not written again
            sys.stdout.write(line)
    except KeyboardInterrupt:
        caught += 1
caught
`)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	type result struct {
		reply Reply
		err   error
	}
	done := make(chan result, 1)
	var events atomic.Int64
	printing := make(chan struct{})
	go func() {
		reply, err := r.Call(context.Background(), Request{Op: "reload", Module: "chatty", Path: path, PathEntry: dir}, func(Event) {
			if events.Add(1) == 1 {
				close(printing)
			}
		})
		done <- result{reply, err}
	}()
	<-printing // the storm hits the printing, not the import before it
	interrupts := 0
	var res result
	deadline := time.After(2 * time.Minute) // a hang guard, not a speed claim
storm:
	for {
		select {
		case res = <-done:
			break storm
		case <-deadline:
			t.Fatalf("the run did not answer after %d interrupts: a reply was lost\nlogs: %v", interrupts, logs.All())
		default:
		}
		if _, err := r.Interrupt(context.Background()); err != nil {
			t.Fatal(err)
		}
		interrupts++
		// Not a timing: it only spares the machine a million goroutines.
		time.Sleep(100 * time.Microsecond)
	}
	if res.err != nil {
		t.Fatalf("the run failed after %d interrupts: %v", interrupts, res.err)
	}
	if res.reply.Error != nil && res.reply.Error.Type != "KeyboardInterrupt" {
		t.Errorf("the run raised %s: %s", res.reply.Error.Type, res.reply.Error.Message)
	}
	caught := "none (it raised)"
	if res.reply.Value != nil {
		caught = *res.reply.Value
	}
	t.Logf("%d interrupts, %d output events, %s interrupts caught", interrupts, events.Load(), caught)
	// The runtime still answers, in the same process, and no interrupt
	// meant for the storm lands in a later request.
	for i := range 20 {
		reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "chatty", Path: path, Code: "'alive'"}, nil)
		if err != nil || reply.Error != nil || reply.Value == nil || *reply.Value != "'alive'" {
			t.Errorf("evaluate %d after the storm = %v, %v, %v; want 'alive'", i, reply.Value, reply.Error, err)
		}
	}
	for _, entry := range logs.All() {
		line := fmt.Sprint(entry.ContextMap())
		t.Errorf("logged %q %.300s", entry.Message, line)
	}
}
