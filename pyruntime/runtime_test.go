package pyruntime

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// TestMain lets the test binary act as a server that starts a runtime, so a
// test can kill that "server" and check its Python process goes with it;
// the tests run the Python $HOTLOAD_TEST_PYTHON names, if set.
func TestMain(m *testing.M) {
	if os.Getenv("HOTLOAD_TEST_HELPER") == "server" {
		helperServer()
		return
	}
	os.Exit(pyruntimetest.Main(m))
}

// helperServer starts a runtime, waits for its spare, starts code that
// sleeps, and prints the pids of all its processes once the sleep has
// begun: then it waits to be killed in the middle of that run. Its waits
// have a deadline, so a helper that cannot get there says so and exits.
func helperServer() {
	fail := func(err any) {
		fmt.Println("error", err)
		os.Exit(1)
	}
	deadline := time.Now().Add(time.Minute)
	r := New(Config{})
	if err := r.Start(context.Background()); err != nil {
		fail(err)
	}
	for len(r.Pids()) < 3 {
		if time.Now().After(deadline) {
			fail("no spare after a minute")
		}
		time.Sleep(time.Millisecond)
	}
	dir := os.Getenv("HOTLOAD_TEST_DIR")
	path := filepath.Join(dir, "sleeper.py")
	if err := os.WriteFile(path, []byte("import time\nprint('sleeping')\ntime.sleep(60)\n"), 0o644); err != nil {
		fail(err)
	}
	sleeping := make(chan struct{}, 1)
	go func() {
		_, err := r.Call(context.Background(), Request{Op: "reload", Module: "sleeper", Path: path, PathEntry: dir}, func(Event) {
			select {
			case sleeping <- struct{}{}:
			default:
			}
		})
		fail(fmt.Sprint("the sleep ended early: ", err))
	}()
	select {
	case <-sleeping:
	case <-time.After(time.Until(deadline)):
		fail("the code did not start within a minute")
	}
	fmt.Println(strings.Trim(fmt.Sprint(r.Pids()), "[]"))
	select {} // wait to be killed
}

// writeModule writes a module file into dir and returns its path.
func writeModule(t *testing.T, dir, name, source string) string {
	t.Helper()
	path := filepath.Join(dir, name+".py")
	if err := os.WriteFile(path, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func newRuntime(t testing.TB, cfg Config) *Runtime {
	t.Helper()
	r := New(cfg)
	t.Cleanup(func() { r.Close() })
	return r
}

// startedRuntime is newRuntime, started.
func startedRuntime(t testing.TB, cfg Config) *Runtime {
	t.Helper()
	r := newRuntime(t, cfg)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// reload runs the module at path and returns the reply and its output.
func reload(t *testing.T, r *Runtime, module, path string) (Reply, string, error) {
	t.Helper()
	var mu sync.Mutex
	var out strings.Builder
	reply, err := r.Call(context.Background(), Request{Op: "reload", Module: module, Path: path, PathEntry: filepath.Dir(path)}, func(ev Event) {
		mu.Lock()
		out.WriteString(ev.Text)
		mu.Unlock()
	})
	mu.Lock()
	defer mu.Unlock()
	return reply, out.String(), err
}

func TestReloadReportsOutputValueAndErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, source          string
		wantOutput, wantValue string // wantValue "" means None
		wantError             string // "Type: message", "" for none
	}{
		{"print and value", "print('hi')\n2 + 3\n", "hi\n", "5", ""},
		{"statement last", "x = 1\n", "", "", ""},
		{"None value is not shown", "None\n", "", "", ""},
		{"exception", "1 / 0\n", "", "", "ZeroDivisionError: division by zero"},
		{"input raises EOFError", "input('name? ')\n", "name? ", "", "EOFError: EOF when reading a line"},
		{"C-level writes do not corrupt the protocol", "import os\nos.write(1, b'{not json\\n')\nprint('after')\n", "after\n", "", ""},
		{"stderr is captured", "import sys\nprint('warn', file=sys.stderr)\n", "warn\n", "", ""},
		{"SystemExit is an exception, not an exit", "raise SystemExit(2)\n", "", "", "SystemExit: 2"},
	}
	r := newRuntime(t, Config{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			module := fmt.Sprintf("m%d", i)
			reply, out, err := reload(t, r, module, writeModule(t, dir, module, tt.source))
			if err != nil {
				t.Fatalf("Call: %v", err)
			}
			if out != tt.wantOutput {
				t.Errorf("output = %q, want %q", out, tt.wantOutput)
			}
			gotValue := ""
			if reply.Value != nil {
				gotValue = *reply.Value
			}
			if gotValue != tt.wantValue {
				t.Errorf("value = %q, want %q", gotValue, tt.wantValue)
			}
			gotError := ""
			if reply.Error != nil {
				gotError = reply.Error.Type + ": " + reply.Error.Message
			}
			if gotError != tt.wantError {
				t.Errorf("error = %q, want %q", gotError, tt.wantError)
			}
		})
	}
}

func TestTracebackFramesHaveColumns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeModule(t, dir, "mymath", "def f(x):\n    return x / 0\n")
	path := writeModule(t, dir, "lib", "import mymath\n\nvalue = mymath.f(5)\n")
	r := newRuntime(t, Config{})
	reply, _, err := reload(t, r, "lib", path)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Error == nil {
		t.Fatal("no error")
	}
	type loc struct {
		file         string
		line, c, end int
		function     string
	}
	var got []loc
	for _, f := range reply.Error.Frames {
		got = append(got, loc{filepath.Base(f.File), f.Line, deref(f.Col), deref(f.EndCol), f.Function})
	}
	want := []loc{{"lib.py", 3, 8, 19, "<module>"}, {"mymath.py", 2, 11, 16, "f"}}
	if !pyruntimetest.AtLeast(t, 3, 11) {
		// Column positions exist since Python 3.11; before, a frame is its line.
		want = []loc{{"lib.py", 3, -1, -1, "<module>"}, {"mymath.py", 2, -1, -1, "f"}}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("frames = %v, want %v", got, want)
	}
	if !strings.Contains(reply.Error.Text, "ZeroDivisionError") || strings.Contains(reply.Error.Text, "hotload-agent") {
		t.Errorf("traceback text should name the error and hide the agent:\n%s", reply.Error.Text)
	}
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func TestSyntaxErrorKeepsOldCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "lib", "x = 1\n")
	if _, _, err := reload(t, r, "lib", path); err != nil {
		t.Fatal(err)
	}
	writeModule(t, dir, "lib", "x = 2\ny = (\n")
	reply, _, err := reload(t, r, "lib", path)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Error == nil || reply.Error.Type != "SyntaxError" || reply.Error.Syntax == nil {
		t.Fatalf("error = %+v, want a SyntaxError with a location", reply.Error)
	}
	// Python 3.10's parser says "'(' was never closed" at the bracket; 3.8
	// and 3.9 say "unexpected EOF while parsing" where the line ends.
	wantCol, wantMsg := 4, "'(' was never closed"
	if !pyruntimetest.AtLeast(t, 3, 10) {
		wantCol, wantMsg = 5, "unexpected EOF while parsing"
	}
	if s := reply.Error.Syntax; s.Line != 2 || deref(s.Col) != wantCol || reply.Error.Message != wantMsg {
		t.Errorf("syntax error = %q at line %d col %d, want %q at line 2 col %d", reply.Error.Message, s.Line, deref(s.Col), wantMsg, wantCol)
	}
	got, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: path, Code: "x"}, nil)
	if err != nil || got.Value == nil || *got.Value != "1" {
		t.Errorf("x after a failed reload = %v (%v), want 1", got.Value, err)
	}
}

func TestModuleGlobalsPersistAcrossReloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "counter", "try:\n    n\nexcept NameError:\n    n = 0\nn += 1\nn\n")
	for want := 1; want <= 3; want++ {
		reply, _, err := reload(t, r, "counter", path)
		if err != nil || reply.Value == nil || *reply.Value != strconv.Itoa(want) {
			t.Fatalf("reload %d: value %v err %v", want, reply.Value, err)
		}
	}
}

func TestInterruptStopsEndlessLoop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	tests := []struct{ name, source string }{
		{"busy loop", "while True:\n    pass\n"},
		{"blocking sleep", "import time\ntime.sleep(600)\n"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			module := fmt.Sprintf("loop%d", i)
			path := writeModule(t, dir, module, tt.source)
			done := make(chan Reply, 1)
			go func() {
				reply, _, err := reload(t, r, module, path)
				if err != nil {
					t.Errorf("Call: %v", err)
				}
				done <- reply
			}()
			waitBusy(t, r)
			if ok, err := r.Interrupt(context.Background()); !ok || err != nil {
				t.Fatalf("Interrupt = %v, %v; want true", ok, err)
			}
			reply := <-done
			if reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" {
				t.Fatalf("error = %+v, want KeyboardInterrupt", reply.Error)
			}
		})
	}
	if ok, _ := r.Interrupt(context.Background()); ok {
		t.Error("Interrupt with nothing running = true, want false")
	}
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitBusy(t *testing.T, r *Runtime) {
	t.Helper()
	for i := 0; ; i++ {
		r.mu.Lock()
		p := r.proc
		r.mu.Unlock()
		if p != nil {
			if busy, _ := p.busy(); busy {
				return
			}
		}
		if i > 1000 {
			t.Fatal("runtime never became busy")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInterruptIgnoredKillsAndRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{InterruptGrace: 200 * time.Millisecond})
	// The marker is written inside the try: an interrupt before it would
	// (rightly) stop the code before it could swallow anything.
	marker := filepath.Join(dir, "inside")
	path := writeModule(t, dir, "stubborn", fmt.Sprintf("import time\nwhile True:\n    try:\n        open(%q, 'w').close()\n        time.sleep(60)\n    except KeyboardInterrupt:\n        pass\n", marker))
	done := make(chan error, 1)
	go func() {
		_, _, err := reload(t, r, "stubborn", path)
		done <- err
	}()
	waitFile(t, marker)
	if _, err := r.Interrupt(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var exit *ExitError
	if !errors.Is(err, ErrInterrupted) || !errors.As(err, &exit) || exit.Signal != syscall.SIGKILL {
		t.Fatalf("err = %v, want ErrInterrupted wrapping a SIGKILL ExitError", err)
	}
	ok := writeModule(t, dir, "ok", "1 + 1\n")
	if reply, _, err := reload(t, r, "ok", ok); err != nil || reply.Value == nil || *reply.Value != "2" {
		t.Fatalf("after restart: %v, %v", reply.Value, err)
	}
}

func TestProcessDeathIsReportedAndRecovered(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, source string
		wantCode     int
		wantSignal   syscall.Signal
		wantStderr   string
	}{
		{"os._exit", "import os, sys\nsys.__stderr__.write('bye\\n'); sys.__stderr__.flush()\nos._exit(3)\n", 3, 0, "bye"},
		{"segfault", "import ctypes\nctypes.string_at(0)\n", -1, syscall.SIGSEGV, "Segmentation fault"},
	}
	r := newRuntime(t, Config{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			module := fmt.Sprintf("die%d", i)
			_, _, err := reload(t, r, module, writeModule(t, dir, module, tt.source))
			var exit *ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("err = %v, want *ExitError", err)
			}
			if exit.Code != tt.wantCode || exit.Signal != tt.wantSignal {
				t.Errorf("exit = code %d signal %v, want code %d signal %v", exit.Code, exit.Signal, tt.wantCode, tt.wantSignal)
			}
			if !strings.Contains(exit.Stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", exit.Stderr, tt.wantStderr)
			}
			ok := writeModule(t, dir, "alive", "'alive'\n")
			if reply, _, err := reload(t, r, "alive", ok); err != nil || reply.Value == nil {
				t.Fatalf("next call after death: %v", err)
			}
		})
	}
}

func TestIdleDeathIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exited := make(chan error, 1)
	r := newRuntime(t, Config{OnExit: func(err error) { exited <- err }})
	path := writeModule(t, dir, "bg", "import threading, time, os\nthreading.Thread(target=lambda: (time.sleep(0.2), os._exit(7))).start()\n")
	if _, _, err := reload(t, r, "bg", path); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != 7 {
			t.Errorf("OnExit(%v), want exit code 7", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnExit not called for a death between requests")
	}
}

// A SIGINT the runtime gets while it waits for a request (code that
// signals itself, a Ctrl-C meant for something else) stops nothing: the
// runtime goes on serving.
func TestIdleSIGINTIsIgnored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exited := make(chan error, 1)
	r := newRuntime(t, Config{OnExit: func(err error) {
		select {
		case exited <- err: // the first is enough
		default:
		}
	}})
	// The thread signals once the main thread waits between requests: its
	// innermost agent frame is serve, not handle.
	path := writeModule(t, dir, "lib", `import os, signal, sys, threading, time
def idle():
    frame = sys._current_frames().get(threading.main_thread().ident)
    while frame is not None and frame.f_code.co_name not in ("serve", "handle"):
        frame = frame.f_back
    return frame is not None and frame.f_code.co_name == "serve"
def later():
    while not idle():
        time.sleep(0.005)
    os.kill(os.getpid(), signal.SIGINT)
    done.set()
done = threading.Event()
threading.Thread(target=later).start()
`)
	if _, _, err := reload(t, r, "lib", path); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for evaluateIn(t, r, path, "done.is_set()") != "True" {
		select {
		case err := <-exited:
			t.Fatalf("the runtime exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the module's thread never saw the runtime idle")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := evaluateIn(t, r, path, "'still serving'"); got != "'still serving'" {
		t.Errorf("after an idle SIGINT: %s", got)
	}
	select {
	case err := <-exited:
		t.Fatalf("the runtime exited: %v", err)
	default:
	}
}

func TestPreloadAndSysPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeModule(t, dir, "heavy", "import sys\nsys.heavy_loaded = True\n")
	var started Started
	r := newRuntime(t, Config{SysPath: []string{dir}, Preload: []string{"heavy", "does_not_exist"}, OnStart: func(s Started) { started = s }})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := started.PreloadErrors["does_not_exist"]; e == nil || e.Type != "ModuleNotFoundError" {
		t.Errorf("preload errors = %v, want ModuleNotFoundError for does_not_exist", started.PreloadErrors)
	}
	path := writeModule(t, dir, "probe", "import sys\nsys.heavy_loaded\n")
	if reply, _, err := reload(t, r, "probe", path); err != nil || reply.Value == nil || *reply.Value != "True" {
		t.Errorf("heavy not preloaded: %v %v", reply.Value, err)
	}
}

// waitSpare waits until r runs its zygote, its current process and a spare.
func waitSpare(t *testing.T, r *Runtime) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(r.Pids()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no spare: processes %v", r.Pids())
		}
		time.Sleep(time.Millisecond)
	}
	return r.Pids()
}

func TestCloseLeavesNoProcess(t *testing.T) {
	t.Parallel()
	r := New(Config{})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	pids := waitSpare(t, r)
	r.Close()
	for _, pid := range pids {
		// Close waits: the processes are gone when it returns.
		if !pyruntimetest.Gone(pid) {
			t.Errorf("process %d of %v still runs after Close", pid, pids)
		}
	}
	if _, err := r.Call(context.Background(), Request{Op: "ping"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Call after Close = %v, want ErrClosed", err)
	}
}

// Closing a runtime while it starts (an editor's settings change replaces
// it) ends the start with ErrClosed, which the server does not report,
// and not with the error the cancelled start returned.
func TestCloseDuringStartIsErrClosed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	importing := filepath.Join(dir, "importing")
	writeModule(t, dir, "slow", fmt.Sprintf("import time\nopen(%q, 'w').close()\ntime.sleep(30)\n", importing))
	r := New(Config{SysPath: []string{dir}, Preload: []string{"slow"}})
	started := make(chan error, 1)
	go func() { started <- r.Start(context.Background()) }()
	// Close once the process runs, importing slow: the start is under way.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(importing); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the runtime did not start importing slow within 30 s")
		}
	}
	r.Close()
	if err := <-started; !errors.Is(err, ErrClosed) {
		t.Errorf("Start = %v, want ErrClosed", err)
	}
}

// The server is killed with SIGKILL while code runs: nothing of the
// runtime survives it.
func TestServerKilledTakesPythonAlong(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOTLOAD_TEST_HELPER=server", "HOTLOAD_TEST_DIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper said %q: %v", line, err)
	}
	var pids []int
	for _, f := range strings.Fields(line) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("helper said %q", line)
		}
		pids = append(pids, pid)
	}
	if len(pids) != 3 {
		t.Fatalf("helper runs processes %v, want zygote, current and spare", pids)
	}
	killed := time.Now()
	cmd.Process.Kill()
	cmd.Wait()
	for _, pid := range pids {
		pyruntimetest.WaitGone(t, pid, 10*time.Second)
	}
	t.Logf("zygote, busy worker and spare gone %v after the server was killed", time.Since(killed))
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		python []string
		want   string
	}{
		{"missing interpreter", []string{"/nonexistent/python3"}, `setting python "/nonexistent/python3"`},
		{"not a python", []string{"false"}, "exited with code 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRuntime(t, Config{Python: tt.python})
			err := r.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestTracebackTextKeepsChainsAndHidesTheAgent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "chain", "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('bad') from e\n")
	reply, _, err := reload(t, r, "chain", path)
	if err != nil || reply.Error == nil {
		t.Fatalf("reply %+v, %v", reply, err)
	}
	text := reply.Error.Text
	for _, want := range []string{"KeyError: 'k'", "direct cause", "ValueError: bad", `chain.py", line 4`} {
		if !strings.Contains(text, want) {
			t.Errorf("traceback text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "hotload-agent") {
		t.Errorf("traceback text shows the agent:\n%s", text)
	}
}

// Regression: an interrupt that reached the agent before the request it
// targets had started used to be dropped, and the code then ran until the
// grace period killed the runtime. Interrupting right after sending hits
// that window in most rounds; every round must end in KeyboardInterrupt.
func TestInterruptBeforeTheCodeStartsIsNotLost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{InterruptGrace: 5 * time.Second})
	loop := writeModule(t, dir, "loop", "while True:\n    pass\n")
	for round := range 10 {
		done := make(chan error, 1)
		var reply Reply
		go func() {
			var err error
			reply, _, err = reload(t, r, "loop", loop)
			done <- err
		}()
		// Spin: Interrupt says true as soon as the request is sent, usually
		// before the agent has started it. One made between the request's
		// ticket and its sending says false and stops the request as it
		// goes out, which can then end between two tries: done says so.
		var err error
	spin:
		for {
			ok, ierr := r.Interrupt(context.Background())
			if ierr != nil {
				t.Fatal(ierr)
			}
			select {
			case err = <-done:
				break spin
			default:
			}
			if ok {
				err = <-done
				break
			}
		}
		if err != nil {
			t.Fatalf("round %d: the interrupt was lost and the runtime killed: %v", round, err)
		}
		if reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" {
			t.Fatalf("round %d: error %+v, want KeyboardInterrupt", round, reply.Error)
		}
	}
}

func TestPingIsAnsweredWhileCodeRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "busy", "while True:\n    pass\n")
	done := make(chan struct{})
	go func() { reload(t, r, "busy", path); close(done) }()
	waitBusy(t, r)
	reply, err := r.Call(context.Background(), Request{Op: "ping"}, nil)
	if err != nil || !reply.OK {
		t.Errorf("ping while busy = %+v, %v", reply, err)
	}
	r.Interrupt(context.Background())
	<-done
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, // the first restart after a crash is immediate
		{1, 100 * time.Millisecond},
		{2, 400 * time.Millisecond},
		{3, 900 * time.Millisecond},
		{10, 10 * time.Second},
		{100, 10 * time.Second},
	}
	for _, tt := range tests {
		if got := backoff(tt.failures); got != tt.want {
			t.Errorf("backoff(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestWarningsAreReportedOnEveryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "warns", "import warnings\nwarnings.warn('careful', DeprecationWarning)\nwarnings.warn('again')\n")
	for run := 1; run <= 2; run++ {
		reply, out, err := reload(t, r, "warns", path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range reply.Warnings {
			got = append(got, fmt.Sprintf("%d %s: %s", w.Line, w.Category, w.Message))
		}
		// DeprecationWarning is ignored outside __main__ by Python's default
		// filters, and hotload keeps the user's filters.
		if want := "3 UserWarning: again"; strings.Join(got, "; ") != want {
			t.Errorf("run %d: warnings %q, want %q", run, got, want)
		}
		if !strings.Contains(out, "warns.py:3: UserWarning: again") {
			t.Errorf("run %d: output %q lacks the printed warning", run, out)
		}
	}
}

// Regression: a module that replaced or closed sys.stdout took output
// capture away from every later run.
func TestOutputSurvivesCodeThatReplacesStdout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	for i, tt := range []string{
		"import io, sys\nsys.stdout = io.StringIO()\nsys.stderr = io.StringIO()\n",
		"import sys\nsys.stdout.close()\n",
	} {
		module := fmt.Sprintf("rude%d", i)
		if _, _, err := reload(t, r, module, writeModule(t, dir, module, tt)); err != nil {
			t.Fatal(err)
		}
		next := writeModule(t, dir, "polite", "import sys\nprint('visible')\nprint('also', file=sys.stderr)\n")
		if _, out, err := reload(t, r, "polite", next); err != nil || out != "visible\nalso\n" {
			t.Errorf("after %s: output %q (%v), want both lines", module, out, err)
		}
	}
}

// Sent is called once the request is in the process, before its reply;
// a request that cannot be sent never calls it.
func TestSentIsCalledOnceTheRequestIsOnItsWay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	gate := filepath.Join(dir, "gate")
	path := writeModule(t, dir, "waits", fmt.Sprintf("import os, time\nend = time.time() + 10\nwhile not os.path.exists(%[1]q) and time.time() < end:\n    time.sleep(0.01)\n'done' if os.path.exists(%[1]q) else 'no gate'\n", gate))
	var sentWhileBusy []bool
	reply, err := r.Call(context.Background(), Request{Op: "reload", Module: "waits", Path: path, Sent: func() {
		r.mu.Lock()
		p := r.proc
		r.mu.Unlock()
		busy, _ := p.busy()
		sentWhileBusy = append(sentWhileBusy, busy)
		if err := os.WriteFile(gate, nil, 0o644); err != nil {
			t.Error(err)
		}
	}}, nil)
	if err != nil || reply.Value == nil || *reply.Value != "'done'" {
		t.Fatalf("reload = %+v, %v; want the value 'done'", reply, err)
	}
	if !slices.Equal(sentWhileBusy, []bool{true}) {
		t.Errorf("Sent called with the process busy: %v, want once, busy with the request", sentWhileBusy)
	}

	r.Close()
	called := false
	if _, err := r.Call(context.Background(), Request{Op: "ping", Sent: func() { called = true }}, nil); err == nil {
		t.Fatal("Call after Close succeeded")
	}
	if called {
		t.Error("Sent was called for a request that was never sent")
	}
}
