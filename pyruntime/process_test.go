package pyruntime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
)

// fakeLink is an agent written in Go, behind the link a process talks
// through: it records the requests sent, answers them as answer says, and
// ends the process when killed. It tests the protocol logic of process and
// Runtime without a Python, and on synctest's clock.
type fakeLink struct {
	p *process
	// answer, if not nil, returns the reply line to a request, or "" for
	// none (the code runs on). It runs on its own goroutine, as the agent's
	// reader thread would.
	answer func(req Request) string

	gone chan struct{} // closed when killed

	mu     sync.Mutex
	sent   []Request     // in the order written
	room   chan struct{} // if not nil, writes wait until it closes (fill)
	broken bool          // writes fail, though the process lives on
	killed bool
}

func newFakeProcess(answer func(Request) string) (*process, *fakeLink) {
	l := &fakeLink{answer: answer, gone: make(chan struct{})}
	l.p = newProcess(l, zap.NewNop(), nil)
	close(l.p.ready)
	return l.p, l
}

func (l *fakeLink) send(line []byte) error {
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		return err
	}
	l.mu.Lock()
	room := l.room
	l.mu.Unlock()
	if room != nil {
		select {
		case <-room:
		case <-l.gone:
			return errors.New("write: broken pipe")
		}
	}
	l.mu.Lock()
	if l.broken {
		l.mu.Unlock()
		return errors.New("write: broken pipe")
	}
	l.sent = append(l.sent, req)
	l.mu.Unlock()
	if l.answer != nil {
		go func() {
			if reply := l.answer(req); reply != "" {
				l.p.receive([]byte(reply))
			}
		}()
	}
	return nil
}

func (l *fakeLink) kill() {
	l.mu.Lock()
	first := !l.killed
	l.killed = true
	l.mu.Unlock()
	if first {
		close(l.gone)
		go l.p.finish(&ExitError{Code: -1, Signal: 9})
	}
}

// newStoppingProcess is newFakeProcess(ok), except that code stops at an
// interrupt at once: the agent answers the interrupt's target, or call
// running if the interrupt targets everything.
func newStoppingProcess(running int64) (*process, *fakeLink) {
	var link *fakeLink
	p, link := newFakeProcess(func(req Request) string {
		if req.Op == "interrupt" {
			id := req.Target
			if id == 0 {
				id = running
			}
			link.p.receive(fmt.Appendf(nil, `{"id":%d,"ok":true,"error":{"type":"KeyboardInterrupt"}}`, id))
		}
		return ok(req)
	})
	return p, link
}

// fill makes the agent's socket full, as when C code holds the GIL and the
// agent reads nothing: writes wait until the returned function empties it,
// or fail once the process is killed.
func (l *fakeLink) fill() (empty func()) {
	room := make(chan struct{})
	l.mu.Lock()
	l.room = room
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.room = nil
		l.mu.Unlock()
		close(room)
	}
}

// breakPipe makes writes fail from now on, also those waiting for room.
func (l *fakeLink) breakPipe() {
	l.mu.Lock()
	l.broken = true
	room := l.room
	l.room = nil
	l.mu.Unlock()
	if room != nil {
		close(room)
	}
}

// written returns the ops and ids of the requests written so far, in order.
func (l *fakeLink) written() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var w []string
	for _, req := range l.sent {
		w = append(w, fmt.Sprintf("%s %d", req.Op, req.ID))
	}
	return strings.Join(w, ", ")
}

func (l *fakeLink) wasKilled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.killed
}

// ok answers interrupts and pings; other requests run forever.
func ok(req Request) string {
	switch req.Op {
	case "interrupt":
		return fmt.Sprintf(`{"id":%d,"ok":true,"interrupted":true,"running":true}`, req.ID)
	case "ping":
		return fmt.Sprintf(`{"id":%d,"ok":true}`, req.ID)
	}
	return ""
}

// A request stopped by its timeout gets the grace period to answer; if it
// does not, the process is killed and the call says it timed out.
func TestTimeoutGraceOnTheFakeClock(t *testing.T) {
	t.Parallel()
	for _, answers := range []bool{true, false} {
		t.Run(fmt.Sprintf("answers in time: %v", answers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, link := newFakeProcess(ok)
				p.grace = 3 * time.Second
				c, err := p.send(Request{Op: "evaluate", Timeout: 2}, nil)
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Second)
				p.receive(fmt.Appendf(nil, `{"id":%d,"event":"timeout","seconds":2}`, c.id))
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if link.wasKilled() {
					t.Fatal("killed before the grace period ended")
				}
				if answers {
					p.receive(fmt.Appendf(nil, `{"id":%d,"ok":true,"timed_out":true,"error":{"type":"KeyboardInterrupt"}}`, c.id))
				}
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if link.wasKilled() != !answers {
					t.Errorf("killed = %v, want %v", link.wasKilled(), !answers)
				}
				reply, err := p.wait(context.Background(), c, nil)
				switch {
				case answers && (err != nil || !reply.TimedOut):
					t.Errorf("wait = %+v, %v; want the TimedOut reply", reply, err)
				case !answers && (!errors.Is(err, ErrTimedOut) || !errors.Is(err, ErrInterrupted)):
					t.Errorf("wait = %v, want ErrTimedOut and ErrInterrupted", err)
				}
			})
		})
	}
}

// Interrupt kills the process when the code has not stopped after the
// grace period, and only then.
func TestInterruptGraceOnTheFakeClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{InterruptGrace: 3 * time.Second})
		p, link := newFakeProcess(ok)
		r.proc = p
		c, err := p.send(Request{Op: "evaluate"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if busy, err := r.Interrupt(context.Background()); !busy || err != nil {
			t.Fatalf("Interrupt = %v, %v; want busy", busy, err)
		}
		time.Sleep(2999 * time.Millisecond)
		synctest.Wait()
		if link.wasKilled() {
			t.Fatal("killed before the grace period ended")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if !link.wasKilled() {
			t.Fatal("not killed after the grace period")
		}
		if _, err := p.wait(context.Background(), c, nil); !errors.Is(err, ErrInterrupted) {
			t.Errorf("the call = %v, want ErrInterrupted", err)
		}
		var interrupts []Request
		for _, req := range link.sent {
			if req.Op == "interrupt" {
				interrupts = append(interrupts, req)
			}
		}
		if len(interrupts) != 1 || interrupts[0].Target != 0 {
			t.Errorf("sent interrupts %+v, want one for everything running", interrupts)
		}
	})
}

// Interrupt returns at once even when the agent's socket has no room (C
// code holds the GIL, so the agent reads nothing): the editor's read loop,
// where a progress cancel interrupts, must not wait. The interrupt keeps
// its place between the requests sent before and after it, and the grace
// period still ends code that never lets the agent read.
func TestInterruptDoesNotWaitForAFullSocket(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		saveWaits   bool          // a save's line waits for room before the interrupt
		emptyAfter  time.Duration // when the agent reads again; 0: never
		wantWritten string
		wantKilled  bool
	}{
		{"the code stops once the agent reads", false, time.Second, "evaluate 1, interrupt 2, evaluate 3", false},
		{"behind a save, the code stops once the agent reads", true, time.Second, "evaluate 1, evaluate 2, interrupt 3, evaluate 4", false},
		{"C code never lets go", false, 0, "evaluate 1", true},
		{"behind a save, C code never lets go", true, 0, "evaluate 1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := New(Config{InterruptGrace: 3 * time.Second})
				p, link := newStoppingProcess(1)
				p.grace = r.cfg.InterruptGrace
				r.proc = p
				running, err := p.send(Request{Op: "evaluate"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				empty := link.fill()
				if tc.saveWaits {
					go p.send(Request{Op: "evaluate"}, nil)
					synctest.Wait()
				}

				start := time.Now()
				returned := make(chan struct{})
				go func() {
					defer close(returned)
					if busy, err := r.Interrupt(context.Background()); !busy || err != nil {
						t.Errorf("Interrupt = %v, %v; want busy", busy, err)
					}
				}()
				synctest.Wait()
				select {
				case <-returned:
				default:
					t.Fatal("Interrupt waits for the full socket")
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("Interrupt took %v", waited)
				}
				go p.send(Request{Op: "evaluate"}, nil) // sent after the interrupt
				synctest.Wait()

				if tc.emptyAfter > 0 {
					time.Sleep(tc.emptyAfter)
					empty()
				}
				time.Sleep(time.Minute)
				synctest.Wait()
				if got := link.written(); got != tc.wantWritten {
					t.Errorf("written %q, want %q", got, tc.wantWritten)
				}
				if link.wasKilled() != tc.wantKilled {
					t.Errorf("killed = %v, want %v", link.wasKilled(), tc.wantKilled)
				}
				_, err = p.wait(context.Background(), running, nil)
				if tc.wantKilled != errors.Is(err, ErrInterrupted) {
					t.Errorf("the running call = %v; killed: %v", err, tc.wantKilled)
				}
			})
		})
	}
}

// A write that fails loses the lines queued behind it, so the process can
// no longer be told anything in order: it is killed, the calls whose lines
// were lost fail with its end, and nothing is written after the failure.
// An interrupt sent in between fails at once.
func TestAFailedWriteCostsTheProcess(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p, link := newFakeProcess(ok)
		link.fill()
		ownErr := make(chan error, 1)
		go func() {
			_, err := p.send(Request{Op: "evaluate"}, nil) // the writer
			ownErr <- err
		}()
		synctest.Wait()
		queued, err := p.post(Request{Op: "interrupt"})
		if err != nil {
			t.Fatal(err)
		}
		link.breakPipe()
		synctest.Wait()
		// The process lives on for now: an interrupt sent meanwhile fails
		// at once, without waiting to report how it ends.
		start := time.Now()
		if _, err := p.post(Request{Op: "interrupt"}); !errors.Is(err, errWriteFailed) || time.Since(start) != 0 {
			t.Errorf("post after the failure = %v after %v, want errWriteFailed at once", err, time.Since(start))
		}
		if err := <-ownErr; err == nil {
			t.Error("the writer's send succeeded, though its line was not written")
		}
		if _, err := p.wait(context.Background(), queued, nil); err == nil {
			t.Error("the call queued behind the failed write got an answer")
		}
		if !link.wasKilled() {
			t.Error("the process lives on after losing a line")
		}
		if _, err := p.send(Request{Op: "evaluate"}, nil); err == nil {
			t.Error("a send after the failure succeeded")
		}
		if got := link.written(); got != "" {
			t.Errorf("written %q, want nothing", got)
		}
	})
}

// A call cancelled while it runs sends a targeted interrupt, returns once
// the agent has taken it, and the process survives code that stops.
func TestCancelSendsATargetedInterrupt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{InterruptGrace: 3 * time.Second})
		p, link := newStoppingProcess(0)
		p.grace = r.cfg.InterruptGrace
		r.proc = p
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := r.Call(ctx, Request{Op: "evaluate"}, nil)
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Call = %v", err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if link.wasKilled() {
			t.Error("killed, though the code stopped")
		}
		link.mu.Lock()
		defer link.mu.Unlock()
		if n := len(link.sent); n != 2 || link.sent[1].Op != "interrupt" || link.sent[1].Target != link.sent[0].ID {
			t.Errorf("sent %+v, want the call and an interrupt targeting it", link.sent)
		}
	})
}

// Starts that keep failing wait n² × 100 ms before the next one (backoff),
// measured on the fake clock.
func TestRestartBackoffOnTheFakeClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Python: []string{"/nonexistent/python3"}})
		defer r.Close()
		var gaps []time.Duration
		last := time.Now()
		for range 5 {
			if err := r.Start(context.Background()); err == nil {
				t.Fatal("a start with no interpreter succeeded")
			}
			gaps = append(gaps, time.Since(last))
			last = time.Now()
		}
		want := []time.Duration{0, backoff(1), backoff(2), backoff(3), backoff(4)}
		if fmt.Sprint(gaps) != fmt.Sprint(want) {
			t.Errorf("waits before each start = %v, want %v", gaps, want)
		}
	})
}

// Output reaches the call it belongs to, or the background handler when
// no call runs; a reply to a call nobody waits for is dropped.
func TestProcessRoutesLines(t *testing.T) {
	t.Parallel()
	var background []string
	p, _ := newFakeProcess(nil)
	p.background = func(ev Event) { background = append(background, ev.Text) }
	var got []string
	c, err := p.send(Request{Op: "evaluate"}, func(ev Event) { got = append(got, ev.Text) })
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		fmt.Sprintf(`{"id":%d,"event":"output","stream":"stdout","text":"mine"}`, c.id),
		`{"id":null,"event":"output","stream":"stdout","text":"a thread's"}`,
		`{"id":99,"ok":true}`,
		`not json`,
		fmt.Sprintf(`{"id":%d,"ok":true,"value":"'v'"}`, c.id),
	} {
		p.receive([]byte(line))
	}
	reply, err := p.wait(context.Background(), c, nil)
	if err != nil || reply.Value == nil || *reply.Value != "'v'" {
		t.Errorf("reply = %+v, %v", reply, err)
	}
	if fmt.Sprint(got, background) != "[mine] [a thread's]" {
		t.Errorf("the call got %q and the background %q", got, background)
	}
	if busy, finished := p.busy(); busy || finished != 1 {
		t.Errorf("busy = %v after %d finished, want idle after 1", busy, finished)
	}
}
