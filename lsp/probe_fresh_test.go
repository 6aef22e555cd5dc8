package lsp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The probes of the fresh strategy, preloads, restarts and settings
// changes: each plays edits through the editor protocol and compares what
// the runtime answers with what a fresh python run of the final files
// gives (freshValue).

// freshValue runs python in dir (the workspace), imports module as a fresh
// run would and returns repr(expr) evaluated in its namespace.
func probeFresh(t *testing.T, dir, python, module, expr string, env ...string) string {
	t.Helper()
	if python == "" {
		python = "python3"
	}
	code := "import sys, io, importlib; sys.path.insert(0, '.'); out = sys.stdout; sys.stdout = io.StringIO()\n" +
		"try:\n    m = importlib.import_module(" + quotePy(module) + ")\n    v = repr(eval(" + quotePy(expr) + ", vars(m)))\n" +
		"except BaseException as e:\n    v = 'error: ' + type(e).__name__\n" +
		"out.write(v)\n"
	cmd := exec.Command(python, "-c", code)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("fresh run: %v: %s", err, data)
	}
	return string(data)
}

func quotePy(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// evalOrError is evaluateIn with the exception type for a failure, as
// freshValue gives it.
func (e *fakeEditor) evalOrError(file, code string) string {
	e.t.Helper()
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri(file)), code); err != nil {
		return "command error: " + err.Error()
	}
	if got.Value == nil && got.Error == nil {
		return "None"
	}
	if got.Value == nil {
		tb := strings.TrimSpace(deref(got.Error))
		lines := strings.Split(tb, "\n")
		last := lines[len(lines)-1]
		typ, _, _ := strings.Cut(last, ":")
		return "error: " + typ
	}
	return *got.Value
}

func startProbe(t *testing.T, files string, opts map[string]any) *fakeEditor {
	t.Helper()
	e := newEditor(t, files)
	e.initialize(opts)
	e.waitReady()
	return e
}

func (e *fakeEditor) warningsOn(rel string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, d := range e.diagnostics[rel] {
		if d.Severity == protocol.DiagnosticSeverityWarning {
			out = append(out, message(d))
		}
	}
	return out
}

func (e *fakeEditor) diagCount(rel string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.diagnostics[rel])
}

// shownText is every message shown after n, one per line.
func (e *fakeEditor) shownText(n int) string {
	var b strings.Builder
	for _, m := range e.shownSince(n) {
		b.WriteString(fmt.Sprint(m.Type) + ": " + m.Message + "\n")
	}
	return b.String()
}

// restartRuntime restarts the runtime, as the editor's command does, and
// waits until the server says it did.
func (e *fakeEditor) restartRuntime() {
	e.t.Helper()
	n := e.messageCount()
	if err := e.command("hotload.restartRuntime", nil); err != nil {
		e.t.Fatal(err)
	}
	e.awaitMessage(n, "runtime restarted")
}

func probeCompare(t *testing.T, e *fakeEditor, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, a fresh run gives %s\nmessages since start:\n%s", what, got, want, e.shownText(0))
	}
}

var freshOpts = map[string]any{"strategy": "fresh"}

// --- fresh strategy: nothing leaks from one run to the next ---

func TestProbeFreshNoLeaks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, first, second, expr string
	}{
		{"os.environ", "import os\nos.environ['PROBE_LEAK'] = '1'\n", "import os\nv = os.environ.get('PROBE_LEAK')\n", "v"},
		{"sys.modules", "import sys, types\nsys.modules['probe_fake'] = types.ModuleType('probe_fake')\n",
			"try:\n    import probe_fake\n    v = 'leaked'\nexcept ImportError:\n    v = 'clean'\n", "v"},
		{"cwd", "import os\nos.chdir('/')\n", "import os\nv = os.getcwd() == os.path.dirname(os.path.abspath(__file__))\n", "v"},
		{"sys.path", "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'sub'))\n",
			"try:\n    import hidden\n    v = 'leaked'\nexcept ImportError:\n    v = 'clean'\n", "v"},
		{"builtins", "import builtins\nbuiltins.PROBE = 1\n", "try:\n    PROBE\n    v = 'leaked'\nexcept NameError:\n    v = 'clean'\n", "v"},
		{"warnings filter", "import warnings\nwarnings.simplefilter('error')\n", "import warnings\nv = 'clean'\ntry:\n    warnings.warn('w', UserWarning)\nexcept UserWarning:\n    v = 'leaked'\n", "v"},
		{"stdlib monkeypatch", "import json\njson.dumps = lambda *a, **k: 'patched'\n", "import json\nv = json.dumps(1)\n", "v"},
		{"recursion limit", "import sys\nsys.setrecursionlimit(123)\n", "import sys\nv = sys.getrecursionlimit()\n", "v"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startProbe(t, "-- a.py --\n-- b.py --\n-- sub/hidden.py --\nX = 1\n", freshOpts)
			e.saveAndWait("a.py", tt.first)
			e.saveAndWait("b.py", tt.second)
			probeCompare(t, e, "b."+tt.expr, e.evalOrError("b.py", tt.expr), probeFresh(t, e.dir, "", "b", tt.expr))
		})
	}
}

// The same leaks, with the leaking module preloaded... and a module's
// state after the save of another one: the evaluation runs in the process
// of the latest save, where a module not loaded yet is imported fresh.
func TestProbeFreshEvaluateAfterSaves(t *testing.T) {
	t.Parallel()
	files := "-- lib.py --\ndef f():\n    return 1\n-- app.py --\nimport lib\nVALUE = lib.f()\n"
	e := startProbe(t, files, freshOpts)
	if got := e.evalOrError("app.py", "VALUE"); got != "1" {
		t.Fatalf("VALUE = %s", got)
	}
	e.saveAndWait("lib.py", "def f():\n    return 2\n")
	probeCompare(t, e, "app.VALUE after lib's fresh save", e.evalOrError("app.py", "VALUE"), probeFresh(t, e.dir, "", "app", "VALUE"))
	// State an evaluation made in the latest save's process stays there,
	// until the next save.
	e.evalOrError("lib.py", "g = 5")
	if got := e.evalOrError("lib.py", "g"); got != "5" {
		t.Errorf("g = %s, want 5 in the same process", got)
	}
	e.saveAndWait("lib.py", "def f():\n    return 3\n")
	probeCompare(t, e, "lib.g after the next fresh save", e.evalOrError("lib.py", "'g' in globals()"), probeFresh(t, e.dir, "", "lib", "'g' in globals()"))
}

// A failing fresh run's diagnostics clear when the next fresh run succeeds,
// and the status says so.
func TestProbeFreshDiagnosticsClear(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- lib.py --\nx = 1\n", freshOpts)
	e.saveAndWait("lib.py", "x = 1\ny = 1 / 0\n")
	e.awaitDiagnostics("lib.py", "the error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })
	e.await("a ready status with lastError", func() bool {
		st := e.statuses[len(e.statuses)-1]
		return st.State == "ready" && st.LastError != ""
	})
	e.saveAndWait("lib.py", "x = 2\n")
	e.awaitDiagnostics("lib.py", "cleared", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
	e.await("a ready status without lastError", func() bool {
		st := e.statuses[len(e.statuses)-1]
		return st.State == "ready" && st.LastError == ""
	})
	probeCompare(t, e, "x", e.evalOrError("lib.py", "x"), "2")
}

// An importer's failure caused by a dependency, in fresh mode: a fresh save
// of the dependency runs only it, so the importer's Error is from a run of
// the code before that save, which a fresh run now may not have. It turns
// into Information that says so; the importer's next save replaces it.
func TestProbeFreshImporterErrorAfterDependencyFix(t *testing.T) {
	t.Parallel()
	files := "-- dep.py --\nK = 1\n-- other.py --\nK = 1\n-- app.py --\nimport dep\nr = 10 / dep.K\n"
	e := startProbe(t, files, freshOpts)
	e.saveAndWait("dep.py", "K = 0\n")
	e.saveAndWait("app.py", "import dep\nr = 10 / dep.K\n")
	e.awaitDiagnostics("app.py", "app's error", func(d []protocol.Diagnostic) bool { return len(d) >= 1 })
	// A save of a module app's run did not load leaves its Error as it is.
	e.saveAndWait("other.py", "K = 2\n")
	e.mu.Lock()
	d := e.diagnostics["app.py"]
	e.mu.Unlock()
	if len(d) != 1 || d[0].Severity != protocol.DiagnosticSeverityError {
		t.Errorf("after other.py's save, app.py has %v, want its Error", d)
	}
	e.saveAndWait("dep.py", "K = 2\n")
	probeCompare(t, e, "app.r", e.evalOrError("app.py", "r"), probeFresh(t, e.dir, "", "app", "r"))
	e.awaitDiagnostics("app.py", "the Error made Information", func(d []protocol.Diagnostic) bool {
		return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityInformation &&
			strings.Contains(fmt.Sprint(d[0].Message), "before the save of dep.py") &&
			strings.Contains(fmt.Sprint(d[0].Message), "ZeroDivisionError")
	})
	// app's next save runs it with the new dep: nothing to say.
	e.saveAndWait("app.py", "import dep\nr = 10 / dep.K\n")
	e.awaitDiagnostics("app.py", "cleared", func(d []protocol.Diagnostic) bool { return len(d) == 0 })
}

// Output of forked workers: print, stderr, and C-level writes.
func TestProbeFreshOutput(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- lib.py --\n", freshOpts)
	for i, tt := range []struct{ code, want string }{
		{"print('hello out')\n", "hello out"},
		{"import sys\nprint('hello err', file=sys.stderr)\n", "hello err"},
		{"import os\nos.write(1, b'raw fd1\\n')\n", "raw fd1"},
		{"import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'print(\"from child\")'])\n", "from child"},
	} {
		n := len(e.results)
		e.saveAndWait("lib.py", tt.code)
		r := e.awaitResult(n + 1)
		if !strings.Contains(r.Output, tt.want) {
			e.awaitLog(tt.want) // at least in the log
			t.Logf("case %d: %q not in the result's output %q (it is in the log)", i, tt.want, r.Output)
		}
	}
}

// A save while a long fresh run goes on: both report, in order, and the
// evaluation after sees the latest.
func TestProbeFreshSaveDuringLongRun(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- lib.py --\nx = 0\n", freshOpts)
	n := e.messageCount()
	e.save("lib.py", "import time\ntime.sleep(1.0)\nx = 1\nprint('one')\n")
	e.awaitStatus(0, "running")
	e.save("lib.py", "x = 2\nprint('two')\n")
	e.await("two reloads", func() bool {
		c := 0
		for _, m := range e.shown[n:] {
			if strings.Contains(m.Message, "lib reloaded") {
				c++
			}
		}
		return c >= 1 && strings.Contains(e.shown[len(e.shown)-1].Message, "two")
	})
	probeCompare(t, e, "x", e.evalOrError("lib.py", "x"), "2")
	// File changed on disk (no save) while nothing runs: the evaluation is
	// of the loaded code, as documented; not probed further.
}

// Strategy switched from in place to fresh: the Warning notes of in-place
// saves are about objects of the old process.
func TestProbeStaleWarningsAfterStrategySwitch(t *testing.T) {
	t.Parallel()
	files := "-- lib.py --\ndef make():\n    def f():\n        return 1\n    return f\n-- app.py --\nimport lib\n"
	e := startProbe(t, files, nil)
	e.evalOrError("app.py", "h = lib.make()")
	e.saveAndWait("lib.py", "def make():\n    def f():\n        return 2\n    return f\n")
	e.await("a Warning on lib.py", func() bool {
		for _, d := range e.diagnostics["lib.py"] {
			if d.Severity == protocol.DiagnosticSeverityWarning {
				return true
			}
		}
		return false
	})
	t.Logf("in place: %v", e.warningsOn("lib.py"))
	e.save("pyproject.toml", "[tool.hotload]\nstrategy = \"fresh\"\n")
	e.awaitLog("each save runs in a fresh process")
	e.saveAndWait("app.py", "import lib\n")
	probeCompare(t, e, "app.h()", e.evalOrError("app.py", "h()"), probeFresh(t, e.dir, "", "app", "h()"))
	if w := e.warningsOn("lib.py"); len(w) > 0 {
		t.Errorf("noisy: after a fresh run of app (h() right), lib.py keeps in-place Warnings: %v", w)
	}
}

// Restart and crash take the Warnings of the old process off.
func TestProbeWarningsAfterRestartOrCrash(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"restart", "crash"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			files := "-- lib.py --\ndef make():\n    def f():\n        return 1\n    return f\n-- app.py --\nimport lib\n-- boom.py --\n"
			e := startProbe(t, files, nil)
			e.evalOrError("app.py", "h = lib.make()")
			e.saveAndWait("lib.py", "def make():\n    def f():\n        return 2\n    return f\n")
			e.await("a Warning on lib.py", func() bool { return len(e.diagnostics["lib.py"]) > 0 })
			pid := e.lastStatus().Pid
			if how == "restart" {
				if err := e.command("hotload.restartRuntime", nil); err != nil {
					t.Fatal(err)
				}
			} else {
				e.saveAndWait("boom.py", "import os\nos._exit(3)\n")
			}
			e.await("ready in a new process", func() bool {
				st := e.statuses[len(e.statuses)-1]
				return st.State == "ready" && st.Pid != 0 && st.Pid != pid
			})
			probeCompare(t, e, "app.h()", e.evalOrError("app.py", "h()"), probeFresh(t, e.dir, "", "app", "h()"))
			e.await("lib.py's Warnings off", func() bool { return len(e.warningsOnLocked("lib.py")) == 0 })
		})
	}
}

func (e *fakeEditor) warningsOnLocked(rel string) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, d := range e.diagnostics[rel] {
		if d.Severity == protocol.DiagnosticSeverityWarning {
			out = append(out, d)
		}
	}
	return out
}

// After a crash, evaluation runs in the new process, which loads the
// module from its file; the status names the new pid.
func TestProbeEvaluateAfterCrash(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- lib.py --\nx = 1\n", nil)
	e.saveAndWait("lib.py", "x = 2\n")
	e.evalOrError("lib.py", "x = 40")
	n := e.messageCount()
	var got evaluation
	_ = e.command("hotload.evaluate", &got, string(e.uri("lib.py")), "import os; os._exit(4)")
	e.awaitMessage(n, "exited with code 4")
	probeCompare(t, e, "x after the crash", e.evalOrError("lib.py", "x"), probeFresh(t, e.dir, "", "lib", "x"))
}

// --- preloads ---

const preloadFiles = "-- data.py --\nimport helper\nDATA = [1, 2, 3]\nTAG = helper.TAG\n-- helper.py --\nTAG = 'h1'\n-- app.py --\nimport data\nv = (sum(data.DATA), data.TAG)\n"

func TestProbePreloadEdited(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		strategy string
		edit     string // file edited and saved
		content  string
		then     string // "save-app", "restart", "crash", "eval"
	}{
		{"fresh: preload saved, then app saved", "fresh", "data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n", "save-app"},
		{"fresh: preload saved, then app evaluated", "fresh", "data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n", "eval"},
		{"fresh: preload's import saved, then app saved", "fresh", "helper.py", "TAG = 'h2'\n", "save-app"},
		{"inplace: preload saved, app evaluated", "inplace", "data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n", "eval"},
		{"inplace: preload's import saved, app evaluated", "inplace", "helper.py", "TAG = 'h2'\n", "eval"},
		{"inplace: preload saved, then restart", "inplace", "data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n", "restart"},
		{"inplace: preload saved, then crash", "inplace", "data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n", "crash"},
		{"inplace: preload's import saved, then restart", "inplace", "helper.py", "TAG = 'h2'\n", "restart"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startProbe(t, preloadFiles+"-- boom.py --\n", map[string]any{"strategy": tt.strategy, "preload": []string{"data"}})
			if got := e.evalOrError("app.py", "v"); got != "(6, 'h1')" {
				t.Fatalf("v before = %s", got)
			}
			e.saveAndWait(tt.edit, tt.content)
			n := e.messageCount()
			switch tt.then {
			case "save-app":
				e.saveAndWait("app.py", "import data\nv = (sum(data.DATA), data.TAG)\n")
			case "restart":
				e.restartRuntime()
			case "crash":
				e.saveAndWait("boom.py", "import os\nos._exit(3)\n")
				e.await("ready", func() bool { return e.statuses[len(e.statuses)-1].State == "ready" })
			}
			got := e.evalOrError("app.py", "v")
			want := probeFresh(t, e.dir, "", "app", "v")
			if got != want {
				said := e.shownText(n)
				w := e.warningsOn(tt.edit)
				t.Errorf("app.v = %s, a fresh run gives %s; messages after the edit:\n%s warnings on %s: %v", got, want, said, tt.edit, w)
			}
		})
	}
}

// A restart while the save of a preload still runs in place: the new
// process must start with the saved file, as a fresh run would, not from
// the zygote that imported it as it was at the start.
func TestProbePreloadRestartDuringItsSave(t *testing.T) {
	t.Parallel()
	e := startProbe(t, preloadFiles, map[string]any{"strategy": "inplace", "preload": []string{"data"}})
	if got := e.evalOrError("app.py", "v"); got != "(6, 'h1')" {
		t.Fatalf("v before = %s", got)
	}
	e.save("data.py", "import time\nimport helper\ntime.sleep(1)\nDATA = [10, 20]\nTAG = helper.TAG\n")
	e.await("the save running", func() bool { return e.statuses[len(e.statuses)-1].State == "running" })
	e.restartRuntime()
	probeCompare(t, e, "app.v after a restart during the preload's save", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, "", "app", "v"))
}

// A preload changed outside the editor (a git checkout), never saved in
// it: a restart, or a fresh save of another file, starts with the file as
// it is on disk, as a fresh python would.
func TestProbePreloadChangedOutsideTheEditor(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"inplace", "fresh"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := startProbe(t, preloadFiles, map[string]any{"strategy": strategy, "preload": []string{"data"}})
			if got := e.evalOrError("app.py", "v"); got != "(6, 'h1')" {
				t.Fatalf("v before = %s", got)
			}
			writeFile(t, e.path("data.py"), "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n")
			if strategy == "fresh" {
				e.saveAndWait("app.py", "import data\nv = (sum(data.DATA), data.TAG)\n")
			} else {
				e.restartRuntime()
			}
			probeCompare(t, e, "app.v", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, "", "app", "v"))
		})
	}
}

// A save that makes a preload fail to import keeps the zygote that imported
// it at start, and a Warning says that fresh runs and restarts still start
// with the file as it was; the next save that imports takes over.
func TestProbePreloadEditedFails(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"fresh", "inplace"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := startProbe(t, preloadFiles, map[string]any{"strategy": strategy, "preload": []string{"data"}})
			n := e.messageCount()
			e.save("data.py", "DATA = [\n")
			m := e.awaitMessage(n, "importing them again with it failed")
			if m.Type != protocol.MessageTypeWarning || !strings.Contains(m.Message, "preload data failed: SyntaxError") || !strings.Contains(m.Message, "restarts") {
				t.Errorf("message = %v %q, want a Warning naming data's SyntaxError and what it means for restarts", m.Type, m.Message)
			}
			fixPreloadAndRestart(t, e)
		})
	}
}

// fixPreloadAndRestart saves a data.py of preloadFiles that imports, restarts
// the runtime and checks that app.v is what a fresh run gives: the zygote
// kept after a failed renewal gives way once the preload imports again.
func fixPreloadAndRestart(t *testing.T, e *fakeEditor) {
	t.Helper()
	e.saveAndWait("data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n")
	e.restartRuntime()
	probeCompare(t, e, "app.v after the fix and a restart", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, "", "app", "v"))
}

// The preload list changes: the new runtime imports the current files.
func TestProbePreloadListChanges(t *testing.T) {
	t.Parallel()
	e := startProbe(t, preloadFiles, map[string]any{"strategy": "fresh", "preload": []string{"data"}})
	writeFile(t, e.path("data.py"), "import helper\nDATA = [7]\nTAG = helper.TAG\n") // edited outside, no save
	n := e.messageCount()
	e.save("pyproject.toml", "[tool.hotload]\npreload = [\"data\", \"json\"]\n")
	e.awaitMessage(n, "started a new runtime")
	e.saveAndWait("app.py", "import data\nv = (sum(data.DATA), data.TAG)\n")
	probeCompare(t, e, "app.v", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, "", "app", "v"))
	// preload removed: the module is imported by the run itself.
	n = e.messageCount()
	e.save("pyproject.toml", "[tool.hotload]\npreload = []\n")
	e.awaitMessage(n, "started a new runtime")
	e.saveAndWait("app.py", "import sys\nv = 'data' in sys.modules\n")
	probeCompare(t, e, "'data' in sys.modules", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, "", "app", "v"))
}

// A preload that fails or is missing is said.
func TestProbePreloadFailing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, preload, files string }{
		{"raises", "bad", "-- bad.py --\nraise RuntimeError('no data')\n-- app.py --\nx = 1\n"},
		{"missing", "nosuchmodule_probe", "-- app.py --\nx = 1\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEditor(t, tt.files)
			e.initialize(map[string]any{"strategy": "fresh", "preload": []string{tt.preload}})
			e.await("a message", func() bool { return len(e.shown) > 0 })
			t.Logf("said: %s", e.shownText(0))
			if !strings.Contains(e.shownText(0), tt.preload) {
				t.Errorf("nothing names the failing preload %s: %s", tt.preload, e.shownText(0))
			}
		})
	}
}

// --- settings changed while running ---

func TestProbeSettingsChangesInFreshMode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, before, after, app, expr string
		env                            []string // of the fresh run with the final settings
	}{
		{"env changed", "env = { PROBE_MODE = \"a\" }", "env = { PROBE_MODE = \"b\" }", "import os\nv = os.environ.get('PROBE_MODE')\n", "v", []string{"PROBE_MODE=b"}},
		{"env removed", "env = { PROBE_MODE = \"a\" }", "env = { OTHER = \"1\" }", "import os\nv = os.environ.get('PROBE_MODE')\n", "v", nil},
		{"env read by a preload", "preload = [\"conf\"]\nenv = { PROBE_MODE = \"a\" }", "preload = [\"conf\"]\nenv = { PROBE_MODE = \"b\" }", "import conf\nv = conf.MODE\n", "v", []string{"PROBE_MODE=b"}},
		{"extraPaths added", "", "extraPaths = [\"libs\"]", "try:\n    import shared\n    v = shared.X\nexcept ImportError:\n    v = None\n", "v", nil},
		{"extraPaths removed", "extraPaths = [\"libs\"]", "", "try:\n    import shared\n    v = shared.X\nexcept ImportError:\n    v = None\n", "v", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := "-- pyproject.toml --\n[tool.hotload]\nstrategy = \"fresh\"\n" + tt.before + "\n-- conf.py --\nimport os\nMODE = os.environ.get('PROBE_MODE')\n-- libs/shared.py --\nX = 'shared'\n-- app.py --\n"
			e := startProbe(t, files, nil)
			e.saveAndWait("app.py", tt.app)
			n := e.messageCount()
			e.save("pyproject.toml", "[tool.hotload]\nstrategy = \"fresh\"\n"+tt.after+"\n")
			e.awaitMessage(n, "started a new runtime")
			e.saveAndWait("app.py", tt.app)
			want := ""
			if strings.HasPrefix(tt.name, "extraPaths added") {
				want = "'shared'"
			} else if strings.HasPrefix(tt.name, "extraPaths removed") {
				want = "None"
			} else {
				want = probeFresh(t, e.dir, "", "app", tt.expr, tt.env...)
			}
			probeCompare(t, e, "app."+tt.expr, e.evalOrError("app.py", tt.expr), want)
		})
	}
}

func TestProbePythonChanged(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/usr/bin/python3.11"); err != nil {
		pyruntimetest.Missing(t, "no second python at /usr/bin/python3.11")
	}
	e := startProbe(t, "-- app.py --\nimport sys\nv = sys.executable\n", freshOpts)
	e.saveAndWait("app.py", "import sys\nv = sys.executable\n")
	n := e.messageCount()
	e.save("pyproject.toml", "[tool.hotload]\nstrategy = \"fresh\"\npython = \"/usr/bin/python3.11\"\n")
	e.awaitMessage(n, "started a new runtime")
	e.saveAndWait("app.py", "import sys\nv = sys.executable\n")
	probeCompare(t, e, "sys.executable", e.evalOrError("app.py", "v"), "'/usr/bin/python3.11'")
}

// Timeout in fresh mode: the run is stopped, the next works.
func TestProbeFreshTimeout(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- lib.py --\n", map[string]any{"strategy": "fresh", "timeout": 1})
	msgs := e.saveAndWait("lib.py", "import time\nx = 1\ntime.sleep(30)\n")
	var said string
	for _, m := range msgs {
		said += m.Message + "\n"
	}
	if !strings.Contains(said, "timeout") {
		t.Errorf("messages %q, want the timeout said", said)
	}
	e.saveAndWait("lib.py", "x = 3\n")
	probeCompare(t, e, "x", e.evalOrError("lib.py", "x"), "3")
}

// --- site-packages changed while the runtime runs ---

func makeVenv(t *testing.T) (python, site string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command("python3", "-m", "venv", "--without-pip", dir).CombinedOutput(); err != nil {
		pyruntimetest.Missing(t, fmt.Sprintf("cannot make a virtual environment: %v %s", err, out))
	}
	python = filepath.Join(dir, "bin", "python")
	out, err := exec.Command(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").Output()
	if err != nil {
		t.Fatal(err)
	}
	return python, strings.TrimSpace(string(out))
}

func TestProbeSitePackagesChanged(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, strategy, change string
	}{
		{"fresh: .pth added (pip install -e)", "fresh", "pth"},
		{"inplace: .pth added (pip install -e)", "inplace", "pth"},
		{"fresh: package installed", "fresh", "pkg"},
		{"inplace: package installed", "inplace", "pkg"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			python, site := makeVenv(t)
			vendor := t.TempDir()
			writeFile(t, filepath.Join(vendor, "vendmod.py"), "X = 'vend'\n")
			app := "try:\n    import vendmod\n    v = vendmod.X\nexcept ImportError as e:\n    v = 'ImportError'\n"
			e := startProbe(t, "-- app.py --\n"+app, map[string]any{"strategy": tt.strategy, "python": python})
			e.saveAndWait("app.py", app)
			if got := e.evalOrError("app.py", "v"); got != "'ImportError'" {
				t.Fatalf("before: %s", got)
			}
			if tt.change == "pth" {
				writeFile(t, filepath.Join(site, "__editable__.vend.pth"), vendor+"\n")
			} else {
				writeFile(t, filepath.Join(site, "vendmod.py"), "X = 'installed'\n")
			}
			msgs := e.saveAndWait("app.py", app)
			want := probeFresh(t, e.dir, python, "app", "v")
			got := e.evalOrError("app.py", "v")
			if got != want {
				var said []string
				for _, m := range msgs {
					said = append(said, fmt.Sprint(m.Type)+": "+m.Message)
				}
				t.Errorf("app.v = %s, a fresh run gives %s; said: %v", got, want, said)
			}
		})
	}
}
