package main

import (
	"context"
	"fmt"
	"time"
)

// measureIdle leaves the server and the runtime alone for window and
// returns each one's memory and wake-ups per second meanwhile.
func measureIdle(ctx context.Context, serverPid, runtimePid int, window time.Duration) (IdleResult, error) {
	pids := []int{serverPid, runtimePid}
	before := make([]int64, len(pids))
	for i, pid := range pids {
		switches, _, err := processSwitches(pid)
		if err != nil {
			return IdleResult{}, fmt.Errorf("idle window: %w", err)
		}
		before[i] = switches
	}
	began := time.Now()
	if err := sleep(ctx, window); err != nil {
		return IdleResult{}, err
	}
	seconds := time.Since(began).Seconds()
	usage := make([]ProcUsage, len(pids))
	for i, pid := range pids {
		switches, threads, err := processSwitches(pid)
		if err != nil {
			return IdleResult{}, fmt.Errorf("idle window: %w", err)
		}
		st, err := readStatus(pid)
		if err != nil {
			return IdleResult{}, fmt.Errorf("idle window: %w", err)
		}
		usage[i] = ProcUsage{
			Pid:              pid,
			RSSMiB:           float64(st.RSSKiB) / 1024,
			Threads:          threads,
			WakeupsPerSecond: float64(switches-before[i]) / seconds,
		}
	}
	return IdleResult{Seconds: seconds, Server: usage[0], Runtime: usage[1]}, nil
}
