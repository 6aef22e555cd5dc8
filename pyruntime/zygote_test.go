package pyruntime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// countingPreload writes a preload module that appends a line to a file
// each time it is imported, and returns the config and a function that
// counts the imports so far.
func countingPreload(t *testing.T, dir string) (Config, func() int) {
	t.Helper()
	log := filepath.Join(dir, "imports.log")
	writeModule(t, dir, "heavy", "with open("+pyString(log)+", 'a') as f:\n    f.write('imported\\n')\nheavy_state = []\n")
	count := func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "imported")
	}
	return Config{SysPath: []string{dir}, Preload: []string{"heavy"}}, count
}

func pyString(s string) string { return "'" + strings.ReplaceAll(s, "'", "\\'") + "'" }

// The zygote imports the preloads once; every process after that is forked
// from it, so neither a crash nor a restart imports them again.
func TestNewProcessesDoNotImportPreloadsAgain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		replace func(t *testing.T, r *Runtime, dir string)
	}{
		{"the code calls os._exit", func(t *testing.T, r *Runtime, dir string) {
			path := writeModule(t, dir, "crash", "import os\nos._exit(3)\n")
			if _, _, err := reload(t, r, "crash", path); !errors.As(err, new(*ExitError)) {
				t.Fatalf("reload of os._exit = %v, want an ExitError", err)
			}
		}},
		{"the user restarts", func(t *testing.T, r *Runtime, dir string) {
			if err := r.Restart(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg, imports := countingPreload(t, dir)
			var mu sync.Mutex
			var starts []Started
			cfg.OnStart = func(s Started) {
				mu.Lock()
				starts = append(starts, s)
				mu.Unlock()
			}
			r := newRuntime(t, cfg)
			if err := r.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			first := r.Pid()
			waitSpare(t, r)
			tt.replace(t, r, dir)

			probe := writeModule(t, dir, "probe", "import heavy\nheavy.heavy_state.append(1)\nlen(heavy.heavy_state)\n")
			reply, _, err := reload(t, r, "probe", probe)
			if err != nil || reply.Value == nil || *reply.Value != "1" {
				t.Fatalf("probe after the new process = %v, %v; want 1", reply.Value, err)
			}
			if r.Pid() == first {
				t.Errorf("pid %d still serves after the old process ended", first)
			}
			if n := imports(); n != 1 {
				t.Errorf("preload imported %d times, want once", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(starts) != 2 || starts[0].Forked || !starts[1].Forked {
				t.Errorf("starts = %+v, want the first with preloads and a second forked", starts)
			}
		})
	}
}

// callFresh reloads module in a fresh process and returns the value.
func callFresh(t *testing.T, r *Runtime, module, path string) string {
	t.Helper()
	reply, err := r.CallFresh(context.Background(), Request{Op: "reload", Module: module, Path: path, PathEntry: filepath.Dir(path)}, nil)
	if err != nil {
		t.Fatalf("fresh reload of %s: %v", module, err)
	}
	if reply.Error != nil {
		t.Fatalf("fresh reload of %s raised %s", module, reply.Error.Text)
	}
	if reply.Value == nil {
		return "None"
	}
	return *reply.Value
}

func TestFreshRunsSeeNoStateFromEarlierRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, imports := countingPreload(t, dir)
	r := newRuntime(t, cfg)
	// Each run counts its runs in the module, in a preloaded module, and in
	// a dependency it imports.
	writeModule(t, dir, "dep", "runs = 0\n")
	path := writeModule(t, dir, "counter", `import heavy, dep
try:
    n += 1
except NameError:
    n = 1
heavy.heavy_state.append(n)
dep.runs += 1
(n, len(heavy.heavy_state), dep.runs)
`)
	for i := range 3 {
		if got := callFresh(t, r, "counter", path); got != "(1, 1, 1)" {
			t.Errorf("fresh run %d = %s, want (1, 1, 1)", i+1, got)
		}
	}
	// Evaluation runs in the latest fresh process, beside the run it made.
	reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "counter", Path: path, PathEntry: dir, Code: "n, dep.runs"}, nil)
	if err != nil || reply.Value == nil || *reply.Value != "(1, 1)" {
		t.Errorf("evaluate after fresh runs = %v, %v; want (1, 1)", valueOf(reply), err)
	}
	// An in-place reload keeps the state of the last fresh run.
	if reply, _, err := reload(t, r, "counter", path); err != nil || reply.Value == nil || *reply.Value != "(2, 2, 2)" {
		t.Errorf("in-place reload after a fresh run = %v, %v; want (2, 2, 2)", valueOf(reply), err)
	}
	if n := imports(); n != 1 {
		t.Errorf("preload imported %d times, want once", n)
	}
}

// A fresh run does not cut short the run it replaces: the old process
// finishes, answers, and only then goes away.
func TestFreshRunLetsTheReplacedRunFinish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	started := filepath.Join(dir, "started")
	slow := writeModule(t, dir, "slow", "import os, time\nopen("+pyString(started)+", 'w').close()\ntime.sleep(0.5)\n'slow done'\n")
	quick := writeModule(t, dir, "quick", "'quick done'\n")

	type result struct {
		value string
		err   error
	}
	slowDone := make(chan result, 1)
	go func() {
		reply, err := r.CallFresh(context.Background(), Request{Op: "reload", Module: "slow", Path: slow, PathEntry: dir}, nil)
		var v string
		if reply.Value != nil {
			v = *reply.Value
		}
		slowDone <- result{v, err}
	}()
	waitFile(t, started)
	old := r.Pid()
	if got := callFresh(t, r, "quick", quick); got != "'quick done'" {
		t.Errorf("quick = %s", got)
	}
	if res := <-slowDone; res.err != nil || res.value != "'slow done'" {
		t.Errorf("the replaced run = %q, %v; want it to finish", res.value, res.err)
	}
	pyruntimetest.WaitGone(t, old, 10*time.Second)
}

// forklessPython writes an interpreter wrapper whose os has no fork, as on
// platforms without it, and returns its argv.
func forklessPython(t *testing.T) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "forkless.py")
	src := "import os, sys\ndel os.fork\ncode = sys.argv[2]\nsys.argv = sys.argv[1:2] + sys.argv[3:]\nexec(compile(code, '<string>', 'exec'), {'__name__': '__main__'})\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"python3", path}
}

// Without fork, processes start directly: everything still works, a fresh
// run runs in place, and a restart imports the preloads again.
func TestWithoutForkProcessesStartDirectly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, imports := countingPreload(t, dir)
	cfg.Python = forklessPython(t)
	r := newRuntime(t, cfg)
	path := writeModule(t, dir, "counter", "try:\n    n += 1\nexcept NameError:\n    n = 1\nn\n")
	if got := callFresh(t, r, "counter", path); got != "1" {
		t.Errorf("first run = %s, want 1", got)
	}
	if got := callFresh(t, r, "counter", path); got != "2" {
		t.Errorf("second 'fresh' run = %s, want 2: without fork it runs in place", got)
	}
	if err := r.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := callFresh(t, r, "counter", path); got != "1" {
		t.Errorf("run after restart = %s, want 1", got)
	}
	if n := imports(); n != 2 {
		t.Errorf("preload imported %d times, want twice (start and restart)", n)
	}
	if pids := r.Pids(); len(pids) != 1 {
		t.Errorf("processes %v, want one: no zygote, no spare", pids)
	}
}

// When the zygote itself dies, its workers go with it and the runtime
// starts over.
func TestZygoteDeathStartsOver(t *testing.T) {
	t.Parallel()
	r := newRuntime(t, Config{})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	pids := waitSpare(t, r)
	r.mu.Lock()
	r.zyg.self.kill(nil)
	r.mu.Unlock()
	for _, pid := range pids {
		pyruntimetest.WaitGone(t, pid, 10*time.Second)
	}
	reply, err := r.Call(context.Background(), Request{Op: "ping"}, nil)
	for deadline := time.Now().Add(30 * time.Second); err != nil && time.Now().Before(deadline); {
		// The call may reach the dying worker before the runtime notices;
		// the deadline is a hang guard.
		time.Sleep(10 * time.Millisecond)
		reply, err = r.Call(context.Background(), Request{Op: "ping"}, nil)
	}
	if err != nil || !reply.OK {
		t.Fatalf("ping after the zygote died = %+v, %v", reply, err)
	}
}

// valueOf returns the reply's value for a message, "None" when it has none.
func valueOf(r Reply) string {
	if r.Value == nil {
		return "None"
	}
	return *r.Value
}
