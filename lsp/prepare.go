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
// for prepareDelay, or at once while the editor has announced its save
// (willSave): the save comes within milliseconds, and a compile started
// then is that much further on when it does. One prepare runs per
// document at a time; changes meanwhile make one more, of the latest text,
// once it ends. The zero value is not usable; see newPreparer.
type preparer struct {
	prepare func(uri.URI)

	mu    sync.Mutex
	waits map[uri.URI]*wait
	// announced holds, for each document whose save the editor announced,
	// when the announcement lapses (warmFor after it, as for the warming):
	// a save that never came, because it failed or was cancelled.
	announced map[uri.URI]time.Time
	// running holds the documents being prepared, each with whether its
	// text changed again meanwhile and is to be prepared once more.
	running map[uri.URI]bool
}

func newPreparer(prepare func(uri.URI)) *preparer {
	return &preparer{
		prepare:   prepare,
		waits:     make(map[uri.URI]*wait),
		announced: make(map[uri.URI]time.Time),
		running:   make(map[uri.URI]bool),
	}
}

// changed (re)starts u's wait: its text just changed. While u's save is
// announced (a formatter's edit on save) there is no wait.
func (p *preparer) changed(u uri.URI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w := p.waits[u]; w != nil {
		w.timer.Stop()
	}
	delay := prepareDelay
	if p.announcedLocked(u) {
		delay = 0
	}
	w := &wait{}
	w.timer = time.AfterFunc(delay, func() { p.fire(u, w) })
	p.waits[u] = w
}

// wait is one document's wait for a pause; a change replaces it.
type wait struct {
	timer *time.Timer
}

// willSave ends u's wait at once and prepares its changes until its save
// without one: the editor announced the save, which comes a few
// milliseconds later (22 to 46 in VS Code), and a text changed less than
// prepareDelay before it (a save right after typing) would otherwise be
// compiled by the save itself.
func (p *preparer) willSave(u uri.URI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.announced[u] = time.Now().Add(warmFor)
	if w := p.waits[u]; w != nil {
		w.timer.Reset(0)
	}
}

// announcedLocked reports whether u's save is announced and has not
// lapsed. The caller holds mu.
func (p *preparer) announcedLocked(u uri.URI) bool {
	deadline, ok := p.announced[u]
	if ok && !time.Now().Before(deadline) {
		delete(p.announced, u)
		return false
	}
	return ok
}

// fire prepares u when its wait w ends, unless a later change or the save
// replaced w; if u is being prepared, it is prepared again once that ends.
func (p *preparer) fire(u uri.URI, w *wait) {
	p.mu.Lock()
	if p.waits[u] != w {
		p.mu.Unlock()
		return
	}
	delete(p.waits, u)
	if _, busy := p.running[u]; busy {
		p.running[u] = true
		p.mu.Unlock()
		return
	}
	for {
		p.running[u] = false
		p.mu.Unlock()
		p.prepare(u)
		p.mu.Lock()
		if !p.running[u] {
			delete(p.running, u)
			p.mu.Unlock()
			return
		}
	}
}

// cancel forgets u's wait and announcement: it was saved (the save
// compiles what it reads) or closed. A prepare running now ends as it is.
func (p *preparer) cancel(u uri.URI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w := p.waits[u]; w != nil {
		w.timer.Stop()
		delete(p.waits, u)
	}
	delete(p.announced, u)
	if _, busy := p.running[u]; busy {
		p.running[u] = false
	}
}

// stop forgets every wait: the server is closing.
func (p *preparer) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for u, w := range p.waits {
		w.timer.Stop()
		delete(p.waits, u)
	}
	clear(p.announced)
	for u := range p.running {
		p.running[u] = false
	}
}

// prepareDocument has the runtime compile the editor's text of u, a Python
// file of the workspace, ahead of its save. Nothing happens if no engine
// or no runtime runs yet, or the document is closed.
func (s *server) prepareDocument(u uri.URI) {
	path, ok := s.workspaceFile(u)
	if !ok {
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
