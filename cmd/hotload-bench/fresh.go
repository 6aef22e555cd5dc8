package main

import (
	"context"
	"fmt"
	"strings"
)

// freshSaves is how many saves the fresh strategy is timed over: each forks
// a process, so fewer than the in-place ones, yet enough for a p90.
const freshSaves = 100

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
	stats, err := measureSaves(ctx, s, trivialFile, freshSaves)
	if err != nil {
		return FreshResult{}, fmt.Errorf("fresh strategy: %w", err)
	}
	return FreshResult{Implemented: true, Note: "each save ran in a fresh process (a module global did not survive)", SaveToResult: &stats}, nil
}
