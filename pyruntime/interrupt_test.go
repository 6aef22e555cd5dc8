package pyruntime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// evaluateIn evaluates code in the module at path and returns its value,
// or "error: Type" if it raised.
func evaluateIn(t *testing.T, r *Runtime, path, code string) string {
	t.Helper()
	reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, PathEntry: filepath.Dir(path), Code: code}, nil)
	if err != nil {
		t.Fatalf("evaluate %q: %v", code, err)
	}
	if reply.Error != nil {
		return "error: " + reply.Error.Type
	}
	if reply.Value == nil {
		return "None"
	}
	return *reply.Value
}

// loopUntilInterrupted runs until interrupted, then records it in stopped.
const loopUntilInterrupted = `import time
try:
    print('looping')  # the interrupt may land in it: inside the try
    while True:
        time.sleep(0.01)
except KeyboardInterrupt:
    stopped = 'by the interrupt'
    raise
`

// A call whose ctx ends returns at once, and its code, running, is
// interrupted in the same process.
func TestCancelInterruptsTheCallInPlace(t *testing.T) {
	t.Parallel()
	r := newRuntime(t, Config{})
	path := writeModule(t, t.TempDir(), "lib", "stopped = None\n")
	pid := evaluateIn(t, r, path, "import os; os.getpid()")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	looping := make(chan struct{}, 1)
	go func() {
		_, err := r.Call(ctx, Request{Op: "evaluate", Module: "lib", Path: path, Code: loopUntilInterrupted}, func(Event) { looping <- struct{}{} })
		done <- err
	}()
	<-looping // the code runs: not merely sent
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Call = %v, want context.Canceled", err)
	}
	if got := evaluateIn(t, r, path, "stopped"); got != "'by the interrupt'" {
		t.Errorf("stopped = %s, want 'by the interrupt'", got)
	}
	if got := evaluateIn(t, r, path, "import os; os.getpid()"); got != pid {
		t.Errorf("pid %s, want the same process %s", got, pid)
	}
}

// A cancelled call that waits behind another never runs its code, and the
// one it waited for is not disturbed.
func TestCancelOfAQueuedCallSkipsIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	gate := filepath.Join(dir, "gate")
	path := writeModule(t, dir, "lib", "ran = None\n")
	evaluateIn(t, r, path, "1")
	first := make(chan string, 1)
	go func() {
		first <- evaluateIn(t, r, path, "import os, time\nwhile not os.path.exists("+quote(gate)+"):\n    time.sleep(0.005)\n'first'")
	}()
	waitBusy(t, r)
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := r.Call(ctx, Request{Op: "evaluate", Module: "lib", Path: path, Code: "ran = 'the cancelled call'"}, nil)
		second <- err
	}()
	waitCalls(t, r, 2)
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Call = %v, want context.Canceled", err)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := <-first; got != "'first'" {
		t.Errorf("the call before = %s, want 'first'", got)
	}
	if got := evaluateIn(t, r, path, "ran"); got != "None" {
		t.Errorf("ran = %s: the cancelled call ran", got)
	}
}

// waitCalls waits until the current process has n calls in flight.
func waitCalls(t *testing.T, r *Runtime, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a hang guard
	for {
		r.mu.Lock()
		p := r.proc
		r.mu.Unlock()
		if p != nil {
			p.mu.Lock()
			calls := p.running - p.finished
			p.mu.Unlock()
			if calls >= n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %d calls in flight", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func quote(s string) string { return "'" + s + "'" }

// An Interrupt stops a request decided on before it, even one that reaches
// the process after it (it waited for a save's reload); not one after.
func TestInterruptStopsRequestsDecidedBeforeIt(t *testing.T) {
	t.Parallel()
	r := newRuntime(t, Config{})
	path := writeModule(t, t.TempDir(), "lib", "")
	evaluateIn(t, r, path, "1")
	before := r.Ticket()
	if _, err := r.Interrupt(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := r.Ticket()
	for _, tt := range []struct {
		name   string
		ticket Ticket
		want   string
	}{
		{"decided before the interrupt", before, "KeyboardInterrupt"},
		{"decided after it", after, ""},
	} {
		reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: "sum(range(10))", Ticket: tt.ticket}, nil)
		got := ""
		if reply.Error != nil {
			got = reply.Error.Type
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: error %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
}

// Regression: Interrupt sent its message from a goroutine of its own, so
// a request sent right after Interrupt returned could reach the agent
// first, be queued behind the running code, and be stopped with it (an
// interrupt storm's next evaluation raised KeyboardInterrupt). Interrupt
// stops what was sent before it, never what is sent after.
func TestInterruptSparesARequestSentAfterIt(t *testing.T) {
	t.Parallel()
	r := newRuntime(t, Config{})
	path := writeModule(t, t.TempDir(), "lib", "")
	for i := range 20 {
		done := make(chan Reply, 1)
		looping := make(chan struct{}, 1)
		go func() {
			reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: loopUntilInterrupted}, func(Event) { looping <- struct{}{} })
			if err != nil {
				t.Errorf("the looping call = %v", err)
			}
			done <- reply
		}()
		<-looping
		if _, err := r.Interrupt(context.Background()); err != nil {
			t.Fatal(err)
		}
		after, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: "'after'"}, nil)
		if err != nil || after.Error != nil || after.Value == nil || *after.Value != "'after'" {
			t.Fatalf("round %d: the call sent after Interrupt = %v, %+v, %v; want 'after'", i, after.Value, after.Error, err)
		}
		if stopped := <-done; stopped.Error == nil || stopped.Error.Type != "KeyboardInterrupt" {
			t.Fatalf("round %d: the looping call = %+v, want KeyboardInterrupt", i, stopped)
		}
	}
}

// Closing Request.Stop interrupts the code; Call waits for its reply.
func TestStopInterruptsAndWaitsForTheReply(t *testing.T) {
	t.Parallel()
	r := newRuntime(t, Config{})
	path := writeModule(t, t.TempDir(), "lib", "")
	stop := make(chan struct{})
	done := make(chan Reply, 1)
	looping := make(chan struct{}, 1)
	go func() {
		reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: loopUntilInterrupted, Stop: stop}, func(Event) { looping <- struct{}{} })
		if err != nil {
			t.Errorf("Call = %v", err)
		}
		done <- reply
	}()
	<-looping
	close(stop)
	if reply := <-done; reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" {
		t.Errorf("stopped call replied %+v, want its KeyboardInterrupt", reply.Error)
	}
}

// The timeout interrupts code that runs too long, and the reply says so;
// code that does not stop then costs the process after the grace period.
func TestTimeoutInterruptsThenKills(t *testing.T) {
	t.Parallel()
	r := newRuntime(t, Config{InterruptGrace: 300 * time.Millisecond})
	path := writeModule(t, t.TempDir(), "lib", "")
	reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: "while True:\n    pass\n", Timeout: 0.2}, nil)
	if err != nil || !reply.TimedOut || reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" {
		t.Fatalf("a loop with a timeout = %+v, %v; want TimedOut with KeyboardInterrupt", reply, err)
	}
	stubborn := "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except KeyboardInterrupt:\n        pass\n"
	_, err = r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: stubborn, Timeout: 0.2}, nil)
	if !errors.Is(err, ErrTimedOut) || !errors.Is(err, ErrInterrupted) {
		t.Fatalf("code that ignores its timeout: %v, want ErrTimedOut and ErrInterrupted", err)
	}
	if got := evaluateIn(t, r, path, "'alive'"); got != "'alive'" {
		t.Errorf("after the kill: %s, want a new process answering", got)
	}
}

// While the runtime only compiles text ahead of a save (a prepare), no code
// runs: an interrupt finds nothing to stop, and the prepare goes on.
func TestInterruptFindsNothingWhileOnlyAPrepareRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "big", "x = 1\n")
	if reply, _, err := reload(t, r, "big", path); err != nil || reply.Error != nil {
		t.Fatalf("first save: %v, %+v", err, reply.Error)
	}
	// Half a megabyte of source: a fraction of a second to compile.
	text := strings.Repeat("value_of_some_length = 12345\n", 18000)
	done := make(chan bool, 1)
	go func() {
		kept, err := r.Prepare(context.Background(), Request{Module: "big", Path: path, Code: text})
		if err != nil {
			t.Errorf("Prepare: %v", err)
		}
		done <- kept
	}()
	for !inFlight(r, "prepare") {
		time.Sleep(time.Millisecond)
	}
	if ok, err := r.Interrupt(context.Background()); ok || err != nil {
		t.Errorf("Interrupt during a prepare = %v, %v; want false, nil", ok, err)
	}
	if kept := <-done; !kept {
		t.Error("the prepare was not kept")
	}
}

// inFlight reports whether the current process has a call of op waiting
// for its reply.
func inFlight(r *Runtime, op string) bool {
	r.mu.Lock()
	p := r.proc
	r.mu.Unlock()
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.calls {
		if c.op == op {
			return true
		}
	}
	return false
}
