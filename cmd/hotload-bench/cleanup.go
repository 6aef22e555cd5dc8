package main

import (
	"context"
	"fmt"
	"time"
)

// goneTimeout is how long a runtime may take to disappear after the
// server exited: the kernel delivers the parent-death signal at once, and
// reaping takes a moment.
const goneTimeout = 5 * time.Second

// endSession shuts the server down as an editor does and checks that no
// runtime it ever had is still running.
func endSession(ctx context.Context, s *session) (CleanupResult, error) {
	res := CleanupResult{RuntimePids: s.inbox.runtimePids(), LeftBehind: []int{}}
	if err := s.shutdown(ctx); err != nil {
		return res, err
	}
	deadline := time.Now().Add(goneTimeout)
	for _, pid := range res.RuntimePids {
		for processAlive(pid) && time.Now().Before(deadline) {
			if err := sleep(ctx, 10*time.Millisecond); err != nil {
				return res, err
			}
		}
		if processAlive(pid) {
			res.LeftBehind = append(res.LeftBehind, pid)
		}
	}
	if len(res.LeftBehind) > 0 {
		return res, fmt.Errorf("runtimes %v are still running %v after the server exited", res.LeftBehind, goneTimeout)
	}
	return res, nil
}
