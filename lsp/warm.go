package lsp

import (
	"sync"
	"time"

	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// warmInterval is how often the runtime is warmed (reload.Engine.Warm)
// between the editor's willSave of a document and its didSave. After a few
// hundred milliseconds idle, a save's round trip through the runtime took
// 850 to 950 µs on this project's 2-core VM (Python 3.13, a one-line
// module); a warm-up 1 to 15 ms before it took 200 µs of that off, one
// 30 ms before nothing. VS Code (code-server 4.139.1) sent didSave 22 to
// 46 ms after willSave, so one warm-up at willSave would come too early:
// the runtime is warmed every 10 ms until the save comes.
const warmInterval = 10 * time.Millisecond

// warmFor bounds the warming after a willSave: a save that never comes (it
// failed, or another extension's participant took long) stops it.
const warmFor = 250 * time.Millisecond

// warmer calls warm for a document every warmInterval from its willSave
// until its didSave, for warmFor at most. The zero value is not usable;
// see newWarmer.
type warmer struct {
	warm func(uri.URI)

	mu sync.Mutex
	// warming holds, for each document warmed now, the token of its
	// warming: a willSave after a didSave starts a new one, and the old
	// one's pending step sees it is not current.
	warming map[uri.URI]*struct{}
}

func newWarmer(warm func(uri.URI)) *warmer {
	return &warmer{warm: warm, warming: make(map[uri.URI]*struct{})}
}

// willSave starts warming for u, unless it is warmed already: the editor
// is about to save it.
func (w *warmer) willSave(u uri.URI) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.warming[u] != nil {
		return
	}
	token := new(struct{})
	w.warming[u] = token
	deadline := time.Now().Add(warmFor)
	var step func()
	step = func() {
		if !w.current(u, token, deadline) {
			return
		}
		w.warm(u)
		if w.current(u, token, deadline) {
			time.AfterFunc(warmInterval, step)
		}
	}
	time.AfterFunc(0, step)
}

// current reports whether token still warms u and its time is not up; if
// the time is up, u's warming ends.
func (w *warmer) current(u uri.URI, token *struct{}, deadline time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.warming[u] != token {
		return false
	}
	if !time.Now().Before(deadline) {
		delete(w.warming, u)
		return false
	}
	return true
}

// saved stops warming u: its save (or close) has come.
func (w *warmer) saved(u uri.URI) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.warming, u)
}

// stop stops all warming: the server is closing.
func (w *warmer) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.warming)
}

// warmDocument warms the runtime for the save of u, a Python file of the
// workspace the editor is about to save. Nothing happens if no engine or
// no runtime runs yet.
func (s *server) warmDocument(u uri.URI) {
	path, ok := pythonFile(u)
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
