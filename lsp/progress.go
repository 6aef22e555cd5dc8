package lsp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// progressDelay is how long the runtime must be busy before the editor shows
// it as work in progress: a reload that takes milliseconds shows nothing,
// one a person would wait for shows at once.
const progressDelay = 250 * time.Millisecond

// progressClient is the part of the client that shows work done progress.
type progressClient interface {
	WorkDoneProgressCreate(ctx context.Context, params *protocol.WorkDoneProgressCreateParams) error
	Progress(ctx context.Context, params *protocol.ProgressParams) error
}

// progressTokens numbers the progress tokens of one server, kind by kind:
// "hotload/run/1", "hotload/start/1".
type progressTokens struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *progressTokens) next(kind string) protocol.String {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = make(map[string]int)
	}
	t.n[kind]++
	return protocol.String(fmt.Sprintf("hotload/%s/%d", kind, t.n[kind]))
}

// runProgress shows the runtime's busy spells as cancellable work done
// progress: a spell that lasts progressDelay begins one, each run that
// starts in it says its module, and the end of the last run ends it.
// Cancelling it interrupts the code (onCancel). A nil client shows nothing.
type runProgress struct {
	client   progressClient
	ctx      context.Context
	tokens   *progressTokens
	delay    time.Duration
	onCancel func()
	logger   *zap.Logger

	mu      sync.Mutex // guards the fields below
	running int        // runs started and not finished
	module  string     // the module of the run that started last
	spell   int        // counts busy spells, so a late timer knows its own
	timer   *time.Timer
	shown   *shownProgress // the progress on screen, or nil
}

// shownProgress is one progress on the editor's screen. Its updates are
// sent in order by one goroutine: create, begin, a report per module, end.
type shownProgress struct {
	token   protocol.String
	updates chan string // modules to report; closed to end the progress
}

// started records that code of module started running.
func (p *runProgress) started(module string) {
	if p.client == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running++
	p.module = module
	switch {
	case p.running == 1:
		p.spell++
		spell := p.spell
		p.timer = time.AfterFunc(p.delay, func() { p.show(spell) })
	case p.shown != nil:
		select {
		case p.shown.updates <- module:
		default: // the editor lags behind: it will see a later module
		}
	}
}

// finished records that a run finished.
func (p *runProgress) finished() {
	if p.client == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running == 0 {
		return
	}
	p.running--
	if p.running > 0 {
		return
	}
	p.timer.Stop()
	if p.shown != nil {
		close(p.shown.updates)
		p.shown = nil
	}
}

// show begins the progress of busy spell, unless it is over.
func (p *runProgress) show(spell int) {
	p.mu.Lock()
	if spell != p.spell || p.running == 0 {
		p.mu.Unlock()
		return
	}
	shown := &shownProgress{token: p.tokens.next("run"), updates: make(chan string, 8)}
	p.shown = shown
	module := p.module
	p.mu.Unlock()

	if err := p.client.WorkDoneProgressCreate(p.ctx, &protocol.WorkDoneProgressCreateParams{Token: shown.token}); err != nil {
		p.logger.Debug("window/workDoneProgress/create", zap.Error(err))
		for range shown.updates {
		}
		return
	}
	yes := true
	p.send(shown.token, &protocol.WorkDoneProgressBegin{Kind: "begin", Title: "hotload", Cancellable: &yes, Message: running(module)})
	for module := range shown.updates {
		p.send(shown.token, &protocol.WorkDoneProgressReport{Kind: "report", Message: running(module)})
	}
	p.send(shown.token, &protocol.WorkDoneProgressEnd{Kind: "end"})
}

func running(module string) *string {
	msg := "running " + module
	return &msg
}

func (p *runProgress) send(token protocol.String, value any) {
	data, err := protocol.Marshal(value)
	if err != nil {
		p.logger.Error("encode $/progress", zap.Error(err))
		return
	}
	if err := p.client.Progress(p.ctx, &protocol.ProgressParams{Token: token, Value: protocol.LSPAny(data)}); err != nil {
		p.logger.Debug("$/progress", zap.Error(err))
	}
}

// cancel interrupts the code if token is the progress on screen, and
// reports whether it was.
func (p *runProgress) cancel(token protocol.ProgressToken) bool {
	p.mu.Lock()
	mine := p.shown != nil && token == p.shown.token
	p.mu.Unlock()
	if mine {
		p.onCancel()
	}
	return mine
}

// startProgress shows a runtime start that imports preloads, which can take
// seconds, as work done progress, and returns the function that ends it.
// It is not cancellable: the start ends on its own.
func (s *server) startProgress(preload []string) (end func()) {
	if s.progress.client == nil || len(preload) == 0 {
		return func() {}
	}
	token := s.progress.tokens.next("start")
	if err := s.client.WorkDoneProgressCreate(s.ctx, &protocol.WorkDoneProgressCreateParams{Token: token}); err != nil {
		s.logger.Debug("window/workDoneProgress/create", zap.Error(err))
		return func() {}
	}
	msg := "importing " + strings.Join(preload, ", ")
	s.progress.send(token, &protocol.WorkDoneProgressBegin{Kind: "begin", Title: "hotload: starting Python", Message: &msg})
	return func() { s.progress.send(token, &protocol.WorkDoneProgressEnd{Kind: "end"}) }
}

// interruptFromProgress interrupts the running code: the user cancelled its
// progress.
func (s *server) interruptFromProgress() {
	if e := s.engineNow(); e != nil {
		if _, err := e.Interrupt(s.ctx); err != nil {
			s.logger.Warn("interrupt", zap.Error(err))
		}
	}
}

// WorkDoneProgressCancel interrupts the running code when the user cancels
// its progress.
func (s *server) WorkDoneProgressCancel(ctx context.Context, params *protocol.WorkDoneProgressCancelParams) error {
	s.progress.cancel(params.Token)
	return nil
}
