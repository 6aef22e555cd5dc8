package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

func TestCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.py")
	if err := os.WriteFile(lib, []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args       []string
		code       int
		wantStderr string
		needPython bool
	}{
		{nil, 2, "Usage:", false},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`, false},
		{[]string{"run"}, 2, "hotload run: missing FILE", false},
		{[]string{"run", filepath.Join(dir, "notes.txt")}, 2, "must be a Python file ending in .py", false},
		{[]string{"run", filepath.Join(dir, "missing.py")}, 2, "no such file or directory", false},
		{[]string{"run", dir + "/"}, 2, "must be a Python file", false},
		{[]string{"run", lib, lib}, 2, "too many arguments: want one FILE, got 2", false},
		{[]string{"run", lib, "--preload", "numpy"}, 2, "flags go before FILE", false},
		{[]string{"run", "--bogus", lib}, 2, "flag provided but not defined: -bogus", false},
		{[]string{"run", "--log-level", "loud", lib}, 2, `unknown level "loud"`, false},
		{[]string{"run", "-h"}, 0, "usage: hotload run", false},
		{[]string{"run", "--python", filepath.Join(dir, "no-such-python"), lib}, 1, "hotload: cannot start Python. The configured Python", false},
		{[]string{"version", "extra"}, 2, `unexpected argument "extra"`, false},
		{[]string{"agent", "extra"}, 2, `unexpected argument "extra"`, false},
		{[]string{"lsp", "--log-level", "bogus"}, 2, `invalid value "bogus" for flag -log-level`, false},
		{[]string{"lsp", "extra"}, 2, `unexpected argument "extra"`, false},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), tt.args, nil, &stdout, &stderr)
		if code != tt.code {
			t.Errorf("hotload %q: exit code %d, want %d; stderr:\n%s", tt.args, code, tt.code, stderr.String())
		}
		if !strings.Contains(stderr.String(), tt.wantStderr) {
			t.Errorf("hotload %q: stderr lacks %q:\n%s", tt.args, tt.wantStderr, stderr.String())
		}
		if stdout.Len() > 0 {
			t.Errorf("hotload %q: wrote %q to stdout, want nothing", tt.args, stdout.String())
		}
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}, {"-v"}, {"-V"}} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), args, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("hotload %q: exit code %d; stderr:\n%s", args, code, stderr.String())
		}
		got := stdout.String()
		if !strings.HasPrefix(got, "hotload ") || !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 1 {
			t.Errorf("hotload %q printed %q, want one line \"hotload <version>\"", args, got)
		}
	}
}

// Help that is asked for goes to stdout and exits 0; "help COMMAND" shows
// that command's flags.
func TestHelpCommand(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // in stdout or stderr
	}{
		{[]string{"help"}, "Usage:"},
		{[]string{"--help"}, "Usage:"},
		{[]string{"-h"}, "Usage:"},
		{[]string{"help", "run"}, "usage: hotload run"},
		{[]string{"help", "lsp"}, "-log-level"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), tt.args, nil, &stdout, &stderr); code != 0 {
			t.Errorf("hotload %q: exit code %d, want 0; stderr:\n%s", tt.args, code, stderr.String())
		}
		if !strings.Contains(stdout.String()+stderr.String(), tt.want) {
			t.Errorf("hotload %q printed %q and %q, want %q", tt.args, stdout.String(), stderr.String(), tt.want)
		}
		if tt.args[0] != "help" || len(tt.args) == 1 {
			if !strings.Contains(stdout.String(), "Usage:") {
				t.Errorf("hotload %q: usage not on stdout (stdout %q)", tt.args, stdout.String())
			}
		}
	}
}

// hotload agent prints a Python module an app can import: importing it
// defines serve and serve_in_thread and does nothing else.
func TestAgentCommand(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"agent"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("hotload agent: exit code %d; stderr:\n%s", code, stderr.String())
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hotload_agent.py"), stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", "import hotload_agent, sys; print(callable(hotload_agent.serve), callable(hotload_agent.serve_in_thread), sys.stdin is sys.__stdin__)")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "True True True\n" {
		t.Errorf("importing the agent printed %q (%v), want True True True: serve functions, nothing taken over", out, err)
	}
}

func TestLSPFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want error
	}{
		{[]string{"--log-level", "bogus"}, errUsage},
		{[]string{"--log-level", "fatal"}, errUsage},
		{[]string{"--log-file"}, errUsage},
		{[]string{"stdio"}, errUsage},
		{[]string{"-h"}, nil}, // flag.ErrHelp, checked below
	} {
		var stdin, stdout, stderr bytes.Buffer
		err := runLSP(t.Context(), tt.args, &stdin, &stdout, &stderr)
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("runLSP(%q) = %v, want %v", tt.args, err, tt.want)
		}
		if tt.want == nil && err == nil {
			t.Errorf("runLSP(%q) = nil, want flag.ErrHelp", tt.args)
		}
		if stdout.Len() > 0 {
			t.Errorf("runLSP(%q) wrote %q to stdout, which belongs to the protocol", tt.args, stdout.String())
		}
	}
}

func TestLSPLogsToFile(t *testing.T) {
	t.Parallel()
	// The start of a session is logged to the file as JSON, not to stderr
	// or stdout. The stream stays open until the test is done with it.
	logFile := filepath.Join(t.TempDir(), "hotload.log")
	stdin, stdinW := io.Pipe()
	defer stdinW.Close()
	var stdout, stderr pyruntimetest.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- runLSP(ctx, []string{"--log-file", logFile, "--log-level", "debug"}, stdin, &stdout, &stderr)
	}()

	deadline := time.Now().Add(waitTimeout)
	for {
		log, _ := os.ReadFile(logFile) // not created yet at first
		if strings.Contains(string(log), `"msg":"hotload lsp starting"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log file lacks the start entry as JSON:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	stdinW.Close()
	select {
	case <-done: // how a session ends is package lsp's business
	case <-time.After(waitTimeout):
		t.Fatalf("runLSP did not return after its context was canceled and stdin closed")
	}
	if strings.Contains(stderr.String(), "starting") {
		t.Errorf("stderr has log entries although --log-file is set:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String(), "starting") {
		t.Errorf("stdout has log entries:\n%s", stdout.String())
	}
}

func TestFileListSource(t *testing.T) {
	t.Parallel()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	regular, err := os.CreateTemp(t.TempDir(), "list")
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	closed, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	var nilFile *os.File

	for _, tt := range []struct {
		name  string
		stdin io.Reader
		list  bool
	}{
		{"char device", devNull, false},
		{"closed", closed, false},
		{"nil file", nilFile, false},
		{"pipe", pr, true},
		{"regular file", regular, true},
		{"buffer", &bytes.Buffer{}, true},
	} {
		if got := fileListSource(tt.stdin) != nil; got != tt.list {
			t.Errorf("fileListSource(%s) reads a list: %v, want %v", tt.name, got, tt.list)
		}
	}
}

// TestMain lets a test run hotload as a child process without building it:
// the test binary re-runs itself with HOTLOAD_TEST_MAIN=1 and runs main.
// The tests run the Python $HOTLOAD_TEST_PYTHON names, if set.
func TestMain(m *testing.M) {
	if os.Getenv("HOTLOAD_TEST_MAIN") == "1" {
		os.Args = append([]string{"hotload"}, os.Args[1:]...)
		main()
	}
	os.Exit(pyruntimetest.Main(m))
}

// The terminal's commands stopped by a signal exit as a shell reports a
// program the signal ended (130 for Ctrl-C), so that scripts and `make` see
// the stop; ended otherwise, they end well.
func TestExitCodeAfterASignal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.py")
	if err := os.WriteFile(lib, []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args  []string
		cause error // of the context's end; nil for a plain cancel
		want  int
	}{
		{[]string{"run", lib}, stopSignal{os.Interrupt}, 130},
		{[]string{"run", lib}, stopSignal{syscall.SIGTERM}, 143},
		{[]string{"run", lib}, nil, 0},
		{[]string{"app", "--", lib}, stopSignal{os.Interrupt}, 130},
	} {
		ctx, cancel := context.WithCancelCause(t.Context())
		cancel(tt.cause)
		var stdout, stderr bytes.Buffer
		if code := run(ctx, tt.args, nil, &stdout, &stderr); code != tt.want {
			t.Errorf("hotload %q stopped by %v: exit code %d, want %d; stderr:\n%s", tt.args, tt.cause, code, tt.want, stderr.String())
		}
	}
}

// TestMainProcess runs hotload as a process, to check how main wires the
// real stdin (a list on a pipe is read; /dev/null and an empty pipe mean the
// default watch set) and that SIGINT stops it with exit code 130.
func TestMainProcess(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not on PATH")
	}
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.py")
	if err := os.WriteFile(lib, []byte("print('hi')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		stdin string // "" means /dev/null
		want  string
	}{
		{"dev null", "", "hotload: watching 1 .py file under"},
		{"pipe", lib + "\n", "hotload: watching 1 file listed on stdin"},
		{"empty pipe", "\n", "hotload: watching 1 .py file under"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "run", lib)
			cmd.Env = append(os.Environ(), "HOTLOAD_TEST_MAIN=1")
			if tt.stdin != "" {
				cmd.Stdin = strings.NewReader(tt.stdin)
			}
			var stdout, stderr pyruntimetest.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{tt.want, "hotload: lib loaded in"} {
				deadline := time.Now().Add(waitTimeout)
				for !strings.Contains(stderr.String(), want) {
					if time.Now().After(deadline) {
						t.Fatalf("timed out waiting for %q on stderr:\n%s", want, stderr.String())
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			var exit *exec.ExitError
			if err := cmd.Wait(); !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("hotload run after SIGINT: %v, want exit code 130, as a shell gives a program Ctrl-C ends; stderr:\n%s", err, stderr.String())
			}
			if got := stdout.String(); got != "hi\n" {
				t.Errorf("stdout = %q, want %q", got, "hi\n")
			}
		})
	}
}

// Regression: `hotload lsp` hung after shutdown and exit while the editor
// kept its stdin open (Neovim does), because closing the connection waited
// for a read blocked on the pipe.
func TestLSPExitsWithStdinStillOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(cmd *exec.Cmd, send func(string))
		want int // exit code
	}{
		{"shutdown and exit", func(_ *exec.Cmd, send func(string)) {
			send(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)
			send(`{"jsonrpc":"2.0","method":"exit"}`)
		}, 0},
		{"exit without shutdown", func(_ *exec.Cmd, send func(string)) {
			send(`{"jsonrpc":"2.0","method":"exit"}`)
		}, 1},
		{"SIGTERM", func(cmd *exec.Cmd, _ func(string)) {
			cmd.Process.Signal(syscall.SIGTERM)
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "lsp")
			cmd.Env = append(os.Environ(), "HOTLOAD_TEST_MAIN=1")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close() // only after the server is gone
			var stdout, stderr pyruntimetest.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			send := func(body string) {
				fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(body), body)
			}
			send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`)
			deadline := time.Now().Add(waitTimeout)
			for !strings.Contains(stdout.String(), `"id":1`) {
				if time.Now().After(deadline) {
					t.Fatalf("no initialize reply; stderr:\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
			tt.end(cmd, send)

			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				code := 0
				var exit *exec.ExitError
				if errors.As(err, &exit) {
					code = exit.ExitCode()
				}
				if code != tt.want {
					t.Errorf("exit code %d (%v), want %d; stderr:\n%s", code, err, tt.want, stderr.String())
				}
			case <-time.After(waitTimeout):
				cmd.Process.Kill()
				t.Fatalf("hotload lsp still running with its stdin open; stderr:\n%s", stderr.String())
			}
		})
	}
}
