package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignal is the cause of main's context when a signal stops hotload.
type stopSignal struct{ sig os.Signal }

func (s stopSignal) Error() string { return s.sig.String() + " signal received" }

// exitCode is the status a shell reports for a program the signal ended:
// 128 plus the signal's number, 130 for Ctrl-C (SIGINT), 143 for SIGTERM.
func (s stopSignal) exitCode() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// signalContext returns a context that SIGINT or SIGTERM cancels, with a
// stopSignal as its cause. After that first signal the default handling
// is back: a second one kills hotload at once instead of waiting for the
// shutdown. stop releases the signals.
func signalContext() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-signals:
			cancel(stopSignal{sig})
		case <-ctx.Done():
		}
		signal.Stop(signals)
	}()
	return ctx, func() {
		cancel(nil)
		signal.Stop(signals)
	}
}

// stoppedBy returns the signal that canceled ctx, if one did.
func stoppedBy(ctx context.Context) (stopSignal, bool) {
	s, ok := context.Cause(ctx).(stopSignal)
	return s, ok
}
