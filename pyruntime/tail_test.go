package pyruntime

import (
	"bytes"
	"strings"
	"testing"
)

// Regression: tail kept a line that had no newline yet whole, and copied it
// on every write, so a process that wrote 100 MiB to stderr without a
// newline cost 100 MiB and quadratic time. Each line now keeps its start.
func TestTailKeepsBoundedLines(t *testing.T) {
	t.Parallel()
	var sink bytes.Buffer
	tl := &tail{next: &sink}
	chunk := []byte(strings.Repeat("x", 1024))
	for range 10 << 10 { // 10 MiB, no newline
		tl.Write(chunk)
	}
	if n := len(tl.part); n != tailLineBytes {
		t.Errorf("a 10 MiB partial line kept %d bytes, want %d", n, tailLineBytes)
	}
	tl.Write([]byte("\nFatal Python error: Segmentation fault\nlast"))
	lines := strings.Split(tl.String(), "\n")
	if len(lines) != 3 || len(lines[0]) != tailLineBytes || lines[1] != "Fatal Python error: Segmentation fault" || lines[2] != "last" {
		t.Errorf("tail = %d lines %q…, want the long line's start, the error, and the partial line", len(lines), tl.String()[tailLineBytes-10:])
	}
	if sink.Len() != 10<<20+len("\nFatal Python error: Segmentation fault\nlast") {
		t.Errorf("passed on %d bytes, want every byte", sink.Len())
	}
	for i := range 100 {
		tl.Write([]byte("line " + strings.Repeat("y", i) + "\n"))
	}
	if got := strings.Count(tl.String(), "\n"); got != tailLines {
		t.Errorf("tail holds %d lines, want the last %d", got, tailLines)
	}
}
