package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// appTimeout bounds the waits of the app tests: a framework's import on a
// loaded machine takes seconds. It guards against a hang, nothing more.
const appTimeout = 30 * time.Second

// appSession is runApp running in the background on a project folder.
type appSession struct {
	*session
}

// startApp writes files into a new folder and runs runApp there.
func startApp(t *testing.T, files map[string]string, opts appOptions) *appSession {
	t.Helper()
	s := &session{t: t, dir: t.TempDir(), done: make(chan error, 1)}
	for name, content := range files {
		s.write(name, content)
	}
	opts.Dir = s.dir
	ctx, cancel := context.WithCancel(t.Context())
	s.cancel = cancel
	go func() { s.done <- runApp(ctx, opts, &s.stdout, &s.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(appTimeout):
			t.Errorf("runApp did not return %v after its context was canceled", appTimeout)
		}
	})
	return &appSession{s}
}

// match waits until stdout or stderr has a match of re and returns its
// first submatch.
func (s *appSession) match(re *regexp.Regexp) string {
	s.t.Helper()
	var found string
	deadline := time.Now().Add(appTimeout)
	for {
		for _, text := range []string{s.stdout.String(), s.stderr.String()} {
			if m := re.FindStringSubmatch(text); m != nil {
				found = m[1]
				return found
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", re, s.stdout.String(), s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *appSession) pid() int {
	pid, _ := strconv.Atoi(s.match(regexp.MustCompile(`running python .* \(pid (\d+)\)`)))
	return pid
}

// children returns the processes whose parent is this test process.
func children(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command's closing parenthesis: state, ppid, ...
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) && fields[0] != "Z" {
			pids = append(pids, pid)
		}
	}
	return pids
}

var httpServerProject = map[string]string{
	"handlers.py": "def answer():\n    return 'v1'\n",
	"server.py": `import http.server, os, sys
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
    print("serving on port", server.server_address[1], "with", sys.argv[1:], flush=True)
    server.serve_forever()
`,
}

// `hotload app -- server.py`: the program serves, a save changes its
// answer in the same process, and Ctrl-C stops it and leaves no Python.
func TestAppServesAndSavesApply(t *testing.T) {
	before := len(children(t))
	s := startApp(t, httpServerProject, appOptions{Args: []string{"server.py", "--debug"}})
	pid := s.pid()
	port := s.match(regexp.MustCompile(`serving on port (\d+) with \['--debug'\]`))
	url := "http://127.0.0.1:" + port + "/"
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf("v1 %d", pid); got != want {
		t.Fatalf("GET = %q, want %q", got, want)
	}
	s.write("handlers.py", "def answer():\n    return 'v2'\n")
	s.waitStderr("hotload: handlers reloaded", 1)
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf("v2 %d", pid); got != want {
		t.Errorf("after the save, GET = %q, want %q from the same process", got, want)
	}
	// A save that fails is rolled back: the program goes on with the code before it.
	s.write("handlers.py", "def answer():\n    return 'broken'\n\nraise RuntimeError('half-written')\n")
	s.waitStderr("the save was rolled back and the previous code still runs", 1)
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf("v2 %d", pid); got != want {
		t.Errorf("after a failed save, GET = %q, want %q", got, want)
	}
	// A file the program has not imported is not run.
	s.write("unused.py", "raise SystemExit('ran')\n")
	s.write("handlers.py", "def answer():\n    return 'v3'\n")
	s.waitStderr("hotload: handlers reloaded", 2)
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf("v3 %d", pid); got != want {
		t.Errorf("GET = %q, want %q", got, want)
	}
	if strings.Contains(s.stderr.String(), "unused") {
		t.Errorf("unused.py ran:\n%s", s.stderr.String())
	}

	if err := s.stop(); err != nil {
		t.Errorf("runApp = %v after Ctrl-C, want nil", err)
	}
	if !strings.Contains(s.stderr.String(), "hotload: stopping the app") || !strings.Contains(s.stdout.String()+s.stderr.String(), "KeyboardInterrupt") {
		t.Errorf("Ctrl-C should stop the app with a KeyboardInterrupt, as python would:\nstdout:\n%s\nstderr:\n%s", s.stdout.String(), s.stderr.String())
	}
	pyruntimetest.WaitGone(t, pid, appTimeout)
	if got := children(t); len(got) > before {
		t.Errorf("processes left behind: %v", got)
	}
}

// An app that exits says so with its status; a save does not start it
// again, unless --restart-on-exit.
func TestAppExit(t *testing.T) {
	files := map[string]string{"prog.py": "import sys, helper\nprint('run', helper.N, flush=True)\nsys.exit(3)\n", "helper.py": "N = 1\n"}
	s := startApp(t, files, appOptions{Args: []string{"prog.py"}})
	s.waitStderr("hotload: the app exited with status 3; Ctrl-C quits", 1)
	s.write("helper.py", "N = 2\n")
	s.waitStderr("the app is not running, so helper.py is not applied", 1)
	if strings.Contains(s.stdout.String(), "run 2") {
		t.Errorf("the app ran again without --restart-on-exit:\n%s", s.stdout.String())
	}

	s = startApp(t, files, appOptions{Args: []string{"prog.py"}, RestartOnExit: true})
	s.waitStderr("hotload: the app exited with status 3; a save starts it again", 1)
	s.write("helper.py", "N = 2\n")
	s.waitStdout("run 2")
	s.waitStderr("hotload: the app exited with status 3", 2)
}

// --fresh restarts the app on a save of a file it has loaded.
func TestAppFresh(t *testing.T) {
	s := startApp(t, httpServerProject, appOptions{Args: []string{"server.py"}, Fresh: true})
	first := s.pid()
	s.match(regexp.MustCompile(`serving on port (\d+)`))
	s.write("handlers.py", "def answer():\n    return 'v2'\n")
	pid, _ := strconv.Atoi(s.match(regexp.MustCompile(`restarted the app for handlers.py \(pid (\d+)\)`)))
	if pid == first || pid == 0 {
		t.Errorf("restarted as pid %d, want a new process (was %d)", pid, first)
	}
	pyruntimetest.WaitGone(t, first, appTimeout)
	var port string
	s.waitFor("the restarted app's port", func(stdout, _ string) bool {
		ports := regexp.MustCompile(`serving on port (\d+)`).FindAllStringSubmatch(stdout, -1)
		if len(ports) < 2 {
			return false
		}
		port = ports[len(ports)-1][1]
		return true
	})
	if got, want := pyruntimetest.MustGet(t, "http://127.0.0.1:"+port+"/"), fmt.Sprintf("v2 %d", pid); got != want {
		t.Errorf("GET = %q, want %q", got, want)
	}
}

// FastAPI under uvicorn: Ctrl-C is uvicorn's own graceful shutdown.
func TestAppUvicorn(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "fastapi", "uvicorn")
	files := map[string]string{"main.py": `import os
from fastapi import FastAPI

app = FastAPI()

@app.get("/")
def index():
    return "v1 %d" % os.getpid()
`}
	s := startApp(t, files, appOptions{Python: []string{python}, Args: []string{"-m", "uvicorn", "main:app", "--port", "0"}})
	pid := s.pid()
	port := s.match(regexp.MustCompile(`Uvicorn running on http://127\.0\.0\.1:(\d+)`))
	url := "http://127.0.0.1:" + port + "/"
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf(`"v1 %d"`, pid); got != want {
		t.Fatalf("GET = %q, want %q", got, want)
	}
	s.write("main.py", strings.Replace(files["main.py"], "v1", "v2", 1))
	s.waitStderr("hotload: main reloaded", 1)
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf(`"v2 %d"`, pid); got != want {
		t.Errorf("after the save, GET = %q, want %q", got, want)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.stderr.String(), "Finished server process") {
		t.Errorf("uvicorn did not shut down by itself:\n%s\nstdout:\n%s", s.stderr.String(), s.stdout.String())
	}
	pyruntimetest.WaitGone(t, pid, appTimeout)
}

// Django's development server (`manage.py runserver --noreload`): a save
// of a view changes the next answer in the same process; Ctrl-C stops it.
func TestAppDjango(t *testing.T) {
	python := pyruntimetest.VenvPython(t, "django")
	views := "import os\nfrom django.http import HttpResponse\n\n\ndef index(request):\n    return HttpResponse('v1 %d' % os.getpid())\n"
	files := map[string]string{
		"manage.py": "import os\nimport sys\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_.settings')\n" +
			"from django.core.management import execute_from_command_line\n\nexecute_from_command_line(sys.argv)\n",
		"site_/__init__.py": "",
		"site_/settings.py": "SECRET_KEY = 'test'\nDEBUG = True\nALLOWED_HOSTS = ['127.0.0.1']\nROOT_URLCONF = 'site_.urls'\n" +
			"INSTALLED_APPS = []\nMIDDLEWARE = []\nDATABASES = {}\nUSE_TZ = True\n",
		"site_/urls.py":  "from django.urls import path\n\nfrom site_ import views\n\nurlpatterns = [path('', views.index)]\n",
		"site_/views.py": views,
	}
	port := freePort(t)
	s := startApp(t, files, appOptions{Python: []string{python}, Args: []string{"manage.py", "runserver", "127.0.0.1:" + port, "--noreload"}})
	pid := s.pid()
	s.match(regexp.MustCompile(`(Quit the server with CONTROL-C)`))
	url := "http://127.0.0.1:" + port + "/"
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf("v1 %d", pid); got != want {
		t.Fatalf("GET = %q, want %q", got, want)
	}
	s.write("site_/views.py", strings.Replace(views, "v1", "v2", 1))
	s.waitStderr("hotload: site_.views reloaded", 1)
	if got, want := pyruntimetest.MustGet(t, url), fmt.Sprintf("v2 %d", pid); got != want {
		t.Errorf("after the save, GET = %q, want %q from the same process", got, want)
	}
	if err := s.stop(); err != nil {
		t.Errorf("runApp = %v after Ctrl-C, want nil", err)
	}
	pyruntimetest.WaitGone(t, pid, appTimeout)
}

// freePort returns a TCP port on the loopback that was free a moment ago,
// for a server that cannot be told to pick one (Django's runserver prints
// the port it was given, not the one it got).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func TestAppUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"app"}, 2, "missing the program"},
		{[]string{"app", "-m", "flask"}, 2, "flag provided but not defined: -m"},
		{[]string{"app", "-h"}, 0, "hotload app -- -m uvicorn main:app --port 8000"},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		if code := run(t.Context(), tt.args, strings.NewReader(""), &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("hotload %s = %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, stderr.String(), tt.code, tt.want)
		}
	}
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	err := runApp(t.Context(), appOptions{Args: []string{"missing.py"}, Dir: dir}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "can't open file") {
		t.Errorf("runApp of a missing script = %v, want can't open file", err)
	}
}
