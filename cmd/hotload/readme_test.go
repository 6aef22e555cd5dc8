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
	if got := normalizeRun(out.String(), dir); got != normalizeRun(want, dir) {
		t.Errorf("hotload run examples/hello/lib.py printed\n%s\nthe README shows\n%s", got, normalizeRun(want, dir))
	}
}
