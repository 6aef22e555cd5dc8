package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The fresh strategy is timed twice: at a human pace, saves freshPace apart
// (from one save's message to the next save), so that the spare forked
// after each run is ready for the next; and back to back, where each save
// waits for the fork the previous one started. Each forks a process, so
// fewer saves than in place, yet enough for a p90 (and a p99 back to back).
const (
	freshPacedSaves = 50
	freshPace       = 200 * time.Millisecond
	freshSaves      = 100
)

// notImplemented is the fresh row of the table while the server accepts
// strategy "fresh" but runs every save in place.
const notImplemented = "not implemented (issue 5 item 2)"

// measureFresh asks a session started with strategy "fresh" whether it
// runs saves in fresh processes: probe.py counts its runs in a module
// global, which only in-place runs keep. If the runs are fresh, it times
// saves; it never reports a figure for a strategy that did not run.
func measureFresh(ctx context.Context, s *session) (FreshResult, error) {
	var runs []string
	for range 2 {
		_, msg, err := saveAndAwait(ctx, s, probeFile, probeSource, "")
		if err != nil {
			return FreshResult{}, fmt.Errorf("fresh probe: %w", err)
		}
		runs = append(runs, msg[strings.LastIndex(msg, ": ")+2:])
	}
	if runs[1] != "1" {
		return FreshResult{Note: fmt.Sprintf(`with strategy "fresh", a module global survived a save (the second run counted runs = %s): saves still run in place`, runs[1])}, nil
	}
	paced, err := measureSaves(ctx, s, trivialFile, freshPacedSaves, freshPace)
	if err != nil {
		return FreshResult{}, fmt.Errorf("fresh strategy, saves %v apart: %w", freshPace, err)
	}
	stats, err := measureSaves(ctx, s, trivialFile, freshSaves, 0)
	if err != nil {
		return FreshResult{}, fmt.Errorf("fresh strategy, back to back: %w", err)
	}
	return FreshResult{
		Implemented:  true,
		Note:         "each save ran in a fresh process (a module global did not survive)",
		PaceMs:       millis(freshPace),
		Paced:        &paced,
		SaveToResult: &stats,
	}, nil
}
