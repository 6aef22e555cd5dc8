package main

import (
	"errors"
	"io"
)

// stdio joins the process's stdin and stdout into the one stream an LSP
// connection runs over.
type stdio struct {
	io.Reader
	io.Writer
}

// Close closes whichever of the two sides can be closed, so that both the
// editor and a reader blocked on stdin see the connection end.
func (s stdio) Close() error {
	var errs []error
	if c, ok := s.Reader.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	if c, ok := s.Writer.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
