//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The editor's pipe is read through the poller (only a polled file takes
// a deadline), by a descriptor of its own; a file is left as it is.
func TestPollableReadsPipesThroughThePoller(t *testing.T) {
	for _, tc := range []struct {
		name   string
		open   func(t *testing.T) *os.File
		polled bool
	}{
		{name: "a pipe", polled: true, open: func(t *testing.T) *os.File {
			// Blocking, as an inherited stdin is (os.Pipe's are polled).
			var fds [2]int
			if err := unix.Pipe(fds[:]); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Close(fds[1]) })
			return os.NewFile(uintptr(fds[0]), "stdin")
		}},
		{name: "a file", polled: false, open: func(t *testing.T) *os.File {
			f, err := os.Create(filepath.Join(t.TempDir(), "input"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.open(t)
			if err := f.SetReadDeadline(time.Now()); !errors.Is(err, os.ErrNoDeadline) {
				t.Fatalf("before: SetReadDeadline = %v, want ErrNoDeadline (a blocking file)", err)
			}
			got := pollable(f)
			t.Cleanup(func() { f.Close() })
			err := got.SetReadDeadline(time.Now().Add(time.Hour))
			if polled := err == nil; polled != tc.polled {
				t.Errorf("after: SetReadDeadline = %v; polled %v, want %v", err, polled, tc.polled)
			}
			if got == f {
				return
			}
			// A new file owns a descriptor of its own: closing it leaves
			// f's alone, so neither is closed twice.
			if got.Fd() == f.Fd() {
				t.Fatalf("the polled file shares descriptor %d with f: both would close it", got.Fd())
			}
			if err := got.Close(); err != nil {
				t.Fatal(err)
			}
			var st unix.Stat_t
			if err := unix.Fstat(int(f.Fd()), &st); err != nil {
				t.Errorf("f's descriptor after the polled file's Close: %v", err)
			}
		})
	}
}
