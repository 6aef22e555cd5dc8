package reload_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime"
	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
	"github.com/hotload-dev/hotload/reload"
)

// waitLimit bounds every wait in these tests. It is far above what any step
// takes, so reaching it means a hang, not a slow machine.
const waitLimit = 10 * time.Second

// newEngine returns an engine over the workspace folder ws running python3
// from PATH, closed when the test ends.
func newEngine(t *testing.T, ws string, cfg reload.Config) *reload.Engine {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	cfg.Folders = []string{ws}
	cfg.Python = []string{python}
	e := reload.New(cfg)
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// testContext returns a context that ends a hung call well before the test
// binary's own timeout, so the failure names the call.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// writeFile writes source to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, source string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustReload reloads path and fails the test if the engine refused it.
func mustReload(t *testing.T, e *reload.Engine, path string) *reload.Result {
	t.Helper()
	res, err := e.Reload(testContext(t), path)
	if err != nil {
		t.Fatalf("Reload(%q) error: %v", path, err)
	}
	return res
}

// value returns what a Result's Value shows, "<nil>" for no value.
func value(r *reload.Result) string {
	if r.Value == nil {
		return "<nil>"
	}
	return *r.Value
}

// waitFor polls cond until it holds, failing the test after waitLimit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// waitResult waits for a Result sent by a goroutine.
func waitResult(t *testing.T, ch <-chan *reload.Result) *reload.Result {
	t.Helper()
	select {
	case res := <-ch:
		return res
	case <-time.After(2 * waitLimit):
		t.Fatal("no result")
		return nil
	}
}

func TestReloadKeepsGlobals(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	// The idiom for state that survives reloads: the module body runs again
	// in the same namespace, so n is only set the first time.
	path := writeFile(t, ws, "counter.py", "try:\n    n\nexcept NameError:\n    n = 0\nn += 1\nn\n")
	e := newEngine(t, ws, reload.Config{})
	for _, want := range []string{"1", "2", "3"} {
		res := mustReload(t, e, path)
		if !res.OK() {
			t.Fatalf("Reload(%q) did not run to the end: %+v", path, res)
		}
		if got := value(res); got != want {
			t.Errorf("Reload(%q).Value = %s, want %s", path, got, want)
		}
	}
}

func TestReloadResult(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	tests := []struct {
		name, source string
		output       string
		value        string // "<nil>" for none
	}{
		{"printer", "print('hi')\n2 + 3\n", "hi\n", "5"},
		{"strings", "'a' + 'b'\n", "", "'ab'"},
		{"nothing", "None\n", "", "<nil>"},
		{"statement", "x = 1\n", "", "<nil>"},
		{"call", "def f():\n    return [1]\nf()\n", "", "[1]"},
		// Both streams, in the order written.
		{"streams", "import sys\nprint('err', file=sys.stderr)\nprint('out')\n", "err\nout\n", "<nil>"},
	}
	e := newEngine(t, ws, reload.Config{})
	for _, tt := range tests {
		path := writeFile(t, ws, tt.name+".py", tt.source)
		res := mustReload(t, e, path)
		if res.Module != tt.name || res.Path != path || res.Code != "" {
			t.Errorf("Reload(%q) = {Module: %q, Path: %q, Code: %q}, want {Module: %q, Path: %q, Code: \"\"}", path, res.Module, res.Path, res.Code, tt.name, path)
		}
		if res.Exception != nil || res.Err != nil {
			t.Errorf("Reload(%q) = {Exception: %+v, Err: %v}, want it to run to the end", path, res.Exception, res.Err)
		}
		if res.Output != tt.output {
			t.Errorf("Reload(%q).Output = %q, want %q", path, res.Output, tt.output)
		}
		if got := value(res); got != tt.value {
			t.Errorf("Reload(%q).Value = %s, want %s", path, got, tt.value)
		}
	}
}

func TestReloadException(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	mymath := writeFile(t, ws, "mymath.py", "def f(x):\n    return 1 / x\n")
	lib := writeFile(t, ws, "lib.py", "import mymath\n\nmymath.f(0)\n")
	e := newEngine(t, ws, reload.Config{})
	res := mustReload(t, e, lib)
	if res.Err != nil || res.Exception == nil {
		t.Fatalf("Reload(%q) = {Exception: %+v, Err: %v}, want an exception", lib, res.Exception, res.Err)
	}
	if res.Value != nil {
		t.Errorf("Reload(%q).Value = %s, want <nil> for code that raised", lib, value(res))
	}
	x := res.Exception
	if got, want := x.Summary(), "ZeroDivisionError: division by zero"; got != want {
		t.Errorf("Reload(%q).Exception.Summary() = %q, want %q", lib, got, want)
	}
	// Outermost first, without the agent's own frames; columns are those of
	// the failing expression, so an editor can underline just `1 / x`.
	want := []reload.Frame{
		{Path: lib, Line: 3, EndLine: 3, Col: 0, EndCol: 11, Function: "<module>", Source: "mymath.f(0)"},
		{Path: mymath, Line: 2, EndLine: 2, Col: 11, EndCol: 16, Function: "f", Source: "    return 1 / x"},
	}
	if !pyruntimetest.AtLeast(t, 3, 11) {
		// Python has column positions since 3.11: before, a frame is its line.
		for i := range want {
			want[i].Col, want[i].EndCol = -1, -1
		}
	}
	if !slices.Equal(x.Frames, want) {
		t.Errorf("Reload(%q).Exception.Frames =\n%+v\nwant\n%+v", lib, x.Frames, want)
	}
	if x.Syntax != nil {
		t.Errorf("Reload(%q).Exception.Syntax = %+v, want nil", lib, x.Syntax)
	}
	if got := x.Innermost(); got == nil || *got != want[1] {
		t.Errorf("Reload(%q).Exception.Innermost() = %+v, want %+v", lib, got, want[1])
	}
	if !strings.Contains(x.Text, "ZeroDivisionError: division by zero") || strings.Contains(x.Text, "hotload-agent") {
		t.Errorf("Reload(%q).Exception.Text should end in the error and hide the agent:\n%s", lib, x.Text)
	}
}

func TestReloadSyntaxErrorKeepsOldCode(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "lib.py", "x = 1\n")
	e := newEngine(t, ws, reload.Config{})
	if res := mustReload(t, e, path); !res.OK() {
		t.Fatalf("Reload(%q) did not run to the end: %+v", path, res)
	}

	writeFile(t, ws, "lib.py", "x = 2\ny = (\n")
	res := mustReload(t, e, path)
	if res.Err != nil || res.Exception == nil || res.Exception.Type != "SyntaxError" {
		t.Fatalf("Reload(%q) = {Exception: %+v, Err: %v}, want a SyntaxError", path, res.Exception, res.Err)
	}
	// Python gives no end column for an unclosed bracket. Since 3.10 it
	// points at the bracket ("'(' was never closed"); 3.8 and 3.9 point
	// where the line ends ("unexpected EOF while parsing").
	want := reload.Frame{Path: path, Line: 2, EndLine: 2, Col: 4, EndCol: -1, Source: "y = ("}
	if !pyruntimetest.AtLeast(t, 3, 10) {
		want.Col = 5
	}
	if s := res.Exception.Syntax; s == nil || *s != want {
		t.Errorf("Reload(%q).Exception.Syntax = %+v, want %+v", path, s, want)
	}
	if got := res.Exception.Innermost(); got == nil || *got != want {
		t.Errorf("Reload(%q).Exception.Innermost() = %+v, want the syntax error location %+v", path, got, want)
	}

	// Nothing ran: the file did not compile, so x = 2 never happened.
	ev, err := e.Evaluate(testContext(t), path, "x")
	if err != nil {
		t.Fatalf("Evaluate(%q, %q) error: %v", path, "x", err)
	}
	if got := value(ev); got != "1" {
		t.Errorf("Evaluate(%q, %q).Value = %s after a SyntaxError, want 1", path, "x", got)
	}

	writeFile(t, ws, "lib.py", "x = 3\nx\n")
	if got := value(mustReload(t, e, path)); got != "3" {
		t.Errorf("Reload(%q).Value = %s after fixing the file, want 3", path, got)
	}
}

// stormModule is version v of a module that logs each run. Its first run
// waits for the test to say it has saved every later version, so which
// version the queued run reads does not depend on timing.
const stormModule = `import os, time

here = os.path.dirname(__file__)
open(os.path.join(here, "started"), "w").close()
deadline = time.monotonic() + 10
while not os.path.exists(os.path.join(here, "release")) and time.monotonic() < deadline:
    time.sleep(0.01)
version = %d
with open(os.path.join(here, "runs.log"), "a") as log:
    log.write("%%d\n" %% version)
version
`

func TestReloadCoalescesSaves(t *testing.T) {
	// Not parallel: waitingReloads counts the goroutines of the whole
	// process waiting in Engine.Reload, and a parallel test's call counted
	// among the storm's let one of its calls come after the release (make
	// test, 2026-12-04: runs 1, 10, 10).
	ws := t.TempDir()
	path := writeFile(t, ws, "storm.py", fmt.Sprintf(stormModule, 1))
	var mu sync.Mutex
	var seen []string // values in the order OnResult got them
	e := newEngine(t, ws, reload.Config{OnResult: func(r *reload.Result) {
		mu.Lock()
		seen = append(seen, value(r))
		mu.Unlock()
	}})

	ctx := testContext(t)
	first := make(chan *reload.Result, 1)
	go func() {
		res, err := e.Reload(ctx, path)
		if err != nil {
			t.Errorf("first Reload(%q) error: %v", path, err)
		}
		first <- res
	}()
	waitFor(t, "the first run to start", func() bool { return exists(filepath.Join(ws, "started")) })

	// A save storm while the first run is busy: every save asks for a reload.
	const last = 10
	later := make(chan *reload.Result, last-1)
	for v := 2; v <= last; v++ {
		writeFile(t, ws, "storm.py", fmt.Sprintf(stormModule, v))
		go func() {
			res, err := e.Reload(ctx, path)
			if err != nil {
				t.Errorf("Reload(%q) of version %d error: %v", path, v, err)
			}
			later <- res
		}()
	}
	waitFor(t, "every Reload call to be queued", func() bool { return waitingReloads() == last })
	writeFile(t, ws, "release", "")

	if res := waitResult(t, first); res == nil || value(res) != "1" {
		t.Errorf("first Reload(%q) = %+v, want version 1", path, res)
	}
	for range last - 1 {
		// Each coalesced call gets the result of the one run they share.
		if res := waitResult(t, later); res == nil || value(res) != "10" {
			t.Errorf("coalesced Reload(%q) = %+v, want version %d", path, res, last)
		}
	}
	log, err := os.ReadFile(filepath.Join(ws, "runs.log"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(log)), []string{"1", "10"}; !slices.Equal(got, want) {
		t.Errorf("runs of versions %q, want %q: the first, then one for the whole storm with the last save", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"1", "10"}; !slices.Equal(seen, want) {
		t.Errorf("OnResult got versions %q, want %q, in run order", seen, want)
	}
}

// waitingReloads counts goroutines blocked in Engine.Reload waiting for a
// result. A caller blocks there only after its request has joined the queue,
// so once all are there no later run can start for them. It counts those of
// every engine in the process: a test that uses it must not run in parallel.
func waitingReloads() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		if strings.Contains(header, "[select") && strings.Contains(g, "reload.(*Engine).Reload(") {
			count++
		}
	}
	return count
}

func TestQueueReportsThroughOnResult(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "counter.py", "try:\n    n\nexcept NameError:\n    n = 0\nn += 1\nn\n")
	results := make(chan *reload.Result, 3)
	e := newEngine(t, ws, reload.Config{OnResult: func(r *reload.Result) { results <- r }})
	if err := e.Queue(path); err != nil {
		t.Fatalf("Queue(%q) = %v", path, err)
	}
	if res := waitResult(t, results); value(res) != "1" || res.Module != "counter" {
		t.Errorf("OnResult after Queue(%q) got %+v, want module counter with value 1", path, res)
	}
	// Reload reports through OnResult too, after the queued run.
	if res := mustReload(t, e, path); value(res) != "2" {
		t.Errorf("Reload(%q) after Queue = %s, want 2", path, value(res))
	}
	if res := waitResult(t, results); value(res) != "2" {
		t.Errorf("OnResult after Reload(%q) got %s, want 2", path, value(res))
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "calc.py", "print('loading')\nbase = 40\n")
	e := newEngine(t, ws, reload.Config{})
	// Steps run in order in one namespace.
	steps := []struct {
		code   string
		output string
		value  string // "<nil>" for none
		raises string // Summary() of the exception, "" for none
	}{
		// Not loaded yet: Evaluate runs the module first, once.
		{"base + 2", "loading\n", "42", ""},
		{"extra = base * 2", "", "<nil>", ""},
		{"extra", "", "80", ""},
		{"print(extra)\nextra + 1", "80\n", "81", ""},
		{"import sys\nsys.modules[__name__].__file__ == " + fmt.Sprintf("%q", path), "", "True", ""},
		{"1 / missing", "", "<nil>", "NameError: name 'missing' is not defined"},
	}
	for _, s := range steps {
		res, err := e.Evaluate(testContext(t), path, s.code)
		if err != nil {
			t.Fatalf("Evaluate(%q, %q) error: %v", path, s.code, err)
		}
		if res.Module != "calc" || res.Path != path || res.Code != s.code || res.Err != nil {
			t.Errorf("Evaluate(%q, %q) = {Module: %q, Path: %q, Code: %q, Err: %v}, want {Module: \"calc\", Path: %[1]q, Code: %[2]q}", path, s.code, res.Module, res.Path, res.Code, res.Err)
		}
		if res.Output != s.output {
			t.Errorf("Evaluate(%q, %q).Output = %q, want %q", path, s.code, res.Output, s.output)
		}
		if got := value(res); got != s.value {
			t.Errorf("Evaluate(%q, %q).Value = %s, want %s", path, s.code, got, s.value)
		}
		raises := ""
		if res.Exception != nil {
			raises = res.Exception.Summary()
		}
		if raises != s.raises {
			t.Errorf("Evaluate(%q, %q) raised %q, want %q", path, s.code, raises, s.raises)
		}
	}

	// The evaluated code's frame is named for what it is, not for the
	// module, and shows the code's line.
	res, err := e.Evaluate(testContext(t), path, "1 / 0")
	if err != nil {
		t.Fatal(err)
	}
	want := reload.Frame{Path: "<evaluate>", Line: 1, EndLine: 1, Col: 0, EndCol: 5, Function: "<module>", Source: "1 / 0"}
	if !pyruntimetest.AtLeast(t, 3, 11) {
		want.Col, want.EndCol = -1, -1 // no column positions before Python 3.11
	}
	if res.Exception == nil || res.Exception.Innermost() == nil || *res.Exception.Innermost() != want {
		t.Errorf("Evaluate(%q, %q).Exception = %+v, want innermost frame %+v", path, "1 / 0", res.Exception, want)
	}

	// A reload runs the module in the same namespace Evaluate used.
	mustReload(t, e, path)
	if res, err := e.Evaluate(testContext(t), path, "extra"); err != nil || value(res) != "80" {
		t.Errorf("Evaluate(%q, %q) after Reload = %+v, %v, want 80", path, "extra", res, err)
	}
}

func TestNotPythonRunsNothing(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	// Valid Python, so running it would leave a trace.
	path := writeFile(t, ws, "notes.txt", "open('ran', 'w').close()\n")
	var calls atomic.Int32
	e := newEngine(t, ws, reload.Config{
		OnResult: func(*reload.Result) { calls.Add(1) },
		OnOutput: func(string, string) { calls.Add(1) },
	})
	tests := []struct {
		name string
		call func() (*reload.Result, error)
	}{
		{"Reload", func() (*reload.Result, error) { return e.Reload(testContext(t), path) }},
		{"Evaluate", func() (*reload.Result, error) { return e.Evaluate(testContext(t), path, "1") }},
		{"Queue", func() (*reload.Result, error) { return nil, e.Queue(path) }},
	}
	for _, tt := range tests {
		res, err := tt.call()
		if !errors.Is(err, reload.ErrNotPython) {
			t.Errorf("%s(%q) = %+v, %v, want an error wrapping ErrNotPython", tt.name, path, res, err)
		}
	}
	if pid := e.RuntimePid(); pid != 0 || calls.Load() != 0 || exists(filepath.Join(ws, "ran")) {
		t.Errorf("after refusing a non-Python file: RuntimePid() = %d, callbacks = %d, ran = %v; want nothing started or run", pid, calls.Load(), exists(filepath.Join(ws, "ran")))
	}
}

func TestOnOutputStreams(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	// The module cannot finish before the test has seen its first line, so
	// that line must have arrived while the code ran.
	path := writeFile(t, ws, "chatty.py", `import os, sys, time
print("one")
deadline = time.monotonic() + 10
while not os.path.exists("seen") and time.monotonic() < deadline:
    time.sleep(0.01)
print("two", end="")
`)
	type chunk struct{ module, text string }
	var mu sync.Mutex
	var got []chunk
	e := newEngine(t, ws, reload.Config{OnOutput: func(module, text string) {
		mu.Lock()
		got = append(got, chunk{module, text})
		mu.Unlock()
	}})
	ctx := testContext(t)
	done := make(chan *reload.Result, 1)
	go func() {
		res, err := e.Reload(ctx, path)
		if err != nil {
			t.Errorf("Reload(%q) error: %v", path, err)
		}
		done <- res
	}()
	waitFor(t, "the first line of output", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	writeFile(t, ws, "seen", "") // the runtime's working directory is ws
	res := waitResult(t, done)

	mu.Lock()
	defer mu.Unlock()
	// A line goes out when it ends; the rest when the code finishes.
	want := []chunk{{"chatty", "one\n"}, {"chatty", "two"}}
	if !slices.Equal(got, want) {
		t.Errorf("OnOutput got %q, want %q", got, want)
	}
	if res != nil && res.Output != "one\ntwo" {
		t.Errorf("Reload(%q).Output = %q, want %q", path, res.Output, "one\ntwo")
	}
}

func TestCloseEndsRuntime(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "lib.py", "x = 1\n")
	e := newEngine(t, ws, reload.Config{})
	mustReload(t, e, path)
	pid := e.RuntimePid()
	if pid == 0 {
		t.Fatal("RuntimePid() = 0 after a reload, want the runtime's pid")
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if got := e.RuntimePid(); got != 0 {
		t.Errorf("RuntimePid() = %d after Close, want 0", got)
	}
	waitFor(t, fmt.Sprintf("python process %d to be gone", pid), func() bool { return pyruntimetest.Gone(pid) })

	res := mustReload(t, e, path)
	if !errors.Is(res.Err, reload.ErrClosed) {
		t.Errorf("Reload(%q) after Close = {Err: %v}, want ErrClosed", path, res.Err)
	}
}

func TestCloseReportsTheReloadsItEndsBeforeItReturns(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "spin.py", "open('started', 'w').close()\nwhile True:\n    pass\n")
	var mu sync.Mutex
	var reported []*reload.Result
	e := newEngine(t, ws, reload.Config{OnResult: func(r *reload.Result) {
		time.Sleep(50 * time.Millisecond) // a report that takes a while, as one to a slow editor does
		mu.Lock()
		reported = append(reported, r)
		mu.Unlock()
	}})
	if err := e.Queue(path); err != nil {
		t.Fatalf("Queue(%q) error: %v", path, err)
	}
	waitFor(t, "the loop to start", func() bool { return exists(filepath.Join(ws, "started")) })
	if err := e.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	mu.Lock()
	got := append([]*reload.Result(nil), reported...)
	mu.Unlock()
	if len(got) != 1 || !errors.Is(got[0].Err, reload.ErrClosed) {
		t.Fatalf("reported by the time Close returned: %+v, want one result with ErrClosed", got)
	}

	// A save after Close ends at once; nothing is reported after Close.
	if err := e.Queue(path); err != nil {
		t.Fatalf("Queue(%q) after Close error: %v", path, err)
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 {
		t.Errorf("reported after Close: %+v, want nothing more", reported[1:])
	}
}

func TestInterruptRaisesKeyboardInterrupt(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "spin.py", "open('started', 'w').close()\nwhile True:\n    pass\n")
	e := newEngine(t, ws, reload.Config{})
	ctx := testContext(t)
	if ok, err := e.Interrupt(ctx); ok || err != nil {
		t.Errorf("Interrupt() with nothing running = %v, %v, want false, nil", ok, err)
	}

	done := make(chan *reload.Result, 1)
	go func() {
		res, err := e.Reload(ctx, path)
		if err != nil {
			t.Errorf("Reload(%q) error: %v", path, err)
		}
		done <- res
	}()
	waitFor(t, "the loop to start", func() bool { return exists(filepath.Join(ws, "started")) })
	pid := e.RuntimePid()
	waitFor(t, "Interrupt to find code running", func() bool {
		ok, err := e.Interrupt(ctx)
		if err != nil {
			t.Fatalf("Interrupt() error: %v", err)
		}
		return ok
	})
	res := waitResult(t, done)
	if res == nil || res.Err != nil || res.Exception == nil || res.Exception.Type != "KeyboardInterrupt" {
		t.Fatalf("interrupted Reload(%q) = %+v, want a KeyboardInterrupt", path, res)
	}
	// The interrupt may land in a library the module calls (writing the
	// marker file runs codecs code), so only the outermost frame is known.
	if f := res.Exception.Frames; len(f) == 0 || f[0].Path != path || f[0].Function != "<module>" {
		t.Errorf("KeyboardInterrupt frames = %+v, want the outermost in %s at <module>", f, path)
	}
	// Code that stops in time keeps its runtime.
	if got := e.RuntimePid(); got != pid {
		t.Errorf("RuntimePid() = %d after the interrupt, want %d still", got, pid)
	}
}

func TestReloadAfterExit(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	path := writeFile(t, ws, "quit.py", "import os\nos._exit(3)\n")
	e := newEngine(t, ws, reload.Config{})
	if err := e.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The pid before the crash: the spare may take over before Reload returns.
	pid := e.RuntimePid()
	res := mustReload(t, e, path)
	var exit *pyruntime.ExitError
	if !errors.As(res.Err, &exit) || exit.Code != 3 {
		t.Fatalf("Reload(%q) = {Err: %v}, want an *ExitError with code 3", path, res.Err)
	}
	if res.Exception != nil || res.OK() {
		t.Errorf("Reload(%q) = {Exception: %+v, OK: %v}, want no exception and not OK", path, res.Exception, res.OK())
	}

	writeFile(t, ws, "quit.py", "x = 1\nx\n")
	res = mustReload(t, e, path)
	if !res.OK() || value(res) != "1" {
		t.Errorf("Reload(%q) after the runtime exited = %+v, want value 1", path, res)
	}
	if got := e.RuntimePid(); got == 0 || got == pid {
		t.Errorf("RuntimePid() = %d after the exit, want a new runtime (the old pid was %d)", got, pid)
	}
}

func TestStartReportsPreloadErrors(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeFile(t, ws, "warm.py", "import json\n")
	var mu sync.Mutex
	var infos []reload.RuntimeInfo
	e := newEngine(t, ws, reload.Config{
		Preload: []string{"warm", "no_such_module"},
		OnRuntimeStart: func(info reload.RuntimeInfo) {
			mu.Lock()
			infos = append(infos, info)
			mu.Unlock()
		},
	})
	// A broken preload is reported, not fatal: the user may be fixing it.
	if err := e.Start(testContext(t)); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(infos) != 1 {
		t.Fatalf("OnRuntimeStart called %d times, want 1", len(infos))
	}
	info := infos[0]
	if info.Pid == 0 || info.Pid != e.RuntimePid() {
		t.Errorf("RuntimeInfo.Pid = %d, want RuntimePid() = %d", info.Pid, e.RuntimePid())
	}
	var failed []string
	for name := range info.PreloadErrors {
		failed = append(failed, name)
	}
	if !slices.Equal(failed, []string{"no_such_module"}) {
		t.Errorf("RuntimeInfo.PreloadErrors has %q, want just no_such_module", failed)
	}
	if x := info.PreloadErrors["no_such_module"]; x == nil || x.Type != "ModuleNotFoundError" {
		t.Errorf("PreloadErrors[%q] = %+v, want a ModuleNotFoundError", "no_such_module", x)
	}
}

// OnRun tells of every run twice, in order: once its request is on its
// way (nil), then with its result; a run whose runtime cannot start is
// told of both ways too. A reload's result reaches OnResult before OnRun
// tells of its end: the result is what the user waits for, and the end
// of the run is a status notification the client gets after it.
func TestOnRunAnnouncesEachRunThenItsResult(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		python []string // nil: the tests' Python
		wantOK bool
	}{
		{name: "a run", wantOK: true},
		{name: "a runtime that cannot start", python: []string{filepath.Join(t.TempDir(), "no-such-python")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := t.TempDir()
			path := writeFile(t, ws, "m.py", "1\n")
			var mu sync.Mutex
			var calls []string
			cfg := reload.Config{OnRun: func(module string, res *reload.Result) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case res == nil:
					calls = append(calls, "started "+module)
				case res.OK():
					calls = append(calls, "ok "+module)
				default:
					calls = append(calls, "failed "+module)
				}
			}, OnResult: func(res *reload.Result) {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, "result "+res.Module)
			}}
			var e *reload.Engine
			if tc.python == nil {
				e = newEngine(t, ws, cfg)
			} else {
				cfg.Folders, cfg.Python = []string{ws}, tc.python
				e = reload.New(cfg)
				t.Cleanup(func() { e.Close() })
			}
			res, err := e.Reload(testContext(t), path)
			if err != nil {
				t.Fatalf("Reload = %v", err)
			}
			want := []string{"started m", "result m", "failed m"}
			if tc.wantOK {
				want = []string{"started m", "result m", "ok m"}
			}
			mu.Lock()
			defer mu.Unlock()
			if res.OK() != tc.wantOK || !slices.Equal(calls, want) {
				t.Errorf("OnRun calls %q (result OK %v), want %q", calls, res.OK(), want)
			}
		})
	}
}
