package pyruntime

import (
	"syscall"
	"testing"
)

// Regression: a segfault's message quoted the last line of faulthandler's
// dump, a stack frame (`File "<string>", line 10 in <module>`), or its
// list of extension modules, instead of the line that says what happened.
func TestExitErrorQuotesTheLineThatSaysWhy(t *testing.T) {
	const segfault = "Fatal Python error: Segmentation fault\n\n" +
		"Thread 0x00007f2a1b7fe6c0 (most recent call first):\n" +
		"  File \"/agent/protocol.py\", line 40 in read_line\n\n" +
		"Current thread 0x00007f2a2b0b8740 (most recent call first):\n" +
		"  File \"/usr/lib/python3.11/ctypes/__init__.py\", line 519 in string_at\n" +
		"  File \"<string>\", line 10 in <module>\n"
	tests := []struct {
		name string
		exit ExitError
		want string
	}{
		{"a segfault: faulthandler's fatal error, not the last frame",
			ExitError{Code: -1, Signal: syscall.SIGSEGV, Stderr: segfault},
			"pyruntime: python killed by signal 11 (segmentation fault): Fatal Python error: Segmentation fault"},
		{"a segfault with extension modules listed after the frames",
			ExitError{Code: -1, Signal: syscall.SIGSEGV, Stderr: segfault + "\nExtension modules: numpy.core._multiarray_umath, numpy.random.mtrand (total: 2)\n"},
			"pyruntime: python killed by signal 11 (segmentation fault): Fatal Python error: Segmentation fault"},
		// SIGABRT's name differs: "aborted" on Linux, "abort trap" on macOS.
		{"CPython's own fatal error, followed by the runtime state",
			ExitError{Code: -1, Signal: syscall.SIGABRT, Stderr: "Fatal Python error: _enter_buffered_busy: could not acquire lock for <_io.BufferedWriter name='<stderr>'> at interpreter shutdown, possibly due to daemon threads\nPython runtime state: finalizing (tstate=0x0000563f0e2d1b58)\n\nCurrent thread 0x00007f2a2b0b8740 (most recent call first):\n  <no Python frame>\n"},
			"pyruntime: python killed by signal 6 (" + syscall.SIGABRT.String() + "): Fatal Python error: _enter_buffered_busy: could not acquire lock for <_io.BufferedWriter name='<stderr>'> at interpreter shutdown, possibly due to daemon threads"},
		{"a fatal error after earlier output",
			ExitError{Code: -1, Signal: syscall.SIGSEGV, Stderr: "loading model\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: handled and printed\n" + segfault},
			"pyruntime: python killed by signal 11 (segmentation fault): Fatal Python error: Segmentation fault"},
		{"Windows: faulthandler's access violation, with CRLF lines",
			ExitError{Code: -1073741819, Stderr: "Windows fatal exception: access violation\r\n\r\nCurrent thread 0x00001a2c (most recent call first):\r\n  File \"<string>\", line 2 in <module>\r\n"},
			"pyruntime: python exited with code -1073741819: Windows fatal exception: access violation"},
		{"a traceback: its exception line, not the note after it",
			ExitError{Code: 1, Stderr: "Traceback (most recent call last):\n  File \"<string>\", line 4, in <module>\n    raise e\nValueError: bad\na note\n"},
			"pyruntime: python exited with code 1: ValueError: bad"},
		{"a traceback with 3.11's markers and a message of two lines",
			ExitError{Code: 1, Stderr: "Traceback (most recent call last):\n  File \"/app/lib.py\", line 3, in <module>\n    x = f(1) + g(2)\n        ~~~~~^~~~~~\nRuntimeError: first line\nsecond line\n"},
			"pyruntime: python exited with code 1: RuntimeError: first line"},
		{"chained tracebacks: the last exception",
			ExitError{Code: 1, Stderr: "Traceback (most recent call last):\n  File \"<string>\", line 3, in <module>\nZeroDivisionError: division by zero\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"<string>\", line 5, in <module>\nKeyError: 'k'\n"},
			"pyruntime: python exited with code 1: KeyError: 'k'"},
		{"an exception group: the group's line, within its margin",
			ExitError{Code: 1, Stderr: "  + Exception Group Traceback (most recent call last):\n  |   File \"<string>\", line 1, in <module>\n  | ExceptionGroup: eg (2 sub-exceptions)\n  +-+---------------- 1 ----------------\n    | ValueError: x\n    +---------------- 2 ----------------\n    | TypeError: y\n    +------------------------------------\n"},
			"pyruntime: python exited with code 1: ExceptionGroup: eg (2 sub-exceptions)"},
		{"a syntax error without a traceback header: the last line",
			ExitError{Code: 1, Stderr: "  File \"<string>\", line 1\n    x = (\n        ^\nSyntaxError: '(' was never closed\n"},
			"pyruntime: python exited with code 1: SyntaxError: '(' was never closed"},
		{"a traceback cut short by the tail: the last line",
			ExitError{Code: 1, Stderr: "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"},
			"pyruntime: python exited with code 1: File \"<string>\", line 1, in <module>"},
		{"last words, then blank lines",
			ExitError{Code: 3, Stderr: "starting\nbye\n\n  \n"},
			"pyruntime: python exited with code 3: bye"},
		{"a last line without a newline",
			ExitError{Code: 3, Stderr: "bye\nhalf a line"},
			"pyruntime: python exited with code 3: half a line"},
		{"nothing said",
			ExitError{Code: -1, Signal: syscall.SIGKILL},
			"pyruntime: python killed by signal 9 (killed)"},
		{"only blank lines",
			ExitError{Code: 3, Stderr: "\n \n"},
			"pyruntime: python exited with code 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.exit.Error(); got != tt.want {
				t.Errorf("ExitError{Stderr: %q}.Error() =\n%q, want\n%q", tt.exit.Stderr, got, tt.want)
			}
		})
	}
}
