package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// progressLog is a client that writes down the progress it is shown, as
// "token kind message" lines.
type progressLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *progressLog) WorkDoneProgressCreate(ctx context.Context, params *protocol.WorkDoneProgressCreateParams) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%v create", params.Token))
	return nil
}

func (l *progressLog) Progress(ctx context.Context, params *protocol.ProgressParams) error {
	var v struct {
		Kind        string `json:"kind"`
		Message     string `json:"message"`
		Cancellable bool   `json:"cancellable"`
	}
	if err := json.Unmarshal(params.Value, &v); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	line := strings.TrimSpace(fmt.Sprintf("%v %s %s", params.Token, v.Kind, v.Message))
	if v.Cancellable {
		line += " (cancellable)"
	}
	l.lines = append(l.lines, line)
	return nil
}

func (l *progressLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "; ")
}

// The runtime's busy spells show as progress only when they last: the
// timers run on synctest's clock.
func TestRunProgressShowsLongSpellsOnly(t *testing.T) {
	t.Parallel()
	type step struct {
		start  string        // a run of this module starts ("" for none)
		finish bool          // a run finishes
		wait   time.Duration // then time passes
	}
	tests := []struct {
		name  string
		steps []step
		want  string
	}{
		{"a quick run shows nothing", []step{{start: "lib"}, {wait: 100 * time.Millisecond}, {finish: true}, {wait: time.Second}}, ""},
		{"a long run shows while it runs",
			[]step{{start: "lib"}, {wait: 300 * time.Millisecond}, {finish: true}},
			"hotload/run/1 create; hotload/run/1 begin running lib (cancellable); hotload/run/1 end"},
		{"runs in one spell share a progress",
			[]step{{start: "lib"}, {wait: 300 * time.Millisecond}, {start: "app"}, {finish: true}, {wait: time.Second}, {finish: true}},
			"hotload/run/1 create; hotload/run/1 begin running lib (cancellable); hotload/run/1 report running app; hotload/run/1 end"},
		{"quick runs one after another show nothing",
			[]step{{start: "a"}, {wait: 200 * time.Millisecond}, {finish: true}, {start: "b"}, {wait: 200 * time.Millisecond}, {finish: true}, {wait: time.Second}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				log := new(progressLog)
				p := &runProgress{client: log, ctx: context.Background(), tokens: new(progressTokens), delay: progressDelay, onCancel: func() {}, logger: zap.NewNop()}
				for _, s := range tt.steps {
					if s.start != "" {
						p.started(s.start)
					}
					if s.finish {
						p.finished()
					}
					time.Sleep(s.wait)
					synctest.Wait()
				}
				synctest.Wait()
				if got := log.String(); got != tt.want {
					t.Errorf("progress shown:\n%s\nwant:\n%s", got, tt.want)
				}
			})
		})
	}
}

// Cancelling the progress on screen interrupts the code; another token
// does nothing.
func TestCancellingRunProgressInterrupts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		interrupts := 0
		p := &runProgress{client: new(progressLog), ctx: context.Background(), tokens: new(progressTokens), delay: progressDelay, onCancel: func() { interrupts++ }, logger: zap.NewNop()}
		p.started("lib")
		time.Sleep(time.Second)
		synctest.Wait()
		if p.cancel(protocol.String("hotload/run/99")) || interrupts != 0 {
			t.Errorf("a stranger's token interrupted")
		}
		if !p.cancel(protocol.String("hotload/run/1")) || interrupts != 1 {
			t.Errorf("cancelling the progress on screen did not interrupt")
		}
		p.finished()
		synctest.Wait()
	})
}

// A client that shows progress sees the runtime start while it imports the
// preloads, and a long run, which it can cancel: that interrupts the code.
func TestLongWorkShowsProgressAndCancelInterrupts(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n-- heavy.py --\nimport time\ntime.sleep(0.1)\n")
	e.capabilities = func(c *protocol.ClientCapabilities) {
		yes := true
		c.Window = &protocol.WindowClientCapabilities{WorkDoneProgress: &yes}
	}
	e.initialize(map[string]any{"preload": []string{"heavy"}})
	e.waitReady()
	e.awaitProgress("hotload/start/1 create; hotload/start/1 begin importing heavy; hotload/start/1 end")

	e.save("lib.py", "import time\nprint('looping')\nwhile True:\n    time.sleep(0.01)\n")
	e.awaitProgress("hotload/run/1 begin running lib (cancellable)")
	if err := e.server.WorkDoneProgressCancel(context.Background(), &protocol.WorkDoneProgressCancelParams{Token: protocol.String("hotload/run/1")}); err != nil {
		t.Fatal(err)
	}
	e.awaitMessage(0, "lib: KeyboardInterrupt")
	e.awaitProgress("hotload/run/1 end")
}
