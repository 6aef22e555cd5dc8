package main

import (
	"os/exec"
	"syscall"
)

// dieWithBench makes the kernel kill a process the bench started (the
// server, a peer tool's Python) if the bench dies; the server, by its own
// guarantee, takes its Python with it.
func dieWithBench(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
