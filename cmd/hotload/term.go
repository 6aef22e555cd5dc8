package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/hotload-dev/hotload/reload"
)

// term is the terminal of `hotload run`: the code's output goes to stdout as
// it arrives, hotload's own lines go to stderr. Its methods are safe for
// concurrent use; writes fail silently, as there is nowhere to report them.
type term struct {
	mu      sync.Mutex // guards the fields below
	stdout  io.Writer
	stderr  io.Writer
	midLine bool // the code's last output did not end its line
	loaded  bool // the module ran to the end in the current runtime
	closed  bool // set by Close; everything after it is dropped
}

func newTerm(stdout, stderr io.Writer) *term {
	return &term{stdout: stdout, stderr: stderr}
}

// Output writes output of the code.
func (t *term) Output(text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || text == "" {
		return
	}
	_, _ = io.WriteString(t.stdout, text)
	t.midLine = !strings.HasSuffix(text, "\n")
}

// OutputTo writes output of the code to the stream it wrote to: "stderr"
// goes to stderr, anything else to stdout.
func (t *term) OutputTo(stream, text string) {
	if stream != "stderr" {
		t.Output(text)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stderrLocked(text)
}

// Noticef writes one line of hotload's own, prefixed "hotload: ".
func (t *term) Noticef(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stderrLocked("hotload: " + fmt.Sprintf(format, args...) + "\n")
}

// Started says that a runtime is ready, and which preloads failed in it.
// The module's next run in it is a first load again.
func (t *term) Started(info reload.RuntimeInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.loaded = false
	how := ""
	if info.Forked {
		how = ", forked from the preloaded one"
	}
	t.stderrLocked(fmt.Sprintf("hotload: started %s (pid %d) in %s%s\n", strings.Join(info.Argv, " "), info.Pid, formatDuration(info.Duration), how))
	for _, name := range slices.Sorted(maps.Keys(info.PreloadErrors)) {
		t.stderrLocked(fmt.Sprintf("hotload: preload %s failed: %s\n", name, info.PreloadErrors[name].Summary()))
	}
}

// Result shows how a run of the module went.
func (t *term) Result(res *reload.Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stderrLocked(summary(res, !t.loaded))
	// A first load that raises leaves no module behind, so the next run
	// loads it again.
	t.loaded = t.loaded || res.OK()
}

// stderrLocked writes s to stderr, first ending a line the code left open
// on stdout so that, on a terminal, s starts on a line of its own.
func (t *term) stderrLocked(s string) {
	if t.closed {
		return
	}
	if t.midLine {
		_, _ = io.WriteString(t.stdout, "\n")
		t.midLine = false
	}
	_, _ = io.WriteString(t.stderr, s)
}

// Close drops everything written afterwards: once hotload is stopping, the
// errors of runs cut short are noise.
func (t *term) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
}

// Stderr returns a writer for text that belongs on stderr as it is, such as
// what the Python process itself writes there.
func (t *term) Stderr() io.Writer { return termStderr{t} }

type termStderr struct{ t *term }

func (w termStderr) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	w.t.stderrLocked(string(p))
	return len(p), nil
}
