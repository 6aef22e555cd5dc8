package lsp

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime"
)

func TestAttachSetting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    Settings
		problem string
	}{
		{`{"attach": "/run/user/1000/hotload/app-42.sock"}`, Settings{Attach: "/run/user/1000/hotload/app-42.sock"}, ""},
		{`{"attach": ""}`, Settings{}, ""},
		{`{"attach": "app.sock"}`, Settings{}, "attach: want the absolute path of the app's socket"},
		{`{"attach": 42}`, Settings{}, "attach: want the absolute path of the app's socket"},
	}
	for _, tt := range tests {
		got, problems := parseSettings([]byte(tt.raw))
		if !reflect.DeepEqual(got, tt.want) || strings.Join(problems, "; ") != tt.problem {
			t.Errorf("parseSettings(%s) = %+v, %q; want %+v, %q", tt.raw, got, problems, tt.want, tt.problem)
		}
	}
}

// startServingApp runs a Python app in dir that imports the agent and
// serves it from a thread while its main thread goes on, and returns the
// app and its socket once it serves.
func startServingApp(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "hotload_agent.py"), pyruntime.AgentSource())
	socket := filepath.Join(t.TempDir(), "app.sock")
	app := exec.Command("python3", "-c", "import sys, time, hotload_agent\nhotload_agent.serve_in_thread(sys.argv[1])\nwhile True:\n    time.sleep(0.05)\n", socket)
	app.Dir = dir
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		app.Process.Kill()
		app.Wait()
	})
	deadline := time.Now().Add(waitTimeout)
	for {
		if _, err := os.Stat(socket + ".token"); err == nil {
			return app, socket
		}
		if time.Now().After(deadline) {
			t.Fatal("the app did not start serving")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An editor attached to a running app: saves run in the app, errors land on
// the lines, a restart is refused, and the app's exit is reported.
func TestAttachedAppThroughTheEditor(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nx = 1\n")
	app, socket := startServingApp(t, e.dir)
	e.initialize(map[string]any{"attach": socket})
	e.waitReady()

	e.save("lib.py", "import os\nprint('in', os.getpid())\n")
	if msg := e.awaitMessage(0, "lib "); !strings.Contains(msg.Message, "in "+strconv.Itoa(app.Process.Pid)) {
		t.Errorf("message %q, want the app's pid %d: the code ran in the app", msg.Message, app.Process.Pid)
	}
	e.save("lib.py", "import os\n\nx = 1 / 0\n")
	e.awaitDiagnostics("lib.py", "the division's error", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Range.Start.Line == 2
	})
	if err := e.command("hotload.restartRuntime", nil); err == nil || !strings.Contains(err.Error(), "does not restart an app it attached to") {
		t.Errorf("restartRuntime = %v, want a refusal", err)
	}

	n := e.messageCount()
	app.Process.Kill()
	app.Wait()
	if msg := e.awaitMessage(n, "attached app closed the connection"); msg.Type != protocol.MessageTypeWarning {
		t.Errorf("message %v %q, want a Warning", msg.Type, msg.Message)
	}

	// A save while the app is gone says nothing started in its place.
	n = e.messageCount()
	e.save("lib.py", "x = 2\n")
	msg := e.awaitMessage(n, "attach")
	if !strings.Contains(msg.Message, "no runtime runs in its place") || strings.Contains(msg.Message, "started a fresh runtime") {
		t.Errorf("message %q, want that no runtime runs in the app's place", msg.Message)
	}
}
