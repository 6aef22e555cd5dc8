package main

import (
	"slices"
	"testing"
	"time"
)

func TestModuleName(t *testing.T) {
	for rel, want := range map[string]string{"lib.py": "lib", "big/core.py": "big.core"} {
		if got := moduleName(rel); got != want {
			t.Errorf("moduleName(%q) = %q, want %q", rel, got, want)
		}
	}
}

func TestReloadMessage(t *testing.T) {
	tests := []struct {
		module, suffix, msg string
		want                bool
	}{
		{"lib", "17", "lib reloaded in 0.4 ms: 17", true},
		{"lib", "17", "lib reloaded in 0.4 ms: 170", false},
		{"lib", "17", "lib: ZeroDivisionError: division by zero (lib.py:1): 17", false},
		{"lib", "17", "mylib reloaded in 0.4 ms: 17", false},
		{"big.core", "3", "big.core reloaded in 30 ms (and big.m004, big.m009): 3", true},
		{"probe", "", "probe reloaded in 0.3 ms: 2", true},
	}
	for _, tt := range tests {
		if got := reloadMessage(tt.module, tt.suffix)(tt.msg); got != tt.want {
			t.Errorf("reloadMessage(%q, %q)(%q) = %v, want %v", tt.module, tt.suffix, tt.msg, got, tt.want)
		}
	}
}

func TestRerunModules(t *testing.T) {
	tests := []struct {
		msg  string
		want []string
	}{
		{"big.core reloaded in 30 ms (and big.m004, big.m009): 3", []string{"big.m004", "big.m009"}},
		{"big.core reloaded in 30 ms: 3", nil},
		{"lib reloaded in 0.4 ms (and app)", []string{"app"}},
	}
	for _, tt := range tests {
		if got := rerunModules(tt.msg); !slices.Equal(got, tt.want) {
			t.Errorf("rerunModules(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestParseReadyLog(t *testing.T) {
	tests := []struct {
		msg  string
		took time.Duration
		pid  int
		ok   bool
	}{
		{"hotload: Python ready in 253 ms (pid 4242, /usr/bin/python3)", 253 * time.Millisecond, 4242, true},
		{"hotload: Python ready in 4.5 ms (pid 7, python3 -X dev)", 4500 * time.Microsecond, 7, true},
		{"hotload: Python ready in 1.2 s (pid 9, python3)", 1200 * time.Millisecond, 9, true},
		{"lib reloaded in 0.4 ms", 0, 0, false},
	}
	for _, tt := range tests {
		took, pid, ok := parseReadyLog(tt.msg)
		if took != tt.took || pid != tt.pid || ok != tt.ok {
			t.Errorf("parseReadyLog(%q) = %v, %d, %v; want %v, %d, %v", tt.msg, took, pid, ok, tt.took, tt.pid, tt.ok)
		}
	}
}

func TestStatedReload(t *testing.T) {
	tests := []struct {
		msg  string
		want time.Duration
		ok   bool
	}{
		{"lib reloaded in 0.3 ms: 17", 300 * time.Microsecond, true},
		{"big.core reloaded in 31 ms (and big.m004, big.m009): 3", 31 * time.Millisecond, true},
		{"slow reloaded in 1.3 s", 1300 * time.Millisecond, true},
		{"lib: ZeroDivisionError: division by zero (lib.py:1)", 0, false},
		{"lib reloaded in soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := statedReload(tt.msg)
		if got != tt.want || ok != tt.ok {
			t.Errorf("statedReload(%q) = %v, %v; want %v, %v", tt.msg, got, ok, tt.want, tt.ok)
		}
	}
}
