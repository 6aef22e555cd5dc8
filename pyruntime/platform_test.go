package pyruntime

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// recordingGroup wraps this OS's process group and records what the
// shared code asks of it, so tests can check the order on any OS.
type recordingGroup struct {
	real processGroup
	fail error // if set, started fails with it

	mu     sync.Mutex // guards the fields below
	events []string
	pid    int
}

func (g *recordingGroup) record(ev string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, ev)
}

func (g *recordingGroup) prepare(cmd *exec.Cmd) {
	g.record("prepare")
	g.real.prepare(cmd)
}

func (g *recordingGroup) started(cmd *exec.Cmd) error {
	g.mu.Lock()
	g.pid = cmd.Process.Pid
	g.mu.Unlock()
	g.record("started")
	if g.fail != nil {
		return g.fail
	}
	return g.real.started(cmd)
}

func (g *recordingGroup) kill(cmd *exec.Cmd) error {
	g.record("kill")
	return g.real.kill(cmd)
}

func (g *recordingGroup) killLeftovers(cmd *exec.Cmd) error {
	g.record("leftovers")
	return g.real.killLeftovers(cmd)
}

func (g *recordingGroup) release() {
	g.record("release")
	g.real.release()
}

// recorder hands out recording groups and keeps them.
type recorder struct {
	fail   error
	mu     sync.Mutex
	groups []*recordingGroup
}

func (r *recorder) newGroup() processGroup {
	g := &recordingGroup{real: newProcessGroup(), fail: r.fail}
	r.mu.Lock()
	r.groups = append(r.groups, g)
	r.mu.Unlock()
	return g
}

func (r *recorder) all() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]string
	for _, g := range r.groups {
		g.mu.Lock()
		out = append(out, slices.Clone(g.events))
		g.mu.Unlock()
	}
	return out
}

// Every interpreter is prepared before it starts, taken into its group
// after, killed only through the group, what it left in its group killed
// once it has exited, and its group released once, after it has been
// reaped: with a zygote and without one.
func TestEveryProcessGoesThroughItsGroup(t *testing.T) {
	for _, tt := range []struct {
		name   string
		python func(t *testing.T) []string
		groups int
		killed int // how many groups were killed at least once
	}{
		// The zygote is closed in order (its stdin closes), not killed;
		// Restart kills its worker through the zygote.
		{name: "zygote", python: func(*testing.T) []string { return nil }, groups: 1, killed: 0},
		// Without fork: the zygote probe that said so, the interpreter
		// that Restart kills, and the one Close kills.
		{name: "direct", python: forklessPython, groups: 3, killed: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			r := New(Config{Python: tt.python(t), newGroup: rec.newGroup})
			if err := r.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := r.Restart(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.Close()
			got := rec.all()
			killed := 0
			for _, events := range got {
				n := len(events)
				between := slices.Clone(events[min(2, n):max(2, n-1)])
				leftovers := slices.Index(between, "leftovers")
				if leftovers >= 0 {
					between = slices.Delete(between, leftovers, leftovers+1)
				}
				if n < 4 || events[0] != "prepare" || events[1] != "started" || events[n-1] != "release" ||
					leftovers < 0 || slices.ContainsFunc(between, func(ev string) bool { return ev != "kill" }) {
					t.Errorf("group events %v, want prepare, started, any kills and one leftovers, release", events)
				}
				if slices.Contains(events, "kill") {
					killed++
				}
			}
			if len(got) != tt.groups || killed != tt.killed {
				t.Errorf("%d groups, %d killed (%v); want %d groups, %d killed", len(got), killed, got, tt.groups, tt.killed)
			}
		})
	}
}

// A process the group cannot take in is not left running: it is killed,
// reaped and its group released, and the start fails saying why.
func TestProcessOutsideItsGroupIsKilled(t *testing.T) {
	rec := &recorder{fail: errors.New("job object refused")}
	r := newRuntime(t, Config{newGroup: rec.newGroup})
	err := r.Start(context.Background())
	var start *StartError
	if !errors.As(err, &start) || !strings.Contains(err.Error(), "put python in its process group: job object refused") {
		t.Fatalf("Start = %v, want a StartError saying the group refused", err)
	}
	rec.mu.Lock()
	g := rec.groups[0]
	rec.mu.Unlock()
	if got, want := g.events, []string{"prepare", "started", "release"}; !slices.Equal(got, want) {
		t.Errorf("group events = %v, want %v", got, want)
	}
	pyruntimetest.WaitGone(t, g.pid, 10*time.Second)
}
