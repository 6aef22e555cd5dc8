package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procStatus is what the bench reads from a task's /proc/…/status file.
type procStatus struct {
	RSSKiB int64 // VmRSS; only a process's main task has it
	// Switches is voluntary_ctxt_switches + nonvoluntary_ctxt_switches: how
	// often the task was scheduled off the CPU, so once per wake-up.
	Switches int64
}

// parseStatus reads a /proc/<pid>/status or /proc/<pid>/task/<tid>/status
// file. A field it needs that is missing is an error, except VmRSS, which
// kernel threads and zombies lack.
func parseStatus(data []byte) (procStatus, error) {
	var st procStatus
	var voluntary, involuntary bool
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS": // "  123456 kB"
			dst = &st.RSSKiB
		case "voluntary_ctxt_switches":
			voluntary = true
		case "nonvoluntary_ctxt_switches":
			involuntary = true
		default:
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return procStatus{}, fmt.Errorf("parse %s: %w", key, err)
		}
		if dst != nil {
			*dst = n
		} else {
			st.Switches += n
		}
	}
	if err := sc.Err(); err != nil {
		return procStatus{}, err
	}
	if !voluntary || !involuntary {
		return procStatus{}, errors.New("no voluntary_ctxt_switches and nonvoluntary_ctxt_switches")
	}
	return st, nil
}

// readStatus reads /proc/<pid>/status.
func readStatus(pid int) (procStatus, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStatus{}, fmt.Errorf("read status of pid %d: %w", pid, err)
	}
	st, err := parseStatus(data)
	if err != nil {
		return procStatus{}, fmt.Errorf("status of pid %d: %w", pid, err)
	}
	return st, nil
}

// processSwitches returns the context switches of all of pid's threads and
// how many threads there are. /proc/<pid>/status counts the main thread
// only; a Go server and a Python runtime each run several threads. Threads
// that end between two readings take their counts with them, so a
// difference of two readings is a lower bound.
func processSwitches(pid int) (switches int64, threads int, err error) {
	dirs, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("list threads of pid %d: %w", pid, err)
	}
	if len(dirs) == 0 {
		return 0, 0, fmt.Errorf("list threads of pid %d: process not found", pid)
	}
	for _, path := range dirs {
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue // the thread ended meanwhile
		}
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", path, err)
		}
		st, err := parseStatus(data)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", path, err)
		}
		switches += st.Switches
		threads++
	}
	return switches, threads, nil
}

// parseStatState returns the state letter of a /proc/<pid>/stat line
// ("R", "S", "Z", …). The command name in parentheses may itself hold
// spaces and parentheses, so the state is found after the last ')'.
func parseStatState(data []byte) (string, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return "", errors.New("no ')' after the command name")
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) == 0 {
		return "", errors.New("no state after the command name")
	}
	return fields[0], nil
}

// processAlive reports whether pid names a process that has not exited: it
// exists and is not a zombie waiting to be reaped.
func processAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	state, err := parseStatState(data)
	return err == nil && state != "Z" && state != "X"
}

// parseCPUModel returns the first "model name" of a /proc/cpuinfo, or "" if
// it has none (some architectures name the CPU otherwise).
func parseCPUModel(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return ""
}
