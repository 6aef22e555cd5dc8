// Package pyruntime starts and talks to a long-lived Python process.
//
// The process runs a small agent (the Python package in agent/, embedded in
// the binary and sent over stdin at start, so nothing is installed next to
// the interpreter). The agent serves line-delimited JSON requests on its original stdin/stdout while
// user code runs with fd 0 at /dev/null and fd 1 pointed at stderr.
//
// A [Runtime] supervises one such process: it starts it lazily or eagerly,
// restarts it with backoff when it dies, interrupts running code and kills the
// process when the code does not stop within a grace period.
//
// The agent does the Python side of a reload: it updates old functions and
// classes in place so existing references run the new code, re-runs the
// loaded workspace modules that import the reloaded one (found from their
// source, never by scanning the heap), and rolls every module back if any of
// them fails. The Go side does not know about modules, import graphs or
// editors: it runs requests and reports what the process said.
//
// Package pyruntime never leaves a process behind: the process runs in its
// own process group, is killed with the server (Linux parent-death signal)
// and exits on its own when its protocol channel closes.
package pyruntime
