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
