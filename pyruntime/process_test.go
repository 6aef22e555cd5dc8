package pyruntime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	mu     sync.Mutex
	sent   []Request
	killed bool
}

func newFakeProcess(answer func(Request) string) (*process, *fakeLink) {
	l := &fakeLink{answer: answer}
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
		go l.p.finish(&ExitError{Code: -1, Signal: 9})
	}
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

// A call cancelled while it runs sends a targeted interrupt, returns once
// the agent has taken it, and the process survives code that stops.
func TestCancelSendsATargetedInterrupt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{InterruptGrace: 3 * time.Second})
		var p *process
		var link *fakeLink
		p, link = newFakeProcess(func(req Request) string {
			if req.Op == "interrupt" {
				// The code stops at once: the agent answers the call.
				link.p.receive(fmt.Appendf(nil, `{"id":%d,"ok":true,"error":{"type":"KeyboardInterrupt"}}`, req.Target))
			}
			return ok(req)
		})
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
