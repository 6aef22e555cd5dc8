package main

import (
	"context"
	"fmt"
	"os/exec"
	"time"
)

// runCold times n runs of `python script` after one that is not counted:
// it fills the page cache and writes bytecode caches, as any earlier run of
// a script the user reruns has. Each run must print 25.
func runCold(ctx context.Context, python, script string, n int) (Stats, error) {
	var samples []time.Duration
	for i := range n + 1 {
		runCtx, cancel := context.WithTimeout(ctx, eventTimeout)
		began := time.Now()
		out, err := exec.CommandContext(runCtx, python, script).CombinedOutput()
		took := time.Since(began)
		cancel()
		if err != nil {
			return Stats{}, fmt.Errorf("cold run %d of %s: %w\n%s", i, script, err, out)
		}
		if string(out) != "25\n" {
			return Stats{}, fmt.Errorf("cold run %d of %s printed %q, want \"25\\n\"", i, script, out)
		}
		if i > 0 {
			samples = append(samples, took)
		}
	}
	return summarize(samples), nil
}
