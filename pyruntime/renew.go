package pyruntime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.uber.org/zap"
)

// PreloadError reports preloads that failed to import in a zygote started
// to replace the current one (RenewZygote), where they had imported: the
// current zygote stays.
type PreloadError struct {
	// Errors maps each preload module that failed to import to why.
	Errors map[string]*Exception
}

func (e *PreloadError) Error() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(e.Errors)) {
		parts = append(parts, name+": "+e.Errors[name].Type+": "+e.Errors[name].Message)
	}
	return "pyruntime: preload failed in the new zygote: " + strings.Join(parts, "; ")
}

// ErrRenewalInterrupted is RenewZygote's outcome when an Interrupt ended
// the new zygote's import of the preloads: the current zygote stays.
var ErrRenewalInterrupted = errors.New("the preloads' import was interrupted")

// HoldsFile reports whether the zygote imported the file at path at its
// start (a preload, or a workspace module a preload imports): every worker
// forked from it starts with that file as it was then. It is false without
// a zygote (not started yet, a Python that cannot fork, an attached app).
func (r *Runtime) HoldsFile(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.zyg != nil && r.zyg.held[r.paths.toRemote(path)]
}

// RenewZygote starts a new zygote, which imports the preloads from the
// files as they are now, beside the current one, and puts it in the
// current one's place once it is up: the spare, restarts, fresh runs and
// apps then come from it. The current process keeps running, with its
// state; the old zygote goes once none of the runtime's processes is its
// worker. Starts and fresh runs asked for before the new zygote is up
// wait for it.
//
// The returned channel receives the outcome once: nil when the new zygote
// took over or there was no zygote to renew; else why the current one
// stays: a *PreloadError when a preload failed to import in the new one
// that had imported in the current one, or the start's error. Renewals
// run one after another, in the order they were asked for; one asked for
// while another waits to start joins it, since each imports the files as
// they are when it starts: ten quick saves of a preload start two zygotes,
// not ten.
func (r *Runtime) RenewZygote() <-chan error {
	return r.RenewZygoteAfter(nil)
}

// RenewZygoteAfter is RenewZygote for the save of a held file that first
// runs in the current process: starts and fresh runs wait for the renewal
// from now on (a restart while the save runs must not take a worker of
// the zygote that holds the old file), but the new zygote starts only
// once ran is closed, so that its import of the preloads does not compete
// with the save for the processors; or at once when a start waits for it
// (the save's own run may need a process, the current one having died).
// A nil ran starts it at once.
func (r *Runtime) RenewZygoteAfter(ran <-chan struct{}) <-chan error {
	out := make(chan error, 1)
	r.mu.Lock()
	if r.closed || r.zyg == nil {
		r.mu.Unlock()
		out <- nil
		return out
	}
	if q := r.queuedRenewal; q != nil {
		if ran == nil {
			q.wantLocked()
		}
		r.background.Add(1)
		r.mu.Unlock()
		go func() {
			defer r.background.Done()
			<-q.done
			out <- q.err
		}()
		return out
	}
	q := &renewal{done: make(chan struct{}), wanted: make(chan struct{}), before: r.renewing}
	if ran == nil {
		q.wantLocked()
	}
	r.renewing, r.queuedRenewal = q, q
	r.background.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.background.Done()
		if q.before != nil {
			<-q.before.done
		}
		select {
		case <-ran:
		case <-q.wanted:
		case <-r.ctx.Done():
		}
		r.mu.Lock()
		if r.queuedRenewal == q {
			r.queuedRenewal = nil // it starts: a later save needs a renewal of its own
		}
		r.mu.Unlock()
		q.err = r.renewZygoteNow()
		r.mu.Lock()
		if r.renewing == q {
			r.renewing = nil
		}
		q.before = nil // ended: nothing to keep alive
		r.mu.Unlock()
		close(q.done)
		out <- q.err
	}()
	return out
}

// renewal is one start of a zygote in place of the current one: done is
// closed once it took over or failed, err is then its outcome.
type renewal struct {
	done chan struct{}
	err  error
	// wanted is closed once the zygote may start without waiting for its
	// save's run: asked for without one, or a start waits for it.
	wanted chan struct{}
	// before is the renewal asked for before this one, which it waits
	// for; nil when none, or once this one ended.
	before *renewal
}

// wantLocked lets q, and the renewals it waits for, start their zygotes
// without waiting for their saves' runs. r.mu is held.
func (q *renewal) wantLocked() {
	for ; q != nil; q = q.before {
		select {
		case <-q.wanted:
		default:
			close(q.wanted)
		}
	}
}

// renewZygoteNow starts a zygote and puts it in place of the current one:
// one renewal of RenewZygote.
func (r *Runtime) renewZygoteNow() error {
	r.mu.Lock()
	old := r.zyg
	r.mu.Unlock()
	if old == nil {
		return nil
	}
	// An Interrupt ends the start (a preload that hangs at import): the
	// current zygote stays, as when a preload fails.
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	r.mu.Lock()
	r.stopRenewal = cancel
	r.mu.Unlock()
	z, err := startZygote(ctx, old.cmd.argv, r.paths.config(&r.cfg), r.logger)
	r.mu.Lock()
	r.stopRenewal = nil
	r.mu.Unlock()
	if err != nil && r.ctx.Err() != nil {
		return ErrClosed
	}
	if err != nil && ctx.Err() != nil {
		r.acceptOnDisk(old)
		return ErrRenewalInterrupted
	}
	if err != nil {
		r.acceptOnDisk(old)
		return fmt.Errorf("pyruntime: renew the zygote: %w", err)
	}
	r.noteOnDisk(z)
	var failed map[string]*Exception
	for name, exc := range z.preloadErrors {
		if old.preloadErrors[name] == nil {
			if failed == nil {
				failed = make(map[string]*Exception)
			}
			failed[name] = exc
		}
	}
	if failed != nil {
		z.close(ErrClosed)
		r.acceptOnDisk(old)
		return &PreloadError{Errors: r.paths.exceptions(failed)}
	}
	r.mu.Lock()
	if r.closed || r.zyg != old {
		r.mu.Unlock()
		z.close(ErrClosed)
		return ErrClosed
	}
	r.zyg = z
	spare := r.spare // forked from the old zygote
	r.spare = nil
	r.retired = append(r.retired, old)
	idle := r.idleRetiredLocked()
	r.refillLocked()
	r.mu.Unlock()
	r.logger.Info("zygote renewed", zap.Int("pid", z.self.pid), zap.Int("old", old.self.pid))
	if spare != nil {
		spare.kill(ErrClosed)
	}
	for _, z := range idle {
		z.close(ErrClosed)
	}
	return nil
}

// startZygote starts a zygote with the runtime's settings.
func (r *Runtime) startZygote(argv []string) (*zygote, error) {
	return startZygote(r.ctx, argv, r.paths.config(&r.cfg), r.logger)
}

// awaitRenewal waits until no zygote is being started in place of the
// current one; one that waits for its save's run starts at once.
func (r *Runtime) awaitRenewal(ctx context.Context) error {
	r.mu.Lock()
	q := r.renewing
	q.wantLocked()
	r.mu.Unlock()
	if q == nil {
		return nil
	}
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// idleRetiredLocked takes the retired zygotes none of whose workers is the
// current process or the app out of r.retired, and returns them for the
// caller to close.
func (r *Runtime) idleRetiredLocked() []*zygote {
	var idle []*zygote
	kept := r.retired[:0]
	for _, z := range r.retired {
		if r.runsWorkerOfLocked(z) {
			kept = append(kept, z)
		} else {
			idle = append(idle, z)
		}
	}
	r.retired = kept
	return idle
}

// runsWorkerOfLocked reports whether the current process or the app is
// alive and forked from z.
func (r *Runtime) runsWorkerOfLocked(z *zygote) bool {
	for _, p := range []*process{r.proc, r.app} {
		if p == nil || p.exited() {
			continue
		}
		if l, ok := p.link.(*workerLink); ok && l.z == z {
			return true
		}
	}
	return false
}
