//go:build unix

package pyruntimetest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Gone reports whether the process pid has exited. A zombie counts as
// exited: it runs no code and its parent (or init) reaps it. Where there is
// no /proc (macOS), a zombie counts as running.
func Gone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if errors.Is(err, os.ErrNotExist) {
		if _, statErr := os.Stat("/proc/self/stat"); statErr != nil {
			return false // no /proc at all: kill said it exists
		}
		return true
	}
	return err != nil || strings.Contains(string(data), ") Z ")
}
