package pyruntimetest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that a process's output copier (exec.Cmd's
// Stdout or Stderr, a server's goroutines) can write to while the test
// reads it. The zero value is an empty buffer.
type Buffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
