package main

import (
	"os/exec"
	"syscall"
)

// dieWithBench makes the kernel kill the server if the bench dies (and the
// server, by its own guarantee, takes its Python with it).
func dieWithBench(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
