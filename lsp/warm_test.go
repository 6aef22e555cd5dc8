package lsp

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// From a document's willSave until its didSave, the runtime is warmed at
// once and then every warmInterval, after warmDenseFor every
// warmLateInterval, for warmFor at most; a second willSave meanwhile adds
// nothing, and the willSave of another document takes the warming over:
// one request every warmInterval at most, however many files are saved at
// once.
func TestWarmerWarmsFromWillSaveUntilTheSave(t *testing.T) {
	a, b := uri.File("/ws/a.py"), uri.File("/ws/b.py")
	type step struct {
		after    time.Duration // since the previous step
		willSave uri.URI       // a willSave of this document, if not ""
		saved    uri.URI       // a didSave or close of this document, if not ""
	}
	type warm struct {
		at time.Duration // since the first step
		u  uri.URI
	}
	every := func(u uri.URI, from, until time.Duration) []warm {
		var ws []warm
		for at := from; at < until; {
			ws = append(ws, warm{at, u})
			if at-from < warmDenseFor {
				at += warmInterval
			} else {
				at += warmLateInterval
			}
		}
		return ws
	}
	// In intervals, so that the cases hold whatever warmInterval is.
	i := warmInterval
	tests := []struct {
		name  string
		steps []step
		want  []warm
	}{
		{
			name:  "saved two and a half intervals later: three warm-ups",
			steps: []step{{willSave: a}, {after: 5 * i / 2, saved: a}},
			want:  every(a, 0, 5*i/2),
		},
		{
			name:  "saved after warmDenseFor: every warmLateInterval from then on",
			steps: []step{{willSave: a}, {after: warmDenseFor + 5*warmLateInterval/2, saved: a}},
			want:  every(a, 0, warmDenseFor+5*warmLateInterval/2),
		},
		{
			name:  "never saved: until warmFor",
			steps: []step{{willSave: a}},
			want:  every(a, 0, warmFor),
		},
		{
			name:  "a second willSave while warming adds nothing",
			steps: []step{{willSave: a}, {after: 3 * i / 2, willSave: a}, {after: i, saved: a}},
			want:  every(a, 0, 5*i/2),
		},
		{
			name:  "the save of another document leaves it warming",
			steps: []step{{willSave: a}, {after: i / 2, saved: b}, {after: 2 * i, saved: a}},
			want:  every(a, 0, 5*i/2),
		},
		{
			name:  "a willSave after the save warms again",
			steps: []step{{willSave: a}, {after: 3 * i / 2, saved: a}, {after: 10 * i, willSave: a}, {after: i / 2, saved: a}},
			want:  append(every(a, 0, 3*i/2), warm{23 * i / 2, a}),
		},
		{
			name:  "saved and announced again within an interval: one warming, the new one",
			steps: []step{{willSave: a}, {after: 3 * i / 10, saved: a}, {after: 3 * i / 10, willSave: a}, {after: 19 * i / 10, saved: a}},
			want:  []warm{{0, a}, {6 * i / 10, a}, {16 * i / 10, a}},
		},
		{
			name:  "the willSave of another document takes over; its save ends it",
			steps: []step{{willSave: a}, {after: i / 2, willSave: b}, {after: i, saved: a}, {after: 8 * i / 10, saved: b}},
			want:  []warm{{0, a}, {i / 2, b}, {3 * i / 2, b}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var mu sync.Mutex
				var got []warm
				w := newWarmer(func(u uri.URI) {
					mu.Lock()
					got = append(got, warm{time.Since(start), u})
					mu.Unlock()
				})
				for _, s := range tt.steps {
					time.Sleep(s.after)
					synctest.Wait()
					if s.willSave != "" {
						w.willSave(s.willSave)
					}
					if s.saved != "" {
						w.saved(s.saved)
					}
				}
				time.Sleep(2 * warmFor)
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if !slices.Equal(got, tt.want) {
					t.Errorf("warmed %v, want %v", got, tt.want)
				}
			})
		})
	}
}

// Nothing is warmed after the server stopped the warmer.
func TestWarmerStopEndsEveryWarming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		warmed := 0
		w := newWarmer(func(uri.URI) { warmed++ })
		w.willSave(uri.File("/ws/a.py"))
		synctest.Wait()
		w.stop()
		time.Sleep(2 * warmFor)
		synctest.Wait()
		if warmed != 1 {
			t.Errorf("warmed %d times, want once, before stop", warmed)
		}
	})
}

// warmedLogs takes the server's "warmed" log entries for rel so far and
// returns whether each found the module loaded.
func (e *fakeEditor) warmedLogs(rel string) []bool {
	var got []bool
	for _, entry := range e.serverLogs.TakeAll() {
		if fields := entry.ContextMap(); entry.Message == "warmed" && fields["path"] == e.path(rel) {
			got = append(got, fields["loaded"] == true)
		}
	}
	return got
}

// A willSave of a loaded module warms the runtime until its save comes;
// the save then runs as it would have (the code prepared while typing
// included), and the warming stops. A willSave of any other file warms
// nothing.
func TestAWillSaveWarmsTheRuntimeUntilItsSave(t *testing.T) {
	// How long a warm-up already on its way may take to show in the log,
	// and how long nothing must show: many warm-ups' round trips through a
	// real runtime, on a loaded machine under -race too.
	const settle = 100 * time.Millisecond
	tests := []struct {
		name string
		rel  string // the file saved
		want bool   // whether the runtime is warmed
	}{
		{name: "a loaded module", rel: "lib.py", want: true},
		{name: "a file that is not Python", rel: "notes.txt", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEditor(t, "-- lib.py --\nprint(6)\n-- notes.txt --\nnotes\n")
			caps := e.initialize(nil).Capabilities.TextDocumentSync.(*protocol.TextDocumentSyncOptions)
			if caps.WillSave == nil || !*caps.WillSave {
				t.Fatal("the server does not ask for willSave: no editor would send it")
			}
			e.waitReady()
			e.open("lib.py")
			e.save("lib.py", "print(6)\n")
			if r := e.awaitResult(1); r.Output != "6" {
				t.Fatalf("first save printed %q, want 6", r.Output)
			}
			e.change("lib.py", "print(7)\n")
			e.awaitPrepared("lib.py")

			e.willSave(tt.rel)
			if !tt.want {
				if time.Sleep(settle); len(e.warmedLogs(tt.rel)) > 0 {
					t.Fatalf("warmed %s, want nothing warmed", tt.rel)
				}
				return
			}
			deadline := time.Now().Add(waitTimeout)
			var warmed []bool
			for len(warmed) < 2 && time.Now().Before(deadline) {
				time.Sleep(warmInterval)
				warmed = append(warmed, e.warmedLogs(tt.rel)...)
			}
			if len(warmed) < 2 || slices.Contains(warmed, false) {
				t.Fatalf("warmed %v before the save, want the loaded module warmed more than once", warmed)
			}
			e.save("lib.py", "print(7)\n")
			if r := e.awaitResult(2); !r.Prepared || r.Output != "7" {
				t.Errorf("save after the warm-up: prepared %v, printed %q; want prepared, printed 7", r.Prepared, r.Output)
			}
			time.Sleep(settle) // a warm-up on its way when the save came
			e.warmedLogs(tt.rel)
			if time.Sleep(settle); len(e.warmedLogs(tt.rel)) > 0 {
				t.Errorf("still warming after the save")
			}
		})
	}
}
