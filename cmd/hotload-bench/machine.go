package main

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the figures come from.
type Machine struct {
	CPU    string     `json:"cpu"`    // /proc/cpuinfo's model name
	Cores  int        `json:"cores"`  // logical CPUs the bench may use
	OS     string     `json:"os"`     // /etc/os-release's PRETTY_NAME
	Kernel string     `json:"kernel"` // /proc/sys/kernel/osrelease
	Go     string     `json:"go"`     // the toolchain that built the server
	Python pythonInfo `json:"python"`
}

// String is the one-line description the table starts with.
func (m Machine) String() string {
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	return cpu + ", " + strconv.Itoa(m.Cores) + " cores, " + m.OS + " (Linux " + m.Kernel + "), " + m.Go +
		", Python " + m.Python.Version + " (" + m.Python.Path + ")"
}

// describeMachine gathers what it can; what it cannot read stays empty.
func describeMachine(bin string, python pythonInfo) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), Python: python}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = parseCPUModel(data)
	}
	if data, err := os.ReadFile("/etc/os-release"); err == nil {
		m.OS = parseOSRelease(data)
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	if info, err := buildinfo.ReadFile(bin); err == nil {
		m.Go = info.GoVersion
	}
	return m
}

// parseOSRelease returns the PRETTY_NAME of an os-release file, unquoted,
// or "" if it has none.
func parseOSRelease(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		value, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME=")
		if !ok {
			continue
		}
		if unquoted, err := strconv.Unquote(value); err == nil {
			return unquoted
		}
		return strings.Trim(value, `"'`)
	}
	return ""
}

// readLoad returns the 1, 5 and 15 minute load averages from /proc/loadavg
// ("0.40 0.84 0.48"), or "" where the file does not exist.
func readLoad() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return parseLoad(data)
}

// parseLoad returns the first three fields of a /proc/loadavg.
func parseLoad(data []byte) string {
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return ""
	}
	return strings.Join(fields[:3], " ")
}

// Load is the machine's load average when the run began and ended: the
// bench's figures are only as quiet as the machine was.
type Load struct {
	Start string `json:"start"` // 1, 5 and 15 minute averages
	End   string `json:"end"`
}

// String describes the load for the table's header.
func (l Load) String() string {
	if l.Start == "" {
		return "load average unknown"
	}
	return "load average (1, 5, 15 min) " + l.Start + " at the start, " + l.End + " at the end"
}
