package pyruntime

import "os/exec"

// processGroup is what the operating system does for each interpreter the
// server starts: it starts the interpreter in a group of its own, which
// also holds every process the interpreter starts; it kills that group at
// once; it kills what is left in the group when the interpreter exits by
// itself; and it makes the group die with the server, even a server killed
// with SIGKILL, so no Python outlives hotload. Each OS has its file:
//
//   - Linux (platform_linux.go): a process group (Setpgid), killed with
//     kill(-pgid, SIGKILL); the kernel's parent-death signal kills the
//     interpreter when the server dies. An exit is seen before the reap
//     with waitid's WNOWAIT.
//   - macOS (platform_darwin.go): a process group as on Linux. macOS has no
//     parent-death signal: the interpreter exits when its protocol channel
//     closes, which the kernel does for a killed server, and the agent also
//     watches its parent with kqueue (NOTE_EXIT) and exits with it. An exit
//     is seen before the reap with kqueue's NOTE_EXIT too.
//   - Windows (platform_windows.go): a Job Object with
//     JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, which holds the interpreter and
//     every process it starts; killing the group terminates the job, and the
//     job dies when its handle closes (so do the leftovers of an exit), at
//     the latest when the server exits.
//
// Interrupting running code is not part of it: on every OS an interrupt
// travels in-band as an "interrupt" request, and the agent raises
// KeyboardInterrupt in its own main thread (pthread_kill of SIGINT on Unix,
// signal.raise_signal on Windows), so it works alike over ssh and docker
// exec and never signals a process group.
type processGroup interface {
	// prepare sets cmd up, before it starts, to start in a group of its own
	// that dies with the server.
	prepare(cmd *exec.Cmd)
	// started takes the process into the group once cmd has started. If it
	// returns an error, the process is not under control: the caller kills
	// it and reports the error.
	started(cmd *exec.Cmd) error
	// kill ends the process and everything in its group.
	kill(cmd *exec.Cmd) error
	// killLeftovers waits until the process has exited, then kills what
	// it left in its group (the subprocesses user code started), before
	// cmd.Wait reaps it: until the reap, the group's id cannot name
	// anyone else's processes. The caller calls it once the process has
	// closed its stdout, and then reaps it whatever it returns.
	killLeftovers(cmd *exec.Cmd) error
	// release frees what the group holds, once the process has been waited
	// for. Processes still in the group die with it where the OS allows.
	release()
}

// processGroup returns a new group for an interpreter about to start.
func (c *Config) processGroup() processGroup {
	if c.newGroup != nil {
		return c.newGroup()
	}
	return newProcessGroup()
}
