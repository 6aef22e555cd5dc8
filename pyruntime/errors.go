package pyruntime

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// ErrInterrupted reports that running code was interrupted and did not stop
// within the grace period, so the process was killed. Code that stops in time
// raises KeyboardInterrupt instead, reported like any other exception.
var ErrInterrupted = errors.New("pyruntime: interrupted")

// ErrTimedOut reports that code ran longer than its request's Timeout and
// did not stop within the grace period of the interrupt, so the process was
// killed. It comes wrapped together with ErrInterrupted. Code that stops in
// time raises KeyboardInterrupt, and the reply says TimedOut.
var ErrTimedOut = errors.New("pyruntime: timed out")

// ErrClosed reports a call on a Runtime that has been closed, or a process
// killed because its Runtime was closed or restarted.
var ErrClosed = errors.New("pyruntime: runtime closed")

// ExitError reports that the Python process exited while it was expected to run.
type ExitError struct {
	// Code is the exit status, or -1 when a signal ended the process.
	Code int
	// Signal is the signal that ended the process; zero if it exited by itself.
	Signal syscall.Signal
	// Stderr holds the last lines the process wrote to stderr, which usually
	// say why it died (a fatal error, a faulthandler traceback). Error
	// quotes one of them (whyLine); the log gets them all.
	Stderr string
}

// Error says how the process ended and quotes the line of its stderr that
// says why (whyLine).
func (e *ExitError) Error() string {
	var b strings.Builder
	if e.Signal != 0 {
		fmt.Fprintf(&b, "pyruntime: python killed by signal %d (%v)", int(e.Signal), e.Signal)
	} else {
		fmt.Fprintf(&b, "pyruntime: python exited with code %d", e.Code)
	}
	if why := whyLine(e.Stderr); why != "" {
		b.WriteString(": ")
		b.WriteString(why)
	}
	return b.String()
}

// NotFoundError reports that no Python interpreter could be found.
type NotFoundError struct {
	// Tried lists each place looked at, in order, with why it did not fit.
	Tried []string
	// Setting is the configured interpreter that could not be run, and
	// Reason why; both are empty when none was configured.
	Setting, Reason string
}

func (e *NotFoundError) Error() string {
	return "pyruntime: no Python interpreter found; tried " + strings.Join(e.Tried, ", ")
}

// StartError reports that the process could not be started or did not get ready.
type StartError struct {
	Argv []string // the command line tried
	Err  error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("pyruntime: start %q: %v", strings.Join(e.Argv, " "), e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }
