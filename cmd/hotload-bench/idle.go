package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// measureIdle leaves the server and the runtime alone for window and
// reports their memory and wake-ups, with the runtime's zygote and spare.
func measureIdle(ctx context.Context, serverPid, runtimePid int, window time.Duration) (IdleResult, error) {
	zygote, spare := runtimeFamily(runtimePid)
	pids := []int{serverPid, runtimePid}
	for _, pid := range []int{zygote, spare} {
		if pid != 0 {
			pids = append(pids, pid)
		}
	}
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
			PSSMiB:           float64(readPSS(pid)) / 1024,
			Threads:          threads,
			WakeupsPerSecond: float64(switches-before[i]) / seconds,
		}
	}
	res := IdleResult{Seconds: seconds, Server: usage[0], Runtime: usage[1]}
	for _, u := range usage[2:] {
		switch u.Pid {
		case zygote:
			res.Zygote = &u
		case spare:
			res.Spare = &u
		}
	}
	return res, nil
}

// runtimeFamily returns the runtime's zygote (its parent, if that is a
// Python too) and the spare (the zygote's other child), 0 for either that
// is not there.
func runtimeFamily(runtimePid int) (zygote, spare int) {
	parent := parentOf(runtimePid)
	if parent == 0 || !strings.HasPrefix(commandName(parent), "python") {
		return 0, 0
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err == nil && pid != runtimePid && parentOf(pid) == parent {
			return parent, pid
		}
	}
	return parent, 0
}

// parentOf returns pid's parent from /proc/<pid>/stat, 0 if unknown.
func parentOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	rest := data[bytes.LastIndexByte(data, ')')+1:]
	fields := strings.Fields(string(rest))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

func commandName(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(data))
}

// readPSS returns the Pss line of /proc/<pid>/smaps_rollup in KiB, 0 when
// the kernel does not provide it.
func readPSS(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Pss:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib
		}
	}
	return 0
}
