package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// readmeOutput is the README's sample output of the example, the block
// after its marker comment.
var readmeOutput = regexp.MustCompile("(?s)<!-- output: hotload run examples/hello/lib.py -->\n```text\n(.*?)```")

// What changes from run to run: the interpreter and its pid, times, and
// where the clone is.
var (
	startedLine = regexp.MustCompile(`hotload: started \S+ \(pid \d+\) in [\d.]+ [µm]?s`)
	duration    = regexp.MustCompile(`in [\d.]+ [µm]?s`)
)

func normalizeRun(out, dir string) string {
	out = strings.ReplaceAll(out, dir, "/path/to/hotload/examples/hello")
	out = startedLine.ReplaceAllString(out, "hotload: started PYTHON (pid N) in T")
	return duration.ReplaceAllString(out, "in T")
}

// The README's sample output of `hotload run examples/hello/lib.py` is what
// it prints, line for line (times, pid and paths aside).
func TestREADMESampleOutput(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := readmeOutput.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no sample output (<!-- output: hotload run examples/hello/lib.py --> before a ```text block)")
	}
	lines := strings.SplitN(string(m[1]), "\n", 2)
	if !strings.HasPrefix(lines[0], "$ ") {
		t.Fatalf("the sample starts with %q, want the command ($ …)", lines[0])
	}
	want := lines[1]

	// A copy, so the run writes nothing into the repository (__pycache__).
	dir := filepath.Join(t.TempDir(), "hello")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "hello"))); err != nil {
		t.Fatal(err)
	}
	var out pyruntimetest.Buffer // stdout and stderr interleaved, as in a terminal
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runFile(ctx, runOptions{File: filepath.Join(dir, "lib.py")}, nil, &out, &out) }()
	deadline := time.Now().Add(waitTimeout) // guards against a hang
	for !strings.Contains(out.String(), "hotload: lib loaded in") {
		if time.Now().After(deadline) {
			t.Fatalf("the example did not load:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	got, shown := normalizeRun(out.String(), dir), normalizeRun(want, dir)
	if unordered(got) != unordered(shown) {
		t.Errorf("hotload run examples/hello/lib.py printed\n%s\nthe README shows\n%s", got, shown)
	}
}

// unordered moves the "watching" notice to the end: the watcher starts
// while the first run does, so the program's first output may come before
// or after it (after, on a loaded machine). Everything else keeps its order.
func unordered(out string) string {
	var rest, watching []string
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "hotload: watching ") {
			watching = append(watching, line)
		} else {
			rest = append(rest, line)
		}
	}
	return strings.Join(append(rest, watching...), "")
}

func TestUnorderedOnlyMovesTheWatchingNotice(t *testing.T) {
	tests := []struct{ a, b string }{
		{"started\nhotload: watching 2 .py files\n25\nloaded\n", "started\n25\nhotload: watching 2 .py files\nloaded\n"},
		{"started\nhotload: watching 2 .py files\n25\n", "started\n25\nhotload: watching 2 .py files\n"},
	}
	for _, tt := range tests {
		if unordered(tt.a) != unordered(tt.b) {
			t.Errorf("unordered(%q) != unordered(%q)", tt.a, tt.b)
		}
	}
	differ := []struct{ a, b string }{
		{"started\n25\nloaded\n", "started\nloaded\n25\n"},
		{"started\nhotload: watching 2 .py files\n", "started\nhotload: watching 3 .py files\n"},
		{"started\nhotload: watching 2 .py files\n", "started\n"},
	}
	for _, tt := range differ {
		if unordered(tt.a) == unordered(tt.b) {
			t.Errorf("unordered(%q) == unordered(%q): only the watching notice may move", tt.a, tt.b)
		}
	}
}
