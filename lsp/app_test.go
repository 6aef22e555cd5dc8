package lsp

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// awaitLogMatch waits for a log message matching re and returns its first
// submatch.
func (e *fakeEditor) awaitLogMatch(re *regexp.Regexp) string {
	e.t.Helper()
	var found string
	e.await("a log message matching "+re.String(), func() bool {
		for _, l := range e.logs {
			if m := re.FindStringSubmatch(l.Message); m != nil {
				found = m[1]
				return true
			}
		}
		return false
	})
	return found
}

// messagesContaining counts the messages shown so far that contain substr.
func (e *fakeEditor) messagesContaining(substr string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, m := range e.shown {
		if strings.Contains(m.Message, substr) {
			n++
		}
	}
	return n
}

// hover sends textDocument/hover at line and character (0-based).
func (e *fakeEditor) hover(rel string, line, char uint32) *protocol.Hover {
	e.t.Helper()
	h, err := e.server.Hover(context.Background(), &protocol.HoverParams{
		TextDocumentPositionParams: protocol.TextDocumentPositionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(rel)},
			Position:     protocol.Position{Line: line, Character: char},
		},
	})
	if err != nil {
		e.t.Fatalf("hover %s:%d:%d: %v", rel, line, char, err)
	}
	return h
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func hoverText(h *protocol.Hover) string {
	if h == nil {
		return ""
	}
	if m, ok := h.Contents.(*protocol.MarkupContent); ok {
		return m.Value
	}
	return fmt.Sprint(h.Contents)
}

// httpServerApp is a small http.server app: server.py serves
// handlers.answer() and its pid, on a free port it prints.
const httpServerApp = `
-- handlers.py --
def answer():
    return "v1"
-- server.py --
import http.server, os
import handlers

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        data = ("%s %d" % (handlers.answer(), os.getpid())).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("serving on port", server.server_address[1], flush=True)
    server.serve_forever()
`

// The http.server app in the editor: started by the command, patched by
// saves in the same process, its failing handler a diagnostic with a
// count, hover on its globals, and stopped by the command.
func TestAppThroughTheEditor(t *testing.T) {
	e := newEditor(t, httpServerApp)
	res := e.initialize(map[string]any{"app": []string{"server.py"}})
	cmds := strings.Join(res.Capabilities.ExecuteCommandProvider.Commands, " ")
	for _, want := range []string{"hotload.startApp", "hotload.stopApp", "hotload.restartApp"} {
		if !strings.Contains(cmds, want) {
			t.Errorf("executeCommandProvider = %s, missing %s", cmds, want)
		}
	}
	if res.Capabilities.HoverProvider == nil {
		t.Error("no hoverProvider")
	}
	e.waitReady()

	var reply struct{ Pid int }
	if err := e.command("hotload.startApp", &reply); err != nil {
		t.Fatal(err)
	}
	if st := e.awaitStatus(0, stateReady); st.App != "" && st.App != appRunning {
		t.Errorf("status app = %q", st.App)
	}
	e.await("status app running", func() bool {
		for _, st := range e.statuses {
			if st.App == appRunning && st.AppPid == reply.Pid {
				return true
			}
		}
		return false
	})
	port := e.awaitLogMatch(regexp.MustCompile(`app: serving on port (\d+)`))
	url := "http://127.0.0.1:" + port + "/"
	pid := strconv.Itoa(reply.Pid)
	if got := pyruntimetest.MustGet(t, url); got != "v1 "+pid {
		t.Fatalf("GET = %q, want %q", got, "v1 "+pid)
	}

	n := e.messageCount()
	e.save("handlers.py", "def answer():\n    return \"v2\"\n")
	e.awaitMessage(n, "handlers reloaded")
	if got := pyruntimetest.MustGet(t, url); got != "v2 "+pid {
		t.Errorf("after the save, GET = %q, want %q from the same process", got, "v2 "+pid)
	}

	// A handler that raises: one diagnostic on its line, counted, one message.
	n = e.messageCount()
	e.save("handlers.py", "def answer():\n    return 1 / 0\n")
	e.awaitMessage(n, "handlers reloaded")
	for range 3 {
		_, _ = pyruntimetest.Get(url) // http.server closes the connection unanswered
	}
	d := e.awaitDiagnostics("handlers.py", "the handler's failure, 3 times", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && strings.Contains(message(d[0]), "3 times")
	})[0]
	if d.Severity != protocol.DiagnosticSeverityError || d.Range.Start.Line != 1 || !strings.HasPrefix(message(d), "ZeroDivisionError: division by zero (printed by socketserver") {
		t.Errorf("diagnostic = %v %v %q, want an Error on line 2: ZeroDivisionError … printed by socketserver", d.Severity, d.Range, message(d))
	}
	if len(d.RelatedInformation) == 0 {
		t.Error("the failure's diagnostic links no calling chain")
	}
	e.awaitDiagnostics("server.py", "the call in the handler", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityInformation && d[0].Range.Start.Line == 5
	})
	if n := e.messagesContaining("ZeroDivisionError: division by zero printed by socketserver"); n != 1 {
		t.Errorf("%d messages about the failure, want 1", n)
	}
	// A save of a file of the chain clears it.
	e.save("handlers.py", "def answer():\n    return \"v3\"\n")
	e.awaitDiagnostics("handlers.py", "no diagnostics", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
	e.awaitDiagnostics("server.py", "no diagnostics", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
	if got := pyruntimetest.MustGet(t, url); got != "v3 "+pid {
		t.Errorf("GET = %q, want %q", got, "v3 "+pid)
	}

	// Hover on the app's own globals, in its __main__.
	e.open("server.py")
	if h := hoverText(e.hover("server.py", 15, 6)); !strings.Contains(h, "http.server.ThreadingHTTPServer") {
		t.Errorf("hover on server = %q, want its type", h)
	}

	if err := e.command("hotload.stopApp", nil); err != nil {
		t.Fatal(err)
	}
	e.await("status app stopped", func() bool {
		return len(e.statuses) > 0 && e.statuses[len(e.statuses)-1].App == appStopped
	})
	pyruntimetest.WaitGone(t, reply.Pid, waitTimeout)
	if _, err := pyruntimetest.Get(url); err == nil {
		t.Error("the app still answers after stopApp")
	}
	e.shutdown()
}

func TestAppExitIsReportedAndNotRestarted(t *testing.T) {
	e := newEditor(t, "-- prog.py --\nimport sys\nprint('bye')\nsys.exit(3)\n")
	e.initialize(map[string]any{"app": []string{"prog.py"}})
	e.waitReady()
	n := e.messageCount()
	if err := e.command("hotload.startApp", nil); err != nil {
		t.Fatal(err)
	}
	msg := e.awaitMessage(n, "the app exited with status 3")
	if msg.Type != protocol.MessageTypeWarning {
		t.Errorf("message %v %q, want a Warning", msg.Type, msg.Message)
	}
	e.await("status app exited", func() bool {
		return len(e.statuses) > 0 && e.statuses[len(e.statuses)-1].App == appExited
	})
	e.awaitLog("app: bye")
	if n := e.messagesContaining("app started"); n != 1 {
		t.Errorf("%d app starts, want 1", n)
	}
}

func TestAppCommandErrors(t *testing.T) {
	e := newEditor(t, "-- lib.py --\nx = 1\n")
	e.initialize(nil)
	e.waitReady()
	if err := e.command("hotload.startApp", nil); err == nil || !strings.Contains(err.Error(), "set the `app` setting") {
		t.Errorf("startApp without the setting = %v, want a hint about the setting", err)
	}
	if err := e.command("hotload.startApp", nil, "extra"); err == nil || !strings.Contains(err.Error(), "takes no arguments") {
		t.Errorf("startApp with an argument = %v", err)
	}
	e.shutdown()

	e = newEditor(t, "-- lib.py --\nx = 1\n")
	e.initialize(map[string]any{"app": []string{"missing.py"}})
	e.waitReady()
	if err := e.command("hotload.startApp", nil); err == nil || !strings.Contains(err.Error(), "can't open file") {
		t.Errorf("startApp of a missing script = %v, want can't open file", err)
	}
	e.awaitMessage(0, "can't open file")
	if err := e.command("hotload.stopApp", nil); err != nil {
		t.Errorf("stopApp with no app = %v, want a message, not an error", err)
	}
	e.awaitMessage(0, "the app is not running")
}

// Flask, run as `python -m flask --app app run`: a save of a view changes
// the answer of the same process; a view that raises is a diagnostic on its
// line, from Flask's log.
func TestFlaskApp(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "flask")
	e := newEditor(t, `
-- app.py --
import os
from flask import Flask

app = Flask(__name__)

@app.route("/")
def index():
    return "v1 %d" % os.getpid()

@app.route("/boom")
def boom():
    return str(1 / 0)
`)
	e.initialize(map[string]any{"python": python, "app": []string{"-m", "flask", "--app", "app", "run", "--port", "0"}})
	e.waitReady()
	var reply struct{ Pid int }
	if err := e.command("hotload.startApp", &reply); err != nil {
		t.Fatal(err)
	}
	port := e.awaitLogMatch(regexp.MustCompile(`Running on http://127\.0\.0\.1:(\d+)`))
	url := "http://127.0.0.1:" + port
	pid := strconv.Itoa(reply.Pid)
	if got := pyruntimetest.MustGet(t, url+"/"); got != "v1 "+pid {
		t.Fatalf("GET / = %q, want %q", got, "v1 "+pid)
	}
	n := e.messageCount()
	e.save("app.py", strings.Replace(readFile(t, e.path("app.py")), `"v1 %d"`, `"v2 %d"`, 1))
	e.awaitMessage(n, "app reloaded")
	if got := pyruntimetest.MustGet(t, url+"/"); got != "v2 "+pid {
		t.Errorf("after the save, GET / = %q, want %q", got, "v2 "+pid)
	}
	if _, err := pyruntimetest.Get(url + "/boom"); err != nil {
		t.Fatal(err) // Flask answers 500
	}
	d := e.awaitDiagnostics("app.py", "the view's failure", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityError
	})[0]
	if d.Range.Start.Line != 11 || !strings.Contains(message(d), "ZeroDivisionError: division by zero (logged by app") {
		t.Errorf("diagnostic = line %d %q, want line 12, ZeroDivisionError logged by app", d.Range.Start.Line+1, message(d))
	}
	if err := e.command("hotload.stopApp", nil); err != nil {
		t.Fatal(err)
	}
	pyruntimetest.WaitGone(t, reply.Pid, waitTimeout)
}

// FastAPI under uvicorn, run as `python -m uvicorn main:app`.
func TestFastAPIApp(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "fastapi", "uvicorn")
	e := newEditor(t, `
-- main.py --
import os
from fastapi import FastAPI

app = FastAPI()

@app.get("/")
def index():
    return "v1 %d" % os.getpid()

@app.get("/boom")
def boom():
    return {"x": 1 / 0}
`)
	url, pid := startUvicornApp(t, e, python)
	shown := strconv.Itoa(pid)
	if got := pyruntimetest.MustGet(t, url+"/"); got != `"v1 `+shown+`"` {
		t.Fatalf("GET / = %q, want %q", got, `"v1 `+shown+`"`)
	}
	n := e.messageCount()
	e.save("main.py", strings.Replace(readFile(t, e.path("main.py")), `"v1 %d"`, `"v2 %d"`, 1))
	e.awaitMessage(n, "main reloaded")
	if got := pyruntimetest.MustGet(t, url+"/"); got != `"v2 `+shown+`"` {
		t.Errorf("after the save, GET / = %q, want %q", got, `"v2 `+shown+`"`)
	}
	if _, err := pyruntimetest.Get(url + "/boom"); err != nil {
		t.Fatal(err) // a 500
	}
	d := e.awaitDiagnostics("main.py", "the endpoint's failure", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityError
	})[0]
	if d.Range.Start.Line != 11 || !strings.Contains(message(d), "ZeroDivisionError: division by zero (logged by uvicorn.error") {
		t.Errorf("diagnostic = line %d %q, want line 12, ZeroDivisionError logged by uvicorn.error", d.Range.Start.Line+1, message(d))
	}
	stopUvicornApp(t, e, pid)
}

// A background task that a FastAPI app's lifespan started keeps running the
// old coroutine after a save, as it would until the server restarts. The
// loop that runs it is uvicorn's, in the program's main thread, and no
// module holds it or the task: the Warning on the coroutine function
// still names it.
func TestFastAPIAppLifespanTaskIsNamed(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "fastapi", "uvicorn")
	e := newEditor(t, `
-- main.py --
import asyncio
import contextlib

from fastapi import FastAPI

try:
    TICKS
except NameError:
    TICKS = []


async def tick():
    while True:
        TICKS.append("v1")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def lifespan(app):
    task = asyncio.create_task(tick())
    yield
    task.cancel()


app = FastAPI(lifespan=lifespan)


@app.get("/")
def last_tick():
    return TICKS[-1] if TICKS else None
`)
	url, pid := startUvicornApp(t, e, python)
	if got := pyruntimetest.MustGet(t, url+"/"); got != `"v1"` {
		t.Fatalf("GET / = %q, want %q: the lifespan's task ticks once the server runs", got, `"v1"`)
	}
	n := e.messageCount()
	e.save("main.py", strings.Replace(readFile(t, e.path("main.py")), `TICKS.append("v1")`, `TICKS.append("v2")`, 1))
	e.awaitMessage(n, "main reloaded")
	want := "a running task of the event loop of thread 'MainThread' runs it"
	e.awaitDiagnostics("main.py", "a Warning on tick", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityWarning && d[0].Range.Start.Line == 11 &&
			strings.Contains(message(d[0]), want)
	})
	if got := pyruntimetest.MustGet(t, url+"/"); got != `"v1"` {
		t.Errorf("after the save, GET / = %q: the running task keeps the old code, as the Warning says", got)
	}
	stopUvicornApp(t, e, pid)
}

// startUvicornApp starts `python -m uvicorn main:app` on a free port of
// 127.0.0.1 as the editor's app and returns its URL and its pid.
func startUvicornApp(t *testing.T, e *fakeEditor, python string) (string, int) {
	t.Helper()
	e.initialize(map[string]any{"python": python, "app": []string{"-m", "uvicorn", "main:app", "--port", "0"}})
	e.waitReady()
	var reply struct{ Pid int }
	if err := e.command("hotload.startApp", &reply); err != nil {
		t.Fatal(err)
	}
	port := e.awaitLogMatch(regexp.MustCompile(`Uvicorn running on http://127\.0\.0\.1:(\d+)`))
	return "http://127.0.0.1:" + port, reply.Pid
}

// stopUvicornApp stops the app startUvicornApp started and waits for its
// process to end. Stopping is Ctrl-C: uvicorn shuts down on its own SIGINT
// handler.
func stopUvicornApp(t *testing.T, e *fakeEditor, pid int) {
	t.Helper()
	if err := e.command("hotload.stopApp", nil); err != nil {
		t.Fatal(err)
	}
	e.awaitLog("Finished server process")
	pyruntimetest.WaitGone(t, pid, waitTimeout)
}

// An attached app: hover shows its live values, and a thread of it that
// raises is a diagnostic, while hotload is connected.
func TestAttachedAppHoverAndFailures(t *testing.T) {
	e := newEditor(t, "-- state.py --\ncounter = 7\n-- worker.py --\nimport threading\n\ndef work():\n    raise KeyError('gone')\n\nthreading.Thread(target=work, name='bg').start()\n")
	_, socket := startServingApp(t, e.dir)
	e.initialize(map[string]any{"attach": socket})
	e.waitReady()
	n := e.messageCount()
	e.save("state.py", "counter = 7\n")
	e.awaitMessage(n, "state reloaded")
	if h := hoverText(e.hover("state.py", 0, 2)); !strings.Contains(h, "```python\n7\n```") {
		t.Errorf("hover in the attached app = %q, want 7", h)
	}
	e.save("worker.py", readFile(t, e.path("worker.py")))
	d := e.awaitDiagnostics("worker.py", "the thread's failure", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	if d.Range.Start.Line != 3 || !strings.Contains(message(d), "KeyError: 'gone' (in thread bg)") {
		t.Errorf("diagnostic = line %d %q, want line 4, KeyError in thread bg", d.Range.Start.Line+1, message(d))
	}
}

// In the editor's own runtime too: a background thread that raises, and an
// asyncio task whose exception nobody retrieves, become diagnostics.
func TestRuntimeFailuresBecomeDiagnostics(t *testing.T) {
	e := newEditor(t, `
-- bg.py --
import threading

def work():
    return 1 / 0

threading.Thread(target=work).start()
-- tasks.py --
import asyncio

async def fail():
    raise ValueError("in a task")

async def main():
    asyncio.get_running_loop().create_task(fail())
    await asyncio.sleep(0.05)

asyncio.run(main())
`)
	e.initialize(nil)
	e.waitReady()
	e.save("bg.py", readFile(t, e.path("bg.py")))
	d := e.awaitDiagnostics("bg.py", "the thread's failure", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	if d.Range.Start.Line != 3 || !strings.HasPrefix(message(d), "ZeroDivisionError: division by zero (in thread Thread-") {
		t.Errorf("diagnostic = line %d %q, want line 4, ZeroDivisionError in a thread", d.Range.Start.Line+1, message(d))
	}
	e.save("tasks.py", readFile(t, e.path("tasks.py")))
	d = e.awaitDiagnostics("tasks.py", "the task's failure", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	if d.Range.Start.Line != 3 || !strings.Contains(message(d), "ValueError: in a task (in an asyncio task or callback") {
		t.Errorf("diagnostic = line %d %q, want line 4, ValueError in an asyncio task", d.Range.Start.Line+1, message(d))
	}
	// A save of the file clears its failure.
	n := e.messageCount()
	e.save("bg.py", "x = 1\n")
	e.awaitMessage(n, "bg reloaded")
	e.awaitDiagnostics("bg.py", "no diagnostics", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
}

// A failure of the save's own run is not cleared by that save's success.
func TestFailureOfTheSavingRunStays(t *testing.T) {
	e := newEditor(t, "-- bg.py --\nimport threading, time\n\ndef work():\n    raise KeyError('k')\n\nt = threading.Thread(target=work)\nt.start()\nt.join()\ntime.sleep(0.05)\n")
	e.initialize(nil)
	e.waitReady()
	n := e.messageCount()
	e.save("bg.py", readFile(t, e.path("bg.py")))
	e.awaitMessage(n, "bg reloaded")
	if d := e.awaitDiagnostics("bg.py", "the thread's failure", func(d []protocol.Diagnostic) bool { return len(d) == 1 }); !strings.Contains(message(d[0]), "KeyError") {
		t.Errorf("diagnostic %q, want the KeyError", message(d[0]))
	}
}

// A failure repeated in a tight loop ends as one diagnostic with the exact
// count, however its publications were spaced.
func TestRepeatedFailureCount(t *testing.T) {
	e := newEditor(t, "-- burst.py --\nimport logging\n\nlog = logging.getLogger('burst')\nfor i in range(100):\n    try:\n        {}[i]\n    except KeyError:\n        log.exception('request %d failed', i)\n")
	e.initialize(nil)
	e.waitReady()
	e.save("burst.py", readFile(t, e.path("burst.py")))
	e.awaitDiagnostics("burst.py", "one diagnostic counting 100", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && strings.Contains(message(d[0]), "(logged by burst; 100 times)")
	})
	if n := e.messagesContaining("KeyError"); n != 1 {
		t.Errorf("%d messages about the KeyError, want 1", n)
	}
}
