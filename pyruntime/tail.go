package pyruntime

import (
	"bytes"
	"io"
	"sync"
)

// tail is an io.Writer that passes writes on and remembers the last lines.
type tail struct {
	next io.Writer // nil discards

	mu    sync.Mutex // guards lines and part
	lines [][]byte   // the last tailLines lines, each cut to tailLineBytes
	part  []byte     // the line being written, cut to tailLineBytes
}

// tailLines is how many stderr lines an ExitError keeps: enough for a
// faulthandler dump of two threads (the agent's reader and the main thread,
// some 25 frames deep in a forked worker), short enough for a log entry.
const tailLines = 64

// tailLineBytes bounds each remembered line: a longer one keeps its start,
// where an error says what it is. A process that writes megabytes without a
// newline costs no memory, and each write is looked at once.
const tailLineBytes = 4096

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	rest := p
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		t.keep(rest[:i])
		t.lines = append(t.lines, t.part)
		t.part = nil
		rest = rest[i+1:]
	}
	t.keep(rest)
	if n := len(t.lines); n > tailLines {
		t.lines = t.lines[n-tailLines:]
	}
	t.mu.Unlock()
	if t.next != nil {
		_, _ = t.next.Write(p) // a failing log sink must not stop the process
	}
	return len(p), nil
}

// keep adds b to the partial line, up to tailLineBytes.
func (t *tail) keep(b []byte) {
	if room := tailLineBytes - len(t.part); room > 0 {
		t.part = append(t.part, b[:min(room, len(b))]...)
	}
}

// String returns the remembered lines, oldest first.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	all := append(bytes.Join(t.lines, []byte("\n")), '\n')
	if len(t.part) > 0 {
		all = append(all, t.part...)
	}
	return string(bytes.TrimLeft(all, "\n"))
}
