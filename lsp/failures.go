package lsp

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// failureOwnerPrefix starts the diagnostics owner of each distinct failure.
const failureOwnerPrefix = "failure:"

// failureRepublish is the shortest time between two publications of one
// failure's diagnostics: a request failing in a tight loop would otherwise
// send the editor a publishDiagnostics per failure just to bump a count.
// 250 ms still reads as live.
const failureRepublish = 250 * time.Millisecond

// failureRecord is one distinct failure of the running program and how
// many times it happened since it was last cleared.
type failureRecord struct {
	failure   *reload.Failure // the latest occurrence
	count     int
	files     []string  // the files of its traceback
	last      time.Time // when it was last reported
	published time.Time // when its diagnostics were last published
	pending   bool      // a publication is scheduled
}

// reportFailure shows a failure of the running program: the first time,
// as diagnostics like a failed save's (an Error on the raising line of the
// innermost workspace frame, the calls that led there linked) and one
// message with the traceback in the log; each repeat only updates the
// count the diagnostics show, at most every failureRepublish.
func (s *server) reportFailure(f *reload.Failure) {
	key := f.Key()
	s.failuresMu.Lock()
	defer s.failuresMu.Unlock()
	rec := s.failures[key]
	first := rec == nil
	if first {
		rec = &failureRecord{}
		s.failures[key] = rec
	}
	rec.failure = f
	rec.last = time.Now()
	rec.count++
	rec.files = rec.files[:0]
	for _, fr := range f.Exception.Frames {
		rec.files = append(rec.files, fr.Path)
	}
	if wait := failureRepublish - time.Since(rec.published); !first && wait > 0 {
		if !rec.pending {
			rec.pending = true
			time.AfterFunc(wait, func() { s.publishFailure(key) })
		}
		return
	}
	s.publishFailureLocked(key, rec)
	if !first {
		return
	}
	summary := f.Exception.Summary()
	s.show(s.ctx, protocol.MessageTypeError, fmt.Sprintf("hotload: %s %s%s", summary, f.Describe(), where(f.Exception)))
	log := fmt.Sprintf("hotload: %s %s", summary, f.Describe())
	if f.Message != "" {
		log += ": " + f.Message
	}
	s.log(s.ctx, protocol.MessageTypeError, log+"\n"+f.Exception.Text)
}

// publishFailure publishes the diagnostics of the failure key, unless it
// was cleared meanwhile.
func (s *server) publishFailure(key string) {
	s.failuresMu.Lock()
	defer s.failuresMu.Unlock()
	if rec := s.failures[key]; rec != nil {
		s.publishFailureLocked(key, rec)
	}
}

// publishFailureLocked publishes rec's diagnostics, with where it came from
// and its count in the message. Every change to a failure's diagnostics
// happens with failuresMu held, so a clear and a publication never cross.
func (s *server) publishFailureLocked(key string, rec *failureRecord) {
	rec.pending, rec.published = false, time.Now()
	f := rec.failure
	exc := *f.Exception
	times := ""
	if rec.count > 1 {
		times = fmt.Sprintf("; %d times", rec.count)
	}
	exc.Message = fmt.Sprintf("%s (%s%s)", exc.Message, f.Describe(), times)
	if f.Exception.Message == "" {
		exc.Message = fmt.Sprintf("(%s%s)", f.Describe(), times)
	}
	s.setDiagnostics(s.ctx, failureOwnerPrefix+key, exceptionDiagnostics(&exc, s.userCode("")))
}

// clearFailures forgets the failures last reported before since whose
// traceback passes through one of files, and their diagnostics; with files
// nil, every failure. A failure of the run that clears (a thread the saved
// module started) stays.
func (s *server) clearFailures(ctx context.Context, files []string, since time.Time) {
	s.failuresMu.Lock()
	defer s.failuresMu.Unlock()
	for key, rec := range s.failures {
		if rec.last.After(since) {
			continue
		}
		if files == nil || slices.ContainsFunc(rec.files, func(f string) bool { return slices.Contains(files, f) }) {
			delete(s.failures, key)
			s.setDiagnostics(ctx, failureOwnerPrefix+key, nil)
		}
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
		if isLibraryPath(path) {
			return false
		}
		return reload.Layout{Roots: roots}.Contains(path)
	}
}
