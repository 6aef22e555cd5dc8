package pyruntime

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// appTimeout bounds every wait on an app. It guards against a hang on a
// loaded machine; it is not a claim about speed.
const appTimeout = 30 * time.Second

// appEvents collects what a runtime running an app reports.
type appEvents struct {
	mu       sync.Mutex
	changed  chan struct{}
	output   strings.Builder // the app's output
	failures []Event
	exits    []AppExit
}

func newAppEvents() *appEvents { return &appEvents{changed: make(chan struct{})} }

func (a *appEvents) config(dir string) Config {
	return Config{
		Dir:            dir,
		SysPath:        []string{dir},
		WorkspaceRoots: []string{dir},
		OnOutput: func(ev Event) {
			a.mu.Lock()
			defer a.mu.Unlock()
			switch {
			case ev.Kind == "output" && ev.App:
				a.output.WriteString(ev.Text)
			case ev.Kind == "failure":
				a.failures = append(a.failures, ev)
			}
			a.notifyLocked()
		},
		OnAppExit: func(x AppExit) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.exits = append(a.exits, x)
			a.notifyLocked()
		},
	}
}

func (a *appEvents) notifyLocked() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// await waits until cond, called with a.mu held, is true.
func (a *appEvents) await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(appTimeout)
	for {
		a.mu.Lock()
		ok, changed := cond(), a.changed
		a.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			a.mu.Lock()
			defer a.mu.Unlock()
			t.Fatalf("timed out waiting for %s\napp output:\n%s\nfailures: %+v\nexits: %+v", what, a.output.String(), a.failures, a.exits)
		}
	}
}

// awaitOutput waits for the app to print a line matching re and returns
// its first submatch.
func (a *appEvents) awaitOutput(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	var found string
	a.await(t, "app output matching "+re.String(), func() bool {
		m := re.FindStringSubmatch(a.output.String())
		if m != nil && len(m) > 1 {
			found = m[1]
		}
		return m != nil
	})
	return found
}

func (a *appEvents) awaitExit(t *testing.T) AppExit {
	t.Helper()
	var x AppExit
	a.await(t, "the app's exit", func() bool {
		if len(a.exits) > 0 {
			x = a.exits[0]
		}
		return len(a.exits) > 0
	})
	return x
}

// httpApp is a small http.server app: server.py serves handlers.answer()
// and its pid on a free port of 127.0.0.1, and prints the port.
var httpApp = map[string]string{
	"handlers.py": "def answer():\n    return 'v1'\n",
	"server.py": `import http.server, os, sys
import handlers

def body():
    return "%s %d" % (handlers.answer(), os.getpid())

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        data = body().encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("argv", sys.argv, "path0", sys.path[0], flush=True)
    print("port", server.server_address[1], flush=True)
    server.serve_forever()
`,
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		writeModule(t, dir, strings.TrimSuffix(name, ".py"), content)
	}
}

// An app runs as __main__ with its arguments and keeps serving while a
// save of a module it imports, and of its own script, changes what it
// answers, in the same process.
func TestAppRunsAsMainAndSavesApplyInPlace(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, httpApp)
	events := newAppEvents()
	r := newRuntime(t, events.config(dir))
	ctx := context.Background()
	pid, err := r.StartApp(ctx, []string{"server.py", "--flag"})
	if err != nil {
		t.Fatal(err)
	}
	if r.AppPid() != pid || r.Pid() != pid {
		t.Errorf("AppPid() = %d, Pid() = %d, want the app's %d", r.AppPid(), r.Pid(), pid)
	}
	port := events.awaitOutput(t, regexp.MustCompile(`port (\d+)`))
	events.mu.Lock()
	output := events.output.String()
	events.mu.Unlock()
	if want := "argv ['server.py', '--flag'] path0 " + dir; !strings.Contains(output, want) {
		t.Errorf("app output %q, want %q", output, want)
	}
	url := "http://127.0.0.1:" + port + "/"
	if got, want := pyruntimetest.MustGet(t, url), "v1 "+strconv.Itoa(pid); got != want {
		t.Fatalf("GET = %q, want %q", got, want)
	}

	path := writeModule(t, dir, "handlers", "def answer():\n    return 'v2'\n")
	if reply, _, err := reload(t, r, "handlers", path); err != nil || reply.Error != nil {
		t.Fatalf("reload handlers: %v %+v", err, reply.Error)
	}
	if got, want := pyruntimetest.MustGet(t, url), "v2 "+strconv.Itoa(pid); got != want {
		t.Errorf("after saving handlers.py, GET = %q, want %q", got, want)
	}

	// The script itself: its functions change, its main block does not run again.
	script := strings.Replace(httpApp["server.py"], `"%s %d" % (`, `"main %s %d" % (`, 1)
	path = writeModule(t, dir, "server", script)
	reply, _, err := reload(t, r, "server", path)
	if err != nil || reply.Error != nil {
		t.Fatalf("reload server: %v %+v", err, reply.Error)
	}
	if len(reply.Reloaded) != 1 || reply.Reloaded[0] != "__main__" {
		t.Errorf("reloaded %v, want [__main__]", reply.Reloaded)
	}
	if got, want := pyruntimetest.MustGet(t, url), "main v2 "+strconv.Itoa(pid); got != want {
		t.Errorf("after saving server.py, GET = %q, want %q", got, want)
	}
	events.mu.Lock()
	ports := strings.Count(events.output.String(), "port ")
	events.mu.Unlock()
	if ports != 1 {
		t.Errorf("the main block ran %d times, want once", ports)
	}
}

func TestAppExitReportsItsStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		code   int
		signal syscall.Signal
	}{
		{"returns", "print('done')\n", 0, 0},
		{"sys.exit(3)", "import sys\nsys.exit(3)\n", 3, 0},
		{"raises", "raise ValueError('boom')\n", 1, 0},
		{"segfault", "import ctypes\nctypes.string_at(0)\n", -1, syscall.SIGSEGV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeModule(t, dir, "prog", tt.script)
			events := newAppEvents()
			r := newRuntime(t, events.config(dir))
			pid, err := r.StartApp(context.Background(), []string{"prog.py"})
			if err != nil {
				t.Fatal(err)
			}
			x := events.awaitExit(t)
			if x.Code != tt.code || x.Signal != tt.signal || x.Stopped || x.Pid != pid {
				t.Errorf("exit = %+v, want code %d, signal %v, pid %d, not stopped", x, tt.code, tt.signal, pid)
			}
			if r.AppPid() != 0 {
				t.Errorf("AppPid() = %d after the exit, want 0", r.AppPid())
			}
			// A plain process takes over; the app is not started again.
			if err := r.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := r.Pid(); got == pid || got == 0 {
				t.Errorf("Pid() = %d after the app %d exited, want a new process", got, pid)
			}
		})
	}
}

// A program that raises in its main thread is reported as a failure, with
// the program's frames only.
func TestAppMainThreadFailure(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "prog", "def main():\n    return 1 / 0\n\nmain()\n")
	events := newAppEvents()
	r := newRuntime(t, events.config(dir))
	if _, err := r.StartApp(context.Background(), []string{"prog.py"}); err != nil {
		t.Fatal(err)
	}
	events.awaitExit(t)
	events.mu.Lock()
	defer events.mu.Unlock()
	if len(events.failures) != 1 {
		t.Fatalf("failures = %+v, want one", events.failures)
	}
	f := events.failures[0]
	if f.Origin != "main" || f.Exception.Type != "ZeroDivisionError" || len(f.Exception.Frames) != 2 || f.Exception.Frames[1].Line != 2 {
		t.Errorf("failure = %s %+v, want ZeroDivisionError from main with prog.py's two frames", f.Origin, f.Exception)
	}
	if !strings.Contains(events.output.String(), "ZeroDivisionError: division by zero") || strings.Contains(events.output.String(), "runpy") {
		t.Errorf("the app printed %q, want the traceback as Python prints it, without hotload's frames", events.output.String())
	}
}

// StopApp is Ctrl-C: the program's own SIGINT handler runs and it exits.
func TestStopAppSendsSIGINT(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "prog", `import signal, sys, time
def bye(signum, frame):
    print("bye", flush=True)
    sys.exit(0)
signal.signal(signal.SIGINT, bye)
print("ready", flush=True)
while True:
    time.sleep(0.05)
`)
	events := newAppEvents()
	r := newRuntime(t, events.config(dir))
	if _, err := r.StartApp(context.Background(), []string{"prog.py"}); err != nil {
		t.Fatal(err)
	}
	events.awaitOutput(t, regexp.MustCompile(`(ready)`))
	if err := r.StopApp(context.Background()); err != nil {
		t.Fatal(err)
	}
	x := events.awaitExit(t)
	if !x.Stopped || x.Code != 0 {
		t.Errorf("exit = %+v, want stopped with status 0", x)
	}
	events.awaitOutput(t, regexp.MustCompile(`(bye)`))
	if err := r.StopApp(context.Background()); !errors.Is(err, ErrNoApp) {
		t.Errorf("StopApp with no app = %v, want ErrNoApp", err)
	}
}

// A program that ignores SIGINT is killed after the grace period, and its
// process is gone.
func TestStopAppKillsAProgramThatIgnoresSIGINT(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "prog", "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('ready', flush=True)\nwhile True:\n    time.sleep(0.05)\n")
	events := newAppEvents()
	cfg := events.config(dir)
	cfg.AppStopGrace = 200 * time.Millisecond
	r := newRuntime(t, cfg)
	pid, err := r.StartApp(context.Background(), []string{"prog.py"})
	if err != nil {
		t.Fatal(err)
	}
	events.awaitOutput(t, regexp.MustCompile(`(ready)`))
	if err := r.StopApp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if x := events.awaitExit(t); !x.Stopped || x.Signal != syscall.SIGKILL {
		t.Errorf("exit = %+v, want stopped by SIGKILL", x)
	}
	pyruntimetest.WaitGone(t, pid, appTimeout)
}

func TestStartAppErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"missing.py"}, "can't open file"},
		{[]string{"-m", "no_such_module_here"}, "No module named no_such_module_here"},
		{[]string{"-u", "prog.py"}, "-u is an option of the interpreter"},
		{[]string{"-m"}, "Argument expected for the -m option"},
	}
	r := newRuntime(t, newAppEvents().config(dir))
	for _, tt := range tests {
		_, err := r.StartApp(context.Background(), tt.args)
		var appErr *AppError
		if !errors.As(err, &appErr) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("StartApp(%q) = %v, want an *AppError saying %q", tt.args, err, tt.want)
		}
	}
	if r.AppPid() != 0 {
		t.Errorf("AppPid() = %d after failed starts, want 0", r.AppPid())
	}
}

// -m and -c run as python runs them; a second StartApp is refused.
func TestAppModuleAndCode(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "tool", "import sys\nprint('tool', __name__, sys.argv[1:], flush=True)\nimport time\ntime.sleep(60)\n")
	events := newAppEvents()
	r := newRuntime(t, events.config(dir))
	if _, err := r.StartApp(context.Background(), []string{"-m", "tool", "a", "b"}); err != nil {
		t.Fatal(err)
	}
	events.awaitOutput(t, regexp.MustCompile(`(tool __main__ \['a', 'b'\])`))
	if _, err := r.StartApp(context.Background(), []string{"-c", "pass"}); !errors.Is(err, ErrAppRunning) {
		t.Errorf("a second StartApp = %v, want ErrAppRunning", err)
	}
	if err := r.StopApp(context.Background()); err != nil {
		t.Fatal(err)
	}
	events.awaitExit(t)

	events2 := newAppEvents()
	r2 := newRuntime(t, events2.config(dir))
	if _, err := r2.StartApp(context.Background(), []string{"-c", "import sys; print('code', sys.argv)", "x"}); err != nil {
		t.Fatal(err)
	}
	events2.awaitOutput(t, regexp.MustCompile(`(code \['-c', 'x'\])`))
	if x := events2.awaitExit(t); x.Code != 0 {
		t.Errorf("exit = %+v, want status 0", x)
	}
}

// Failures of the running program: a thread that raises, an asyncio task
// whose exception nobody retrieves, and a logged traceback.
func TestAppFailuresAreReported(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "prog", `import asyncio, logging, threading, time

def work():
    raise KeyError("in a thread")

async def task():
    raise ValueError("in a task")

async def main():
    asyncio.get_running_loop().create_task(task())
    await asyncio.sleep(0.1)

def logged():
    try:
        {}["x"]
    except KeyError:
        logging.getLogger("myapp").exception("request failed")

t = threading.Thread(target=work)
t.start()
t.join()
asyncio.run(main())
logged()
print("done", flush=True)
time.sleep(60)
`)
	events := newAppEvents()
	r := newRuntime(t, events.config(dir))
	if _, err := r.StartApp(context.Background(), []string{"prog.py"}); err != nil {
		t.Fatal(err)
	}
	events.awaitOutput(t, regexp.MustCompile(`(done)`))
	events.await(t, "three failures", func() bool { return len(events.failures) >= 3 })
	events.mu.Lock()
	defer events.mu.Unlock()
	type want struct {
		origin, where, typ string
		line               int
	}
	wants := []want{
		{"thread", "Thread-1 (work)", "KeyError", 4},
		{"log", "asyncio", "ValueError", 7},
		{"log", "myapp", "KeyError", 15},
	}
	for i, w := range wants {
		f := events.failures[i]
		if f.Origin != w.origin || !strings.HasPrefix(f.Where, strings.Fields(w.where)[0]) || f.Exception == nil || f.Exception.Type != w.typ {
			t.Errorf("failure %d = %s %q %+v, want %s %q %s", i, f.Origin, f.Where, f.Exception, w.origin, w.where, w.typ)
			continue
		}
		last := f.Exception.Frames[len(f.Exception.Frames)-1]
		if last.Line != w.line || filepath.Base(last.File) != "prog.py" {
			t.Errorf("failure %d raised at %s:%d, want prog.py:%d", i, last.File, last.Line, w.line)
		}
	}
	if !strings.Contains(events.output.String(), "Task exception was never retrieved") {
		t.Errorf("the program's own report of the task is missing: %q", events.output.String())
	}
}

// Where Python cannot fork, the app runs in a new interpreter started
// directly, and its exit is reported the same way.
func TestAppWithoutFork(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "prog", "import os, sys\nprint('in', os.getpid(), flush=True)\nsys.exit(4)\n")
	events := newAppEvents()
	cfg := events.config(dir)
	cfg.Python = forklessPython(t)
	r := newRuntime(t, cfg)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := r.Pid()
	pid, err := r.StartApp(context.Background(), []string{"prog.py"})
	if err != nil {
		t.Fatal(err)
	}
	if pid == before {
		t.Errorf("the app runs in the process that was there (%d): want a new one", pid)
	}
	events.awaitOutput(t, regexp.MustCompile(`in (\d+)`))
	if x := events.awaitExit(t); x.Code != 4 || x.Stopped {
		t.Errorf("exit = %+v, want status 4", x)
	}
}

// An interrupt stops a reload that loops on hotload's thread, not the
// program: the app keeps running in the same process.
func TestInterruptInAnAppStopsTheReloadOnly(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, "prog", "import time\nprint('ready', flush=True)\nwhile True:\n    time.sleep(0.05)\n")
	events := newAppEvents()
	r := newRuntime(t, events.config(dir))
	pid, err := r.StartApp(context.Background(), []string{"prog.py"})
	if err != nil {
		t.Fatal(err)
	}
	events.awaitOutput(t, regexp.MustCompile(`(ready)`))
	loop := writeModule(t, dir, "loop", "while True:\n    pass\n")
	done := make(chan Reply, 1)
	go func() {
		reply, _ := r.Call(context.Background(), Request{Op: "reload", Module: "loop", Path: loop}, nil)
		done <- reply
	}()
	waitBusy(t, r)
	if ok, err := r.Interrupt(context.Background()); err != nil || !ok {
		t.Fatalf("Interrupt = %v, %v", ok, err)
	}
	select {
	case reply := <-done:
		if reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" {
			t.Errorf("reply error = %+v, want KeyboardInterrupt", reply.Error)
		}
	case <-time.After(appTimeout):
		t.Fatal("the interrupted reload did not end")
	}
	if r.AppPid() != pid {
		t.Errorf("AppPid() = %d after the interrupt, want %d: the app keeps running", r.AppPid(), pid)
	}
}
