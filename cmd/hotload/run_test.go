package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// waitTimeout bounds every wait for something runFile prints. It is long
// because a loaded CI machine can be slow to start Python; passing tests
// never wait that long.
const waitTimeout = 30 * time.Second // as lsp's: a test machine at load 20 took over 10 s

// session is runFile running in the background on a project folder.
type session struct {
	t      *testing.T
	dir    string
	stdout pyruntimetest.Buffer
	stderr pyruntimetest.Buffer
	cancel context.CancelFunc
	done   chan error // receives runFile's result
}

// startRun writes files into a new folder and runs runFile on its lib.py.
// fileList is given to runFile as the list of files to watch (nil for none).
func startRun(t *testing.T, files map[string]string, fileList io.Reader, opts runOptions) *session {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not on PATH")
	}
	s := &session{t: t, dir: t.TempDir(), done: make(chan error, 1)}
	for name, content := range files {
		s.write(name, content)
	}
	if opts.File == "" {
		opts.File = filepath.Join(s.dir, "lib.py")
	}
	ctx, cancel := context.WithCancel(t.Context())
	s.cancel = cancel
	go func() { s.done <- runFile(ctx, opts, fileList, &s.stdout, &s.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(waitTimeout):
			t.Errorf("runFile did not return %v after its context was canceled", waitTimeout)
		}
	})
	return s
}

// write replaces the file at name (relative to the project folder) in one
// step, by renaming a new file over it as many editors do, so that the
// change is one file system event and so exactly one rerun.
func (s *session) write(name, content string) {
	s.t.Helper()
	path := filepath.Join(s.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	tmp := filepath.Join(s.dir, ".tmp-"+filepath.Base(name)+"~")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		s.t.Fatal(err)
	}
}

// waitFor polls until cond holds for what runFile printed so far.
func (s *session) waitFor(what string, cond func(stdout, stderr string) bool) {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond(s.stdout.String(), s.stderr.String()) {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", what, s.stdout.String(), s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitStderr waits until stderr holds want n times.
func (s *session) waitStderr(want string, n int) {
	s.t.Helper()
	s.waitFor(fmt.Sprintf("%d× %q on stderr", n, want), func(_, stderr string) bool {
		return strings.Count(stderr, want) >= n
	})
}

// waitStdout waits until stdout holds want.
func (s *session) waitStdout(want string) {
	s.t.Helper()
	s.waitFor(fmt.Sprintf("%q on stdout", want), func(stdout, _ string) bool {
		return strings.Contains(stdout, want)
	})
}

// stop cancels runFile's context and returns what runFile returned.
func (s *session) stop() error {
	s.t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(waitTimeout):
		s.t.Fatalf("runFile did not return %v after its context was canceled", waitTimeout)
		return nil
	}
}

// runtimePid returns the pid of the runtime started last, from the notice
// runFile prints when a runtime is ready.
func (s *session) runtimePid() int {
	s.t.Helper()
	m := regexp.MustCompile(`started .* \(pid (\d+)\)`).FindAllStringSubmatch(s.stderr.String(), -1)
	if m == nil {
		s.t.Fatalf("stderr names no runtime pid:\n%s", s.stderr.String())
	}
	pid, _ := strconv.Atoi(m[len(m)-1][1])
	return pid
}

// counter is a module in the hotload state idiom: it counts its runs.
func counter(tag string) string {
	return `try:
    runs
except NameError:
    runs = 0
runs += 1
print("lib", runs, "` + tag + `")
40 + runs
`
}

func TestRunFirstRun(t *testing.T) {
	t.Parallel()
	s := startRun(t, map[string]string{"lib.py": counter("v1")}, nil, runOptions{})
	s.waitStderr("hotload: lib loaded in", 1)
	if got := s.stdout.String(); got != "lib 1 v1\n" {
		t.Errorf("stdout = %q, want %q", got, "lib 1 v1\n")
	}
	if stderr := s.stderr.String(); !strings.Contains(stderr, "= 41\n") {
		t.Errorf("stderr lacks the module's value %q:\n%s", "= 41", stderr)
	}
}

func TestRunRerunsOnSave(t *testing.T) {
	t.Parallel()
	s := startRun(t, map[string]string{"lib.py": counter("v1")}, nil, runOptions{})
	s.waitStderr("hotload: watching 1 .py file under ", 1)
	s.waitStderr("hotload: lib loaded in", 1)

	s.write("lib.py", counter("v2"))
	s.waitStderr("hotload: lib reloaded in", 1)
	// The module reran in its namespace: its state survived.
	if got, want := s.stdout.String(), "lib 1 v1\nlib 2 v2\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if stderr := s.stderr.String(); !strings.Contains(stderr, "= 42\n") {
		t.Errorf("stderr lacks the rerun's value %q:\n%s", "= 42", stderr)
	}
}

func TestRunFreshKeepsNoState(t *testing.T) {
	t.Parallel()
	s := startRun(t, map[string]string{"lib.py": counter("v1")}, nil, runOptions{Fresh: true})
	s.waitStderr("hotload: watching 1 .py file under ", 1)
	s.waitStderr("hotload: lib loaded in", 1)

	s.write("lib.py", counter("v2"))
	s.waitStderr("hotload: lib reloaded in", 1)
	// Each run had a process of its own: the count starts over.
	if got, want := s.stdout.String(), "lib 1 v1\nlib 1 v2\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestRunWatchesNewFolders(t *testing.T) {
	t.Parallel()
	s := startRun(t, map[string]string{"lib.py": counter("v1")}, nil, runOptions{})
	s.waitStderr("hotload: watching", 1)
	s.waitStderr("hotload: lib loaded in", 1)

	if err := os.Mkdir(filepath.Join(s.dir, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.write("pkg/helper.py", "x = 1\n")
	s.waitStderr("hotload: lib reloaded in", 1)
	s.waitStdout("lib 2 v1\n")
}

func TestRunFileListRestrictsWatch(t *testing.T) {
	t.Parallel()
	files := map[string]string{"lib.py": counter("v1"), "other.py": "x = 1\n"}
	// The list arrives through a pipe once the folder exists, like a slow `find`.
	pr, pw := io.Pipe()
	var debug pyruntimetest.Buffer
	s := startRun(t, files, pr, runOptions{Logger: newLogger(logLevel(zapcore.DebugLevel), &debug, false)})
	go func() {
		fmt.Fprintf(pw, "%s\n\n", filepath.Join(s.dir, "lib.py"))
		pw.Close()
	}()
	s.waitStderr("hotload: watching 1 file listed on stdin", 1)
	s.waitStderr("hotload: lib loaded in", 1)

	s.write("other.py", "x = 2\n")
	// The watcher logs the change it ignores; once it has, a rerun caused by
	// it would already be on its way.
	other := filepath.Join(s.dir, "other.py")
	ignored := func() bool {
		for line := range strings.Lines(debug.String()) {
			if strings.Contains(line, "ignoring change") && strings.Contains(line, strconv.Quote(other)) {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(waitTimeout)
	for !ignored() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the change to %s to be ignored; log:\n%s", other, debug.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	s.write("lib.py", counter("v2"))
	s.waitStderr("hotload: lib reloaded in", 1)
	if got, want := s.stdout.String(), "lib 1 v1\nlib 2 v2\n"; got != want {
		t.Errorf("stdout = %q, want %q (the unlisted other.py must not rerun lib)", got, want)
	}
	if n := strings.Count(s.stderr.String(), "reloaded"); n != 1 {
		t.Errorf("stderr shows %d reruns, want 1:\n%s", n, s.stderr.String())
	}
}

// FILE reruns when it changes whatever stdin lists: a list of the files
// it reads (data, templates) used to leave edits to FILE itself unseen.
// Listed paths that do not exist are named, not silently watched: `echo
// bob | hotload run inp.py` used to make "bob" the whole watch list.
func TestRunFileListWatchesFileAndNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		list     func(dir string) string // stdin, given the project folder
		watching string                  // the notice of what is watched
		missing  []string                // named as not there
	}{
		{"a list without FILE", func(dir string) string { return filepath.Join(dir, "data.csv") + "\n" },
			"hotload: watching lib.py and 1 file listed on stdin\n", nil},
		{"a list of paths that do not exist", func(dir string) string {
			return "bob\n" + filepath.Join(dir, "gone.py") + "\n" + filepath.Join(dir, "nodir", "x.py") + "\n"
		}, "hotload: watching 1 .py file under", []string{"bob", "gone.py", filepath.Join("nodir", "x.py")}},
		{"a list with FILE and a missing path", func(dir string) string {
			return filepath.Join(dir, "lib.py") + "\n" + filepath.Join(dir, "data.csv") + "\n" + filepath.Join(dir, "typo.py") + "\n"
		}, "hotload: watching 2 files listed on stdin\n", []string{"typo.py"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pr, pw := io.Pipe()
			s := startRun(t, map[string]string{"lib.py": counter("v1"), "data.csv": "1\n"}, pr, runOptions{})
			go func() {
				fmt.Fprint(pw, tt.list(s.dir))
				pw.Close()
			}()
			s.waitStderr(tt.watching, 1)
			s.waitStderr("hotload: lib loaded in", 1)
			if len(tt.missing) > 0 {
				line := ""
				for l := range strings.Lines(s.stderr.String()) {
					if strings.Contains(l, "do not exist") || strings.Contains(l, "does not exist") {
						line = l
					}
				}
				if !strings.HasPrefix(line, "hotload: stdin lists ") {
					t.Errorf("no notice of the listed paths that do not exist:\n%s", s.stderr.String())
				}
				for _, name := range tt.missing {
					if !strings.Contains(line, name) {
						t.Errorf("the notice %q does not name %s", line, name)
					}
				}
			} else if strings.Contains(s.stderr.String(), "exist") {
				t.Errorf("a notice of missing files when all listed exist:\n%s", s.stderr.String())
			}
			s.write("lib.py", counter("v2"))
			s.waitStdout("lib 2 v2\n")
		})
	}
}

func TestRunShowsTraceback(t *testing.T) {
	t.Parallel()
	lib := "def f():\n    return 1 / 0\n\nf()\n"
	s := startRun(t, map[string]string{"lib.py": lib}, nil, runOptions{})
	s.waitStderr("hotload: lib raised ZeroDivisionError after", 1)
	stderr := s.stderr.String()
	path := filepath.Join(s.dir, "lib.py")
	for _, want := range []string{
		fmt.Sprintf("File %q, line 4, in <module>", path),
		fmt.Sprintf("File %q, line 2, in f", path),
		"ZeroDivisionError: division by zero\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "hotload-agent") {
		t.Errorf("traceback shows the agent's frames:\n%s", stderr)
	}

	// A first load that raised left no module behind: the fix loads it.
	s.write("lib.py", "print('fixed')\n")
	s.waitStderr("hotload: lib loaded in", 1)
	s.waitStdout("fixed\n")
}

func TestRunRuntimeDies(t *testing.T) {
	t.Parallel()
	s := startRun(t, map[string]string{"lib.py": "x = 1\n"}, nil, runOptions{})
	s.waitStderr("hotload: lib loaded in", 1)
	pid := s.runtimePid()
	if proc, err := os.FindProcess(pid); err != nil {
		t.Fatal(err)
	} else if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	s.waitStderr("hotload: runtime died (pyruntime: python killed by signal 9 (killed)); started a fresh one\n", 1)
	s.waitStderr("hotload: started ", 2)

	s.write("lib.py", "print('calm')\n")
	s.waitStdout("calm\n")
	// The fresh runtime loads the module anew.
	s.waitStderr("hotload: lib loaded in", 2)
}

func TestRunStopsRuntime(t *testing.T) {
	t.Parallel()
	s := startRun(t, map[string]string{"lib.py": counter("v1")}, nil, runOptions{})
	s.waitStderr("hotload: lib loaded in", 1)
	pid := s.runtimePid()
	if pyruntimetest.Gone(pid) {
		t.Fatalf("runtime (pid %d) not running before the stop", pid)
	}

	if err := s.stop(); err != nil {
		t.Errorf("runFile returned %v after cancel, want nil", err)
	}
	if !pyruntimetest.Gone(pid) {
		t.Errorf("runtime (pid %d) still exists after runFile returned", pid)
	}
}

func TestRunMissingInterpreter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.py")
	if err := os.WriteFile(lib, []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr pyruntimetest.Buffer
	opts := runOptions{File: lib, Python: []string{filepath.Join(dir, "no-such-python")}}
	err := runFile(t.Context(), opts, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "cannot be run: no such file") {
		t.Errorf("runFile with a missing interpreter = %v, want a no-interpreter error", err)
	}
}

func TestRunChangedDependencyTakesEffect(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"lib.py":    "from mymath import power\nprint(power(7))\n",
		"mymath.py": "def power(x):\n    return x * x\n",
		"other.py":  "print('other ran')\n",
	}
	s := startRun(t, files, nil, runOptions{})
	s.waitStderr("hotload: lib loaded in", 1)
	s.waitStdout("49\n")

	// Nothing imports other.py: saving it reruns lib but never runs it.
	s.write("other.py", "print('other ran')\n")
	s.waitStderr("hotload: lib reloaded in", 1)
	s.write("mymath.py", "def power(x):\n    return x * x * x\n")
	s.waitStdout("49\n49\n343\n")
	if strings.Contains(s.stdout.String(), "other ran") {
		t.Errorf("a file nothing imports ran:\n%s", s.stdout.String())
	}
}

// A data file the module's run read is watched without being listed: its
// change reruns the module, in place and in a fresh process alike, after a
// line naming the file.
func TestRunRerunsWhenADataFileChanges(t *testing.T) {
	t.Parallel()
	const lib = `import json, pathlib
GREETING = json.loads(pathlib.Path(__file__).with_name("settings.json").read_text())["greeting"]
print("greeting", GREETING)
`
	for _, opts := range []runOptions{{}, {Fresh: true}} {
		t.Run(fmt.Sprintf("fresh=%v", opts.Fresh), func(t *testing.T) {
			t.Parallel()
			s := startRun(t, map[string]string{"lib.py": lib, "settings.json": `{"greeting": "hello"}`}, nil, opts)
			s.waitStderr("hotload: lib loaded in", 1)

			s.write("settings.json", `{"greeting": "bonjour"}`)
			s.waitStderr("settings.json changed", 1)
			s.waitStdout("greeting bonjour\n")
			if got, want := s.stdout.String(), "greeting hello\ngreeting bonjour\n"; got != want {
				t.Errorf("stdout = %q, want %q", got, want)
			}
		})
	}
}
