package pyruntime

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Ticket marks the moment a caller decided to send a request, so that an
// Interrupt made after it stops the request even if the request reaches the
// process later (it waited for a reload queued before it, or for the
// runtime to start). The zero Ticket is not taken: Call takes one itself.
type Ticket struct {
	interrupts uint64 // Runtime.interrupts when taken
	taken      bool
}

// Ticket returns a Ticket for a request about to be sent (Request.Ticket).
func (r *Runtime) Ticket() Ticket {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Ticket{interrupts: r.interrupts, taken: true}
}

// Interrupt stops the code running in the process and the requests sent
// before it: the running one gets KeyboardInterrupt, the queued ones raise
// it as they start, and a call whose Ticket was taken before the Interrupt
// but that has not reached the process is stopped as it does; a zygote
// RenewZygote is starting is ended (a preload that hangs at import), and
// the current one stays. It reports whether it found any. Code still running after the grace period costs the
// process: it is killed (the call fails with ErrInterrupted) and a new one
// started.
func (r *Runtime) Interrupt(ctx context.Context) (bool, error) {
	r.mu.Lock()
	r.interrupts++
	p, unsent, stopRenewal := r.proc, r.unsent, r.stopRenewal
	r.mu.Unlock()
	if stopRenewal != nil {
		// A preload that hangs at import in a new zygote holds every
		// fresh run and restart: the current zygote stays instead.
		stopRenewal()
	}
	renewing := stopRenewal != nil
	if p == nil {
		return unsent > 0 || renewing, nil
	}
	busy, finished := p.busy()
	if !busy {
		return unsent > 0 || renewing, nil
	}
	// If C code holds the GIL, the agent's reader thread cannot answer (it
	// answers even while Python code holds the main thread), nor read: the
	// grace timer alone ends the code then.
	grace := r.cfg.InterruptGrace
	time.AfterFunc(grace, func() {
		if stillBusy, nowFinished := p.busy(); stillBusy && nowFinished == finished {
			r.logger.Info("interrupted code did not stop; killing the runtime", zap.Duration("grace", grace))
			p.kill(r.interruptedReason())
		}
	})
	// Queued before Interrupt returns, so that a request sent after it
	// reaches the agent after it and is not stopped with the code sent
	// before; but written and answered in the background, so that a caller
	// on the editor's read loop does not wait for a socket with no room.
	c, err := p.post(Request{Op: "interrupt"})
	if err != nil {
		r.logger.Debug("interrupt not sent", zap.Error(err))
		return true, nil
	}
	r.inBackground(func() {
		// Not ctx: the caller's request may end before the agent answers.
		if _, err := p.wait(r.ctx, c, nil); err != nil {
			r.logger.Debug("interrupt not acknowledged", zap.Error(err))
		}
	})
	return true, nil
}

// interruptCall stops the one request c: KeyboardInterrupt in its code if
// it runs, at its start if it is queued. If it was running and has not
// answered after the grace period, the process is killed with reason. The
// returned channel is closed once the agent has taken the interrupt.
func (r *Runtime) interruptCall(p *process, c *call, reason error) <-chan struct{} {
	taken := make(chan struct{})
	started := r.inBackground(func() {
		defer close(taken)
		reply, err := p.call(r.ctx, Request{Op: "interrupt", Target: c.id}, nil)
		if err != nil {
			r.logger.Debug("interrupt not acknowledged", zap.Error(err))
			return
		}
		if reply.Running {
			p.killUnlessAnswered(c, r.cfg.InterruptGrace, reason)
		}
	})
	if !started {
		close(taken) // closed: the process goes with the runtime
	}
	return taken
}

// inBackground runs f on a goroutine that Close waits for, unless the
// runtime is closed; it reports whether it did. The check and the count
// are one step under mu, so Close never waits while one is added.
func (r *Runtime) inBackground(f func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.background.Add(1)
	go func() {
		defer r.background.Done()
		f()
	}()
	return true
}

// interruptedReason is what calls report when interrupted code did not
// stop in time and the process was killed.
func (r *Runtime) interruptedReason() error {
	return fmt.Errorf("%w: code still running %v after the interrupt, so the runtime was killed and restarted", ErrInterrupted, r.cfg.InterruptGrace)
}
