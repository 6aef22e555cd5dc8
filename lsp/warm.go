package lsp

import (
	"sync"
	"time"

	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// warmInterval is how often the runtime is warmed (reload.Engine.Warm)
// between the editor's willSave of a document and its didSave, for the
// first warmDenseFor. After a few hundred milliseconds idle, a save's round
// trip through the runtime took 850 to 950 µs on this project's 2-core VM
// (Python 3.13, a one-line module); a warm-up 1 to 15 ms before it took
// 200 µs of that off, one 30 ms before nothing. What a warm-up brings back
// into the processor's caches is mostly gone again 2 to 5 ms later, idle
// or busy (docs/design.md, "Where a small save's time goes"): with
// warm-ups 10 ms apart a save came on average 5 ms after the last and
// gained nothing measurable. Every millisecond, the bench's typed-first
// saves (willSave 20 ms ahead) took 1.4–1.5 ms against 1.7–1.9 ms for
// (a) and (c) of `hotload-bench -peers` (two alternated runs each way,
// 2026-12-03), for about 0.23 ms of processor time per warm-up, server
// and runtime together.
const warmInterval = time.Millisecond

// warmDenseFor is how long after a willSave the runtime is warmed every
// warmInterval: VS Code (code-server 4.139.1) sent didSave 22 to 46 ms
// after willSave. A save that takes longer to come (a slow formatter on
// save) is warmed every warmLateInterval from then on, so a long wait
// costs at most about 70 warm-ups, some 16 ms of processor time, rather
// than 250.
const warmDenseFor = 50 * time.Millisecond

// warmLateInterval is how often the runtime is warmed after warmDenseFor,
// until warmFor.
const warmLateInterval = 10 * time.Millisecond

// warmFor bounds the warming after a willSave: a save that never comes (it
// failed, or another extension's participant took long) stops it.
const warmFor = 250 * time.Millisecond

// warmer calls warm for the document last announced by willSave, every
// warmInterval (then every warmLateInterval) until its didSave, for
// warmFor at most. One document is
// warmed at a time: the warm-up is for the runtime, which every save runs
// in, and "Save All" of many files must not multiply the requests. The
// zero value is not usable; see newWarmer.
type warmer struct {
	warm func(uri.URI)

	mu sync.Mutex
	// doc is the document warmed now, if warming; generation counts the
	// warmings started, and tells this one's steps from a later one's.
	doc        uri.URI
	warming    bool
	generation uint64
}

func newWarmer(warm func(uri.URI)) *warmer {
	return &warmer{warm: warm}
}

// willSave warms the runtime for u's save, unless it does already: the
// editor is about to save it.
func (w *warmer) willSave(u uri.URI) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.warming && w.doc == u {
		return
	}
	w.generation++
	w.doc, w.warming = u, true
	generation := w.generation
	began := time.Now()
	deadline := began.Add(warmFor)
	var step func()
	step = func() {
		if !w.current(generation, deadline) {
			return
		}
		w.warm(u)
		if w.current(generation, deadline) {
			time.AfterFunc(warmIntervalAt(time.Since(began)), step)
		}
	}
	time.AfterFunc(0, step)
}

// warmIntervalAt is the wait before the next warm-up, since a willSave.
func warmIntervalAt(since time.Duration) time.Duration {
	if since < warmDenseFor {
		return warmInterval
	}
	return warmLateInterval
}

// current reports whether generation is the warming now and its time is
// not up; if the time is up, the warming ends.
func (w *warmer) current(generation uint64, deadline time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.warming || w.generation != generation {
		return false
	}
	if !time.Now().Before(deadline) {
		w.warming = false
		return false
	}
	return true
}

// saved ends the warming for u, if it is u's: its save (or close) has
// come.
func (w *warmer) saved(u uri.URI) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.doc == u {
		w.warming = false
	}
}

// stop ends the warming: the server is closing.
func (w *warmer) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warming = false
}

// warmDocument warms the runtime for the save of u, a Python file of the
// workspace the editor is about to save. Nothing happens if no engine or
// no runtime runs yet.
func (s *server) warmDocument(u uri.URI) {
	path, ok := s.workspaceFile(u)
	if !ok {
		return
	}
	e := s.engineNow()
	if e == nil {
		return
	}
	warmed, err := e.Warm(s.ctx, path)
	if err != nil {
		s.logger.Debug("warm", zap.String("path", path), zap.Error(err))
		return
	}
	s.logger.Debug("warmed", zap.String("path", path), zap.Bool("loaded", warmed))
}
