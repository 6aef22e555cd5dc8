package pyruntime

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// app is a running Python program that serves the agent, as a user's
// long-lived app would after `hotload agent > hotload_agent.py`.
type app struct {
	cmd    *exec.Cmd
	socket string
	dir    string
	stderr *pyruntimetest.Buffer
}

// startApp runs a Python app in a new folder that calls serve (from its main
// thread) or serve_in_thread (then keeps its main thread busy with its own
// loop) and waits until the socket and token are there.
func startApp(t *testing.T, call string) *app {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hotload_agent.py"), []byte(AgentSource()), 0o644); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "app.sock")
	main := "import sys, time\nimport hotload_agent\nhotload_agent." + call + "(sys.argv[1])\nwhile True:\n    time.sleep(0.05)\n"
	writeModule(t, dir, "app", main)
	a := &app{socket: socket, dir: dir, stderr: new(pyruntimetest.Buffer)}
	a.cmd = exec.Command("python3", filepath.Join(dir, "app.py"), socket)
	a.cmd.Dir = dir
	a.cmd.Stderr = a.stderr
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.cmd.Process.Kill()
		a.cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(socket + ".token"); err == nil {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app did not serve; stderr:\n%s", a.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAttachedAppWorksLikeALocalRuntime(t *testing.T) {
	t.Parallel()
	for _, call := range []string{"serve", "serve_in_thread"} {
		t.Run(call, func(t *testing.T) {
			a := startApp(t, call)
			r := newRuntime(t, Config{Attach: a.socket, SysPath: []string{a.dir}})
			path := writeModule(t, a.dir, "lib", "import os\nstate = globals().get('state', 0) + 1\nprint('run', state)\n(os.getpid(), state)\n")

			reply, out, err := reload(t, r, "lib", path)
			if err != nil || reply.Error != nil {
				t.Fatalf("reload in the app: %v %v", err, reply.Error)
			}
			if want := "(" + strconv.Itoa(a.cmd.Process.Pid) + ", 1)"; valueOf(reply) != want || out != "run 1\n" {
				t.Errorf("reload = %s with output %q, want %s and run 1: the code ran in the app", valueOf(reply), out, want)
			}
			if reply, _, _ := reload(t, r, "lib", path); valueOf(reply) != "("+strconv.Itoa(a.cmd.Process.Pid)+", 2)" {
				t.Errorf("second reload = %s, want state 2: module state lives on in the app", valueOf(reply))
			}
			// Errors carry their traceback as for a local runtime.
			bad := writeModule(t, a.dir, "bad", "x = 1 / 0\n")
			if reply, _, _ := reload(t, r, "bad", bad); reply.Error == nil || reply.Error.Type != "ZeroDivisionError" || len(reply.Error.Frames) == 0 {
				t.Errorf("reload of bad = %+v, want ZeroDivisionError with frames", reply.Error)
			}
			// Interrupt stops a loop without touching the app's signals.
			loop := writeModule(t, a.dir, "loop", "while True:\n    pass\n")
			done := make(chan Reply, 1)
			go func() {
				reply, _, _ := reload(t, r, "loop", loop)
				done <- reply
			}()
			waitBusy(t, r)
			if ok, err := r.Interrupt(context.Background()); !ok || err != nil {
				t.Fatalf("Interrupt = %v, %v", ok, err)
			}
			select {
			case reply := <-done:
				if reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" {
					t.Errorf("interrupted loop = %+v, want KeyboardInterrupt", reply.Error)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the loop did not stop")
			}
			if err := r.Restart(context.Background()); !errors.Is(err, ErrNoRestart) {
				t.Errorf("Restart = %v, want ErrNoRestart", err)
			}
			// Closing detaches; the app lives on.
			r.Close()
			time.Sleep(50 * time.Millisecond)
			if pyruntimetest.Gone(a.cmd.Process.Pid) {
				t.Errorf("the app ended when hotload detached")
			}
		})
	}
}

func TestAttachRefusesWhatOthersCouldUse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spoil   func(t *testing.T, a *app)
		wantErr string
	}{
		{"a wrong token", func(t *testing.T, a *app) {
			if err := os.WriteFile(a.socket+".token", []byte("0123"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "the app refused the connection: wrong token"},
		{"a token others can read", func(t *testing.T, a *app) {
			if err := os.Chmod(a.socket+".token", 0o644); err != nil {
				t.Fatal(err)
			}
		}, "app.sock.token is open to other users (mode 0644)"},
		{"a socket others can connect to", func(t *testing.T, a *app) {
			if err := os.Chmod(a.socket, 0o666); err != nil {
				t.Fatal(err)
			}
		}, "app.sock is open to other users (mode 0666)"},
		{"no app", func(t *testing.T, a *app) {
			a.cmd.Process.Kill()
			a.cmd.Wait()
		}, "is the app running and serving?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startApp(t, "serve_in_thread")
			tt.spoil(t, a)
			r := newRuntime(t, Config{Attach: a.socket})
			err := r.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Start = %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.name == "a wrong token" {
				waitStderr(t, a, "refused a connection")
			}
		})
	}
}

// The app exits while attached: the editor is told, nothing is restarted,
// and the next request says the app is gone.
func TestAttachedAppExiting(t *testing.T) {
	t.Parallel()
	a := startApp(t, "serve_in_thread")
	exited := make(chan error, 1)
	r := newRuntime(t, Config{Attach: a.socket, OnExit: func(err error) { exited <- err }})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.cmd.Process.Kill()
	a.cmd.Wait()
	select {
	case err := <-exited:
		if !errors.Is(err, ErrDetached) {
			t.Errorf("OnExit(%v), want ErrDetached", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnExit not called when the attached app exited")
	}
	// The watcher decides on a restart before it calls OnExit: one would
	// be under way now.
	r.mu.Lock()
	starting := r.starting != nil
	r.mu.Unlock()
	if pids := r.Pids(); starting || len(pids) != 0 {
		t.Errorf("processes %v (a start under way: %v) after the app exited, want none: nothing is restarted", pids, starting)
	}
	if _, err := r.Call(context.Background(), Request{Op: "ping"}, nil); err == nil || !strings.Contains(err.Error(), "is the app running") {
		t.Errorf("Call after the app exited = %v, want an error saying the app is not serving", err)
	}
}

func waitStderr(t *testing.T, a *app, substr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(a.stderr.String(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("the app's stderr lacks %q:\n%s", substr, a.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
