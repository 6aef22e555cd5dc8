package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// deathPause is how long the bench waits between one crash's new runtime
// being ready and the next crash. After each takeover the server forks the
// next spare in the background, which takes tens of milliseconds; half a
// second is still quicker than anyone saves a crashing module twice.
const deathPause = 500 * time.Millisecond

// readyLog is the server's log line when a runtime is up, e.g.
// "hotload: Python ready in 412 ms (pid 4242, /usr/bin/python3 -c …)".
var readyLog = regexp.MustCompile(`Python ready in ([0-9.]+) (ms|s) \(pid (\d+),`)

// parseReadyLog returns the start duration and pid of a readyLog line.
func parseReadyLog(msg string) (time.Duration, int, bool) {
	m := readyLog.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0, false
	}
	took, ok := parseDuration(m[1], m[2])
	pid, err := strconv.Atoi(m[3])
	if !ok || err != nil {
		return 0, 0, false
	}
	return took, pid, true
}

// measureDeaths kills the runtime n times by saving a module that calls
// os._exit, each time deathPause after the runtime became ready (readyAt,
// for the session's current runtime pid). After each crash is reported it
// saves lib.py again at once, as a user would.
func measureDeaths(ctx context.Context, s *session, n, pid int, readyAt time.Time) (DeathResult, error) {
	var toReady, toNext, starts []time.Duration
	for i := range n {
		if err := sleep(ctx, time.Until(readyAt.Add(deathPause))); err != nil {
			return DeathResult{}, err
		}
		m := s.inbox.mark()
		sent, err := s.save(ctx, crashFile, crashSource)
		if err != nil {
			return DeathResult{}, err
		}
		crashModule := moduleName(crashFile)
		if _, err := s.inbox.awaitMessage(ctx, m, "the crash of "+crashFile+" to be reported", func(msg string) bool {
			return strings.HasPrefix(msg, crashModule+": ")
		}); err != nil {
			return DeathResult{}, fmt.Errorf("death %d: %w", i+1, err)
		}
		counter := fmt.Sprintf("after death %d", i+1)
		m2 := s.inbox.mark()
		if _, err := s.save(ctx, trivialFile, fmt.Sprintf("print(%q)\n", counter)); err != nil {
			return DeathResult{}, err
		}
		old := pid
		ready, err := s.inbox.awaitStatus(ctx, m, "a new runtime to be ready", func(st status) bool {
			return st.State == "ready" && st.Pid != 0 && st.Pid != old
		})
		if err != nil {
			return DeathResult{}, fmt.Errorf("death %d: %w", i+1, err)
		}
		next, err := s.inbox.awaitMessage(ctx, m2, "the save after death", reloadMessage(moduleName(trivialFile), counter))
		if err != nil {
			return DeathResult{}, fmt.Errorf("death %d: %w", i+1, err)
		}
		started, err := s.inbox.awaitLog(ctx, m, "the new runtime's ready log", func(msg string) bool {
			_, p, ok := parseReadyLog(msg)
			return ok && p == ready.Value.Pid
		})
		if err != nil {
			return DeathResult{}, fmt.Errorf("death %d: %w", i+1, err)
		}
		took, _, _ := parseReadyLog(started.Value.Message)
		toReady = append(toReady, ready.At.Sub(sent))
		toNext = append(toNext, next.At.Sub(sent))
		starts = append(starts, took)
		pid, readyAt = ready.Value.Pid, ready.At
	}
	return DeathResult{ToReady: summarize(toReady), ToNextSave: summarize(toNext), RuntimeStart: summarize(starts)}, nil
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
