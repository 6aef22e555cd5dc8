package lsp

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The fault suite: code a user may save by mistake. For each fault the
// server keeps serving, tells the editor what happened in a few words,
// keeps what was loaded before, and runs the next good save as usual.
// Faults that kill the runtime are in TestRuntimeDeathIsReportedAndNextSaveWorks,
// endless loops in TestInterruptStopsEndlessLoop.

// faultModule is lib.py's good version: the state a fault must not lose.
const faultModule = "value = 1\n"

// Limits on what a fault may put in front of the user: a message is a
// glance and a file's diagnostics are a handful, however deep the failure.
const (
	maxMessageLen     = 300
	maxDiagnostics    = 20
	maxDiagnosticText = 300
)

// Regression: an endless recursion gave one diagnostic per frame, nearly a
// thousand, each linking all the others: a million related locations.
func TestFaultsAreReportedAndTheNextSaveWorks(t *testing.T) {
	t.Parallel()
	// Python 3.14 reads a file that is not UTF-8 as a wrong source
	// encoding (PEP 263) rather than as a string it cannot decode.
	notUTF8 := "SyntaxError: (unicode error) 'utf-8' codec can't decode byte 0xff"
	if pyruntimetest.AtLeast(t, 3, 14) {
		notUTF8 = `SyntaxError: Non-UTF-8 code starting with '\xff' on line 2, but no encoding declared`
	}
	tests := []struct {
		name   string
		source string
		want   string // the start of the Error message after "lib: "
	}{
		{"endless recursion", "value = 2\n\n\ndef f():\n    return f()\n\n\nf()\n", "RecursionError: maximum recursion depth exceeded"},
		{"mutual recursion", "value = 2\n\n\ndef f():\n    return g()\n\n\ndef g():\n    return f()\n\n\nf()\n", "RecursionError: maximum recursion depth exceeded"},
		// The Go string holds the bytes 0xff 0xfe as they are: not UTF-8.
		{"not UTF-8 in a string", "value = 2\nx = '\xff\xfe'\n", notUTF8},
		{"sys.exit(2)", "import sys\n\nvalue = 2\nsys.exit(2)\n", "SystemExit: 2"},
		{"bare raise SystemExit", "value = 2\nraise SystemExit\n", "SystemExit"},
		{"input() with no terminal", "value = 2\nname = input('name? ')\n", "EOFError: EOF when reading a line"},
	}
	e := newEditor(t, "-- lib.py --\n"+faultModule)
	e.initialize(nil)
	pid := e.waitReady()
	e.save("lib.py", faultModule)
	e.awaitMessage(0, "lib reloaded")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			n := e.messageCount()
			e.save("lib.py", tt.source)
			msg := e.awaitMessage(n, "lib: ")
			if msg.Type != protocol.MessageTypeError || !strings.HasPrefix(msg.Message, "lib: "+tt.want) || len(msg.Message) > maxMessageLen {
				t.Errorf("message = %v %q, want a short Error starting %q", msg.Type, msg.Message, "lib: "+tt.want)
			}
			diags := e.awaitDiagnostics("lib.py", "an Error", func(d []protocol.Diagnostic) bool { return len(d) > 0 })
			checkFaultDiagnostics(t, diags, tt.want)

			// Nothing is lost: the module is as the last good save left it.
			var got evaluation
			if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "value"); err != nil {
				t.Fatal(err)
			}
			if got.Value == nil || *got.Value != "1" {
				t.Errorf("value after the fault = %s (error %s), want the last good save's 1", deref(got.Value), deref(got.Error))
			}

			n = e.messageCount()
			e.save("lib.py", faultModule)
			e.awaitMessage(n, "lib reloaded")
			e.awaitDiagnostics("lib.py", "none", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
			t.Logf("%q, %d diagnostics; recovered in %v", msg.Message, len(diags), time.Since(began))
		})
	}
	if st := e.lastStatus(); st.Pid != pid {
		t.Errorf("runtime pid %d after the faults, want the same %d: none of them needs a restart", st.Pid, pid)
	}
}

// checkFaultDiagnostics checks a fault's diagnostics are few, short, and
// that one Error names the exception.
func checkFaultDiagnostics(t *testing.T, diags []protocol.Diagnostic, want string) {
	t.Helper()
	if len(diags) >= maxDiagnostics {
		t.Errorf("%d diagnostics, want fewer than %d", len(diags), maxDiagnostics)
	}
	errs := 0
	for _, d := range diags {
		if len(message(d)) > maxDiagnosticText {
			t.Errorf("diagnostic message of %d bytes, want at most %d: %.100q…", len(message(d)), maxDiagnosticText, message(d))
		}
		if len(d.RelatedInformation) >= maxDiagnostics {
			t.Errorf("diagnostic with %d related locations, want fewer than %d", len(d.RelatedInformation), maxDiagnostics)
		}
		if d.Severity == protocol.DiagnosticSeverityError {
			errs++
			if !strings.HasPrefix(message(d), want) {
				t.Errorf("Error diagnostic %q, want it to start %q", message(d), want)
			}
		}
	}
	if errs != 1 {
		t.Errorf("%d Error diagnostics, want 1 (all: %v)", errs, diags)
	}
}

// A thread the code leaves running belongs to no later reload: what it
// prints is logged as background output, never shown as another module's
// result, and stopping the server still ends the process it runs in.
// Regression: the thread's print was shown as the result of whichever
// module was reloading at the time.
func TestLeftoverThreadOutputIsBackground(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- spinner.py --\n-- other.py --\n")
	e.initialize(nil)
	pid := e.waitReady()
	// The thread prints only while other.py runs: the gate files make the
	// overlap certain instead of timed.
	start, printed := e.path("start"), e.path("printed")
	e.save("spinner.py", fmt.Sprintf(`import os, threading, time


def spin():
    while not os.path.exists(%q):
        time.sleep(0.01)
    print('tick from the thread')
    open(%q, 'w').close()
    time.sleep(1000)


threading.Thread(target=spin).start()
'started'
`, start, printed))
	if msg := e.awaitMessage(0, "spinner"); msg.Type != protocol.MessageTypeInfo || !strings.HasSuffix(msg.Message, ": 'started'") {
		t.Errorf("message = %v %q, want spinner reloaded with 'started'", msg.Type, msg.Message)
	}

	began := time.Now()
	n := e.messageCount()
	e.save("other.py", fmt.Sprintf("import os, time\nopen(%q, 'w').close()\nwhile not os.path.exists(%q):\n    time.sleep(0.01)\n'done'\n", start, printed))
	msg := e.awaitMessage(n, "other")
	if msg.Type != protocol.MessageTypeInfo || !strings.HasSuffix(msg.Message, ": 'done'") || strings.Contains(msg.Message, "tick") {
		t.Errorf("message = %v %q, want other reloaded with only its own 'done'", msg.Type, msg.Message)
	}
	e.awaitLog("background: tick from the thread")
	e.mu.Lock()
	for _, l := range e.logs {
		if strings.Contains(l.Message, "other: tick") {
			t.Errorf("log %q: the thread's output is logged as other's", l.Message)
		}
	}
	e.mu.Unlock()

	// The module that started the thread saves again as usual.
	n = e.messageCount()
	e.save("spinner.py", "'stopped spinning'\n")
	e.awaitMessage(n, "spinner reloaded")
	t.Logf("recovered in %v", time.Since(began))

	if st := e.lastStatus(); st.Pid != pid {
		t.Errorf("runtime pid %d, want the same %d", st.Pid, pid)
	}
	pids := runtimeProcesses(t, pid)
	e.shutdown()
	for _, p := range pids {
		pyruntimetest.WaitGone(t, p, waitTimeout)
	}
}

// runtimeProcesses returns pid and, if the runtime was forked from a
// zygote, the zygote's pid too: neither may outlive the server.
func runtimeProcesses(t *testing.T, pid int) []int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("runtime process %d: %v", pid, err)
	}
	pids := []int{pid}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			if ppid, _ := strconv.Atoi(strings.TrimSpace(v)); ppid != os.Getpid() && ppid > 1 {
				pids = append(pids, ppid)
			}
		}
	}
	return pids
}

// A huge generated file (a data table, say) loads like any other; only
// the wait is longer. How much longer is logged, not asserted.
func TestHugeModuleLoads(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("parses 10 MB of Python")
	}
	var src strings.Builder
	src.WriteString("value = 2\ntable = [\n")
	for i := 0; src.Len() < 10<<20; i++ {
		fmt.Fprintf(&src, "    %d,\n", i)
	}
	src.WriteString("]\nlen(table)\n")

	e := newEditor(t, "-- lib.py --\n"+faultModule)
	e.initialize(nil)
	e.waitReady()
	e.save("lib.py", faultModule)
	e.awaitMessage(0, "lib reloaded")

	began := time.Now()
	n := e.messageCount()
	e.save("lib.py", src.String())
	msg := awaitMessageWithin(e, n, "lib", 5*waitTimeout)
	took := time.Since(began)
	if msg.Type != protocol.MessageTypeInfo || !strings.HasPrefix(msg.Message, "lib reloaded in ") || len(msg.Message) > maxMessageLen {
		t.Errorf("message = %v %.300q (%d bytes), want a short Info that lib reloaded", msg.Type, msg.Message, len(msg.Message))
	}
	n = e.messageCount()
	e.save("lib.py", faultModule)
	e.awaitMessage(n, "lib reloaded")
	t.Logf("%d MB module: %q (%d bytes) after %v; the next save done after %v", src.Len()>>20, msg.Message, len(msg.Message), took, time.Since(began))
}

// awaitMessageWithin is awaitMessage with a longer bound, for work that is
// slow by nature on a shared machine.
func awaitMessageWithin(e *fakeEditor, after int, substr string, timeout time.Duration) protocol.ShowMessageParams {
	e.t.Helper()
	deadline := time.After(timeout)
	for {
		e.mu.Lock()
		for _, m := range e.shown[min(after, len(e.shown)):] {
			if strings.Contains(m.Message, substr) {
				e.mu.Unlock()
				return m
			}
		}
		changed := e.changed
		e.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			e.t.Fatalf("no message containing %q within %v", substr, timeout)
		}
	}
}

// stormModule is version v of a module that appends v to its log file on
// every run and ends with v, so its message ends in ": v".
const stormModule = "v = %d\nwith open(%q, 'a') as f:\n    f.write('%%d\\n' %% v)\nv\n"

// Saves faster than reloads run, of one module or interleaved across two:
// each module's runs go in save order, skipping saves is fine, and the
// last run of each has the last save's content. A run reads the file when
// it starts, so two runs may read the same save (a save that arrives while
// a run starts queues one more), but never an older one than the run before.
func TestSaveStormsKeepOrderAndTheLastSave(t *testing.T) {
	t.Parallel()
	const saves = 100
	tests := []struct {
		name    string
		modules []string
	}{
		{"one module", []string{"alpha"}},
		{"two modules interleaved", []string{"alpha", "beta"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEditor(t, "")
			e.initialize(nil)
			e.waitReady()
			began := time.Now()
			for v := 1; v <= saves; v++ {
				for _, m := range tt.modules {
					e.save(m+".py", fmt.Sprintf(stormModule, v, e.path(m+".log")))
				}
			}
			sent := time.Since(began)
			for _, m := range tt.modules {
				e.await(m+"'s last save", func() bool {
					for _, msg := range e.shown {
						if strings.HasPrefix(msg.Message, m+" reloaded in ") && strings.HasSuffix(msg.Message, fmt.Sprintf(": %d", saves)) {
							return true
						}
					}
					return false
				})
				data, err := os.ReadFile(e.path(m + ".log"))
				if err != nil {
					t.Fatal(err)
				}
				runs := strings.Fields(string(data))
				prev := 0
				for _, r := range runs {
					v, _ := strconv.Atoi(r)
					if v < prev {
						t.Errorf("%s ran versions %v, want them in save order", m, runs)
						break
					}
					prev = v
				}
				if len(runs) == 0 || runs[len(runs)-1] != strconv.Itoa(saves) {
					t.Errorf("%s ran versions %v, want the last run to be of the last save, %d", m, runs, saves)
				}
				t.Logf("%s: %d saves sent in %v, %d runs, all done after %v", m, saves, sent, len(runs), time.Since(began))
			}
		})
	}
}
