package main

import (
	"os"
	"path/filepath"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		file string
		want procStatus
	}{
		{"status.txt", procStatus{RSSKiB: 123456, Switches: 1234 + 56}},
		{"status-kthread.txt", procStatus{RSSKiB: 0, Switches: 84}}, // no VmRSS
	}
	for _, tt := range tests {
		got, err := parseStatus(readTestdata(t, tt.file))
		if err != nil {
			t.Errorf("parseStatus(%s): %v", tt.file, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseStatus(%s) = %+v, want %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseStatusErrors(t *testing.T) {
	for _, data := range []string{
		"Name:\tx\nVmRSS:\t12 kB\n", // no context switches
		"voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\tmany\n",
	} {
		if got, err := parseStatus([]byte(data)); err == nil {
			t.Errorf("parseStatus(%q) = %+v, want an error", data, got)
		}
	}
}

func TestParseStatState(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"stat.txt", "R"},
		{"stat-zombie.txt", "Z"}, // the command name "a) b (c)" holds spaces and parentheses
	}
	for _, tt := range tests {
		got, err := parseStatState(readTestdata(t, tt.file))
		if err != nil || got != tt.want {
			t.Errorf("parseStatState(%s) = %q, %v; want %q", tt.file, got, err, tt.want)
		}
	}
	if got, err := parseStatState([]byte("12 (x")); err == nil {
		t.Errorf("parseStatState of a cut line = %q, want an error", got)
	}
}

func TestParseCPUModel(t *testing.T) {
	if got, want := parseCPUModel(readTestdata(t, "cpuinfo.txt")), "AMD EPYC"; got != want {
		t.Errorf("parseCPUModel(cpuinfo.txt) = %q, want %q", got, want)
	}
	if got := parseCPUModel([]byte("processor\t: 0\nBogoMIPS\t: 50.00\n")); got != "" {
		t.Errorf("parseCPUModel without a model name = %q, want \"\"", got)
	}
}

func TestProcessOfThisTest(t *testing.T) {
	pid := os.Getpid()
	if !processAlive(pid) {
		t.Errorf("processAlive(own pid %d) = false", pid)
	}
	st, err := readStatus(pid)
	if err != nil || st.RSSKiB <= 0 {
		t.Errorf("readStatus(own pid) = %+v, %v; want a positive VmRSS", st, err)
	}
	switches, threads, err := processSwitches(pid)
	if err != nil || threads < 1 || switches < 0 {
		t.Errorf("processSwitches(own pid) = %d, %d, %v", switches, threads, err)
	}
}

func TestParentOfAndPSS(t *testing.T) {
	if got, want := parentOf(os.Getpid()), os.Getppid(); got != want {
		t.Errorf("parentOf(self) = %d, want %d", got, want)
	}
	if parentOf(1<<30) != 0 {
		t.Error("parentOf(no such pid) should be 0")
	}
	if _, err := os.Stat("/proc/self/smaps_rollup"); err == nil && readPSS(os.Getpid()) <= 0 {
		t.Error("readPSS(self) = 0 though the kernel has smaps_rollup")
	}
}
