package pyruntime

import (
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// jobGroup is a Job Object holding the interpreter and every process it
// starts (children join their parent's job). The job is created with
// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE and its only handle is the server's,
// not inherited by anyone: when the handle closes (release, or the server's
// exit however it happens) Windows terminates every process still in it.
type jobGroup struct {
	mu       sync.Mutex     // guards the fields below: kill may race release
	job      windows.Handle // zero until started, and after release
	released bool
}

func newProcessGroup() processGroup { return &jobGroup{} }

// prepare starts the process suspended, so it cannot start a child before
// it is in the job; in a new console process group, so a console's Ctrl-C
// reaches the server only (interrupts travel in-band); and without a
// console window of its own: its stdio are pipes.
func (g *jobGroup) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: windows.CREATE_SUSPENDED | windows.CREATE_NEW_PROCESS_GROUP | windows.CREATE_NO_WINDOW,
	}
}

// started puts the suspended process in a new kill-on-close job and lets it run.
func (g *jobGroup) started(cmd *exec.Cmd) error {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return fmt.Errorf("create job object: %w", err)
	}
	g.mu.Lock()
	g.job = job
	g.mu.Unlock()
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{
			LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
		},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		return fmt.Errorf("set job object limits: %w", err)
	}
	pid := uint32(cmd.Process.Pid)
	// Suspended, the process cannot exit, so its pid cannot be reused yet.
	proc, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, pid)
	if err != nil {
		return fmt.Errorf("open process %d: %w", pid, err)
	}
	defer windows.CloseHandle(proc)
	if err := windows.AssignProcessToJobObject(job, proc); err != nil {
		return fmt.Errorf("assign process %d to its job object: %w", pid, err)
	}
	return resumeProcess(pid)
}

// kill terminates every process in the job. Before started, there is only
// the process itself.
// After release there is nothing left to kill.
func (g *jobGroup) kill(cmd *exec.Cmd) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.released:
		return nil
	case g.job == 0:
		return cmd.Process.Kill()
	}
	return windows.TerminateJobObject(g.job, 1)
}

// killLeftovers does nothing: release, which follows the process's exit,
// closes the job's handle, and that ends whatever is left in the job.
func (g *jobGroup) killLeftovers(*exec.Cmd) error { return nil }

// release closes the job's handle, which ends whatever is still in it.
func (g *jobGroup) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job != 0 {
		_ = windows.CloseHandle(g.job) // a handle we own; closing cannot fail usefully
		g.job = 0
	}
	g.released = true
}

// resumeProcess resumes the threads of the process pid, started suspended:
// only its main thread exists then. os/exec closes the thread handle
// CreateProcess returns, so the thread is found by a snapshot.
func resumeProcess(pid uint32) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return fmt.Errorf("resume process %d: snapshot threads: %w", pid, err)
	}
	defer windows.CloseHandle(snap)
	entry := windows.ThreadEntry32{Size: uint32(unsafe.Sizeof(windows.ThreadEntry32{}))}
	resumed := 0
	for err = windows.Thread32First(snap, &entry); err == nil; err = windows.Thread32Next(snap, &entry) {
		if entry.OwnerProcessID != pid {
			continue
		}
		thread, err := windows.OpenThread(windows.THREAD_SUSPEND_RESUME, false, entry.ThreadID)
		if err != nil {
			return fmt.Errorf("resume process %d: open thread %d: %w", pid, entry.ThreadID, err)
		}
		_, err = windows.ResumeThread(thread)
		windows.CloseHandle(thread)
		if err != nil {
			return fmt.Errorf("resume process %d: thread %d: %w", pid, entry.ThreadID, err)
		}
		resumed++
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return fmt.Errorf("resume process %d: list threads: %w", pid, err)
	}
	if resumed == 0 {
		return fmt.Errorf("resume process %d: it has no thread", pid)
	}
	return nil
}
