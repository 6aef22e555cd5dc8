// Package pyruntimetest provides helpers for tests that run Python processes:
// checking that none outlives what started it, and sharing their output.
package pyruntimetest

import (
	"testing"
	"time"
)

// WaitGone fails the test if pid is still running after timeout. The
// timeout guards against a hang; it is not a claim about speed.
func WaitGone(t testing.TB, pid int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !Gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("python process %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
