package lsp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// failureOwnerPrefix starts the diagnostics owner of each distinct failure.
const failureOwnerPrefix = "failure:"

// failureRecord is one distinct failure of the running program and how
// many times it happened since it was last cleared.
type failureRecord struct {
	failure *reload.Failure // the latest occurrence
	count   int
	files   []string  // the files of its traceback
	last    time.Time // when it was last reported
}

// reportFailure shows a failure of the running program: the first time,
// as diagnostics like a failed save's (an Error on the raising line of the
// innermost workspace frame, the calls that led there linked) and one
// message with the traceback in the log; each repeat only updates the
// count the diagnostics show.
func (s *server) reportFailure(f *reload.Failure) {
	ctx := s.ctx
	key := f.Key()
	s.failuresMu.Lock()
	rec := s.failures[key]
	first := rec == nil
	if first {
		rec = &failureRecord{}
		s.failures[key] = rec
	}
	rec.failure = f
	rec.last = time.Now()
	rec.count++
	count := rec.count
	rec.files = rec.files[:0]
	for _, fr := range f.Exception.Frames {
		rec.files = append(rec.files, fr.Path)
	}
	s.failuresMu.Unlock()

	exc := *f.Exception
	times := ""
	if count > 1 {
		times = fmt.Sprintf("; %d times", count)
	}
	exc.Message = fmt.Sprintf("%s (%s%s)", exc.Message, f.Describe(), times)
	if f.Exception.Message == "" {
		exc.Message = fmt.Sprintf("(%s%s)", f.Describe(), times)
	}
	diags := exceptionDiagnostics(&exc, s.userCode(""))
	s.setDiagnostics(ctx, failureOwnerPrefix+key, diags)
	if !first {
		return
	}
	summary := f.Exception.Summary()
	s.show(ctx, protocol.MessageTypeError, fmt.Sprintf("hotload: %s %s%s", summary, f.Describe(), where(f.Exception)))
	log := fmt.Sprintf("hotload: %s %s", summary, f.Describe())
	if f.Message != "" {
		log += ": " + f.Message
	}
	s.log(ctx, protocol.MessageTypeError, log+"\n"+f.Exception.Text)
}

// clearFailures forgets the failures last reported before since whose
// traceback passes through one of files, and their diagnostics; with files
// nil, every failure. A failure of the run that clears (a thread the saved
// module started) stays.
func (s *server) clearFailures(ctx context.Context, files []string, since time.Time) {
	s.failuresMu.Lock()
	var owners []string
	for key, rec := range s.failures {
		if rec.last.After(since) {
			continue
		}
		if files == nil || slices.ContainsFunc(rec.files, func(f string) bool { return slices.Contains(files, f) }) {
			delete(s.failures, key)
			owners = append(owners, failureOwnerPrefix+key)
		}
	}
	s.failuresMu.Unlock()
	for _, owner := range owners {
		s.setDiagnostics(ctx, owner, nil)
	}
}

// userCode returns a test for the files whose frames become diagnostics:
// those in the workspace folders (or, with none, in fallbackDir) and extra
// paths, but not installed libraries, even ones in a virtual environment
// inside the workspace.
func (s *server) userCode(fallbackDir string) func(string) bool {
	s.stateMu.Lock()
	roots := slices.Clone(s.folders)
	s.stateMu.Unlock()
	if len(roots) == 0 && fallbackDir != "" {
		roots = []string{fallbackDir}
	}
	s.engineMu.Lock()
	if s.engine != nil {
		roots = append(roots, s.engine.Layout().Roots...) // extra paths, resolved
	}
	s.engineMu.Unlock()
	return func(path string) bool {
		if strings.Contains(path, "/site-packages/") || strings.Contains(path, "/dist-packages/") {
			return false
		}
		return reload.Layout{Roots: roots}.Contains(path)
	}
}
