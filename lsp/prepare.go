package lsp

import (
	"sync"
	"time"

	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// prepareDelay is how long a document's text must stay unchanged before the
// runtime compiles it ahead of its save (reload.Engine.Prepare): once per
// pause in typing, not once per keystroke, whose changes come 100 to 300 ms
// apart. A save sooner than this after the last change compiles the text
// itself, as it would without preparing.
const prepareDelay = 100 * time.Millisecond

// preparer calls prepare for a document once its text has stayed unchanged
// for prepareDelay. The zero value is not usable; see newPreparer.
type preparer struct {
	prepare func(uri.URI)

	mu     sync.Mutex
	timers map[uri.URI]*time.Timer
}

func newPreparer(prepare func(uri.URI)) *preparer {
	return &preparer{prepare: prepare, timers: make(map[uri.URI]*time.Timer)}
}

// changed (re)starts u's wait: its text just changed.
func (p *preparer) changed(u uri.URI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.timers[u]; t != nil {
		t.Stop()
	}
	var t *time.Timer
	t = time.AfterFunc(prepareDelay, func() {
		p.mu.Lock()
		current := p.timers[u] == t
		if current {
			delete(p.timers, u)
		}
		p.mu.Unlock()
		if current {
			p.prepare(u)
		}
	})
	p.timers[u] = t
}

// cancel forgets u's wait: it was saved (the save compiles what it reads)
// or closed.
func (p *preparer) cancel(u uri.URI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.timers[u]; t != nil {
		t.Stop()
		delete(p.timers, u)
	}
}

// stop forgets every wait: the server is closing.
func (p *preparer) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for u, t := range p.timers {
		t.Stop()
		delete(p.timers, u)
	}
}

// prepareDocument has the runtime compile the editor's text of u, a Python
// file of the workspace, ahead of its save. Nothing happens if no engine
// or no runtime runs yet, or the document is closed.
func (s *server) prepareDocument(u uri.URI) {
	path, ok := pythonFile(u)
	if !ok || !s.inWorkspace(path) {
		return
	}
	text, ok := s.documentText(u)
	if !ok {
		return
	}
	e := s.engineNow()
	if e == nil {
		return
	}
	kept, err := e.Prepare(s.ctx, path, text)
	if err != nil {
		s.logger.Debug("prepare", zap.String("path", path), zap.Error(err))
		return
	}
	s.logger.Debug("prepared", zap.String("path", path), zap.Bool("kept", kept))
}
