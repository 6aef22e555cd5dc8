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
	lines [][]byte
	part  []byte
	total int // lines written so far, kept or not
}

// tailLines is how many stderr lines an ExitError keeps: enough for a
// faulthandler dump of two threads (the agent's reader and the main thread,
// some 25 frames deep in a forked worker), short enough for a log entry.
const tailLines = 64

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	data := append(t.part, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		t.lines = append(t.lines, bytes.Clone(data[:i]))
		t.total++
		data = data[i+1:]
	}
	t.part = bytes.Clone(data)
	if n := len(t.lines); n > tailLines {
		t.lines = t.lines[n-tailLines:]
	}
	t.mu.Unlock()
	if t.next != nil {
		_, _ = t.next.Write(p) // a failing log sink must not stop the process
	}
	return len(p), nil
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
