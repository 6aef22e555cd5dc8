package pyruntime

import (
	"errors"
	"fmt"
	"sync"
)

// errWriteFailed is what put returns once a write has failed: the line is
// not queued, for the lines before it were lost.
var errWriteFailed = errors.New("an earlier write to the runtime failed")

// outbox writes a process's lines in the order they were queued, without
// making a sender wait for the lines queued before its own. A line is
// written by whichever sender found the outbox idle, which then writes
// every line queued behind it too, so a save on an idle process writes its
// own line at once, as a plain write would. A sender that must not wait at
// all (an interrupt sent from the editor's read loop, while C code holds
// the GIL and the agent's socket has no room) hands the writing to a
// goroutine instead.
//
// The zero outbox is idle and empty.
type outbox struct {
	mu      sync.Mutex // guards the fields below
	lines   [][]byte   // queued, oldest first
	writing bool       // someone writes the queue until it is empty
	err     error      // the first write that failed; nothing is written after it
}

// put queues line. It reports whether the caller is now the writer and
// must call flush, because no one else writes, or the error of an earlier
// write, after which the line is not queued.
func (o *outbox) put(line []byte) (writer bool, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return false, fmt.Errorf("%w: %w", errWriteFailed, o.err)
	}
	o.lines = append(o.lines, line)
	if o.writing {
		return false, nil
	}
	o.writing = true
	return true, nil
}

// flush writes the queued lines with write until none is left, and
// returns the error of the first line, which is the writer's own, or nil.
// A line that fails ends the writing for good: the lines still queued, and
// those put later, are dropped, and failed, if not nil, is told, for their
// senders no longer wait on the write.
func (o *outbox) flush(write func([]byte) error, failed func(error)) error {
	for first := true; ; first = false {
		o.mu.Lock()
		if len(o.lines) == 0 {
			o.writing = false
			o.lines = nil // the array may be large after a burst
			o.mu.Unlock()
			return nil
		}
		line := o.lines[0]
		o.lines[0] = nil
		o.lines = o.lines[1:]
		o.mu.Unlock()
		if err := write(line); err != nil {
			o.mu.Lock()
			o.err = err
			o.lines = nil
			o.writing = false
			o.mu.Unlock()
			if failed != nil {
				failed(err)
			}
			if first {
				return err
			}
			return nil
		}
	}
}
