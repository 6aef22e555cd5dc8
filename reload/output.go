package reload

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// DefaultStreamedOutput is how much of one run's output the engine passes
// to OnOutput by default: 10 MiB is far more than anyone reads in an
// editor's log, and little enough that the log stays responsive.
const DefaultStreamedOutput = 10 << 20

// keptOutput is how much of one run's output a Result keeps: its first and
// last half, so both the start and the final lines (a summary, the last
// progress line) survive 100 MB of printing while the server's memory
// stays bounded.
const keptOutput = 1 << 20

// runOutput collects one run's output within bounds: the first and last
// keptOutput/2 bytes for the Result, and a count of the rest. It also
// decides how much of the stream is passed on. The zero value keeps
// nothing; use newRunOutput.
type runOutput struct {
	mu       sync.Mutex // output events arrive on the runtime's reader goroutine
	head     strings.Builder
	tail     []byte // the latest bytes beyond head, at most 2×half before trimming
	total    int64  // bytes written
	streamed int64  // bytes passed on
	limit    int64  // bytes to pass on; negative for all
	cut      bool   // the limit was reached: nothing more is passed on
}

func newRunOutput(streamLimit int64) *runOutput {
	return &runOutput{limit: streamLimit}
}

// add records text and returns how much of it to pass on: all of it, a
// prefix (cut at a character boundary), or "" once the limit is reached.
func (o *runOutput) add(text string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total += int64(len(text))
	const half = keptOutput / 2
	rest := text
	if room := half - o.head.Len(); room > 0 {
		n := min(room, len(rest))
		o.head.WriteString(rest[:n])
		rest = rest[n:]
	}
	if rest != "" {
		o.tail = append(o.tail, rest...)
		if len(o.tail) > 2*half {
			o.tail = append(o.tail[:0], o.tail[len(o.tail)-half:]...)
		}
	}
	if o.limit < 0 {
		return text
	}
	room := o.limit - o.streamed
	if o.cut || room <= 0 {
		return ""
	}
	if int64(len(text)) > room {
		text = cutAtRune(text, int(room))
		o.cut = true
	}
	o.streamed += int64(len(text))
	return text
}

// text returns the output kept: all of it, or its start and end with a
// line in between saying how much was left out.
func (o *runOutput) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	const half = keptOutput / 2
	tail := o.tail
	if len(tail) > half {
		tail = tail[len(tail)-half:]
	}
	dropped := o.total - int64(o.head.Len()) - int64(len(tail))
	if dropped == 0 {
		return o.head.String() + string(tail)
	}
	// Start the tail at a character boundary.
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail = tail[1:]
		dropped++
	}
	return fmt.Sprintf("%s\n[hotload: %s of output left out here; the run printed %s]\n%s",
		o.head.String(), formatBytes(dropped), formatBytes(o.total), tail)
}

// unstreamed returns a note for the log when output was held back, or "".
func (o *runOutput) unstreamed() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.limit < 0 || o.total <= o.streamed {
		return ""
	}
	return fmt.Sprintf("\n[hotload: output beyond the first %s not logged: %s more]\n", formatBytes(o.streamed), formatBytes(o.total-o.streamed))
}

// cutAtRune returns the longest prefix of s of at most n bytes that does
// not split a character.
func cutAtRune(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// formatBytes prints a size as people read it: "812 B", "3.2 KiB", "100 MiB".
func formatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}
