package main

import "testing"

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		data, want string
	}{
		{string(readTestdata(t, "os-release")), "Debian GNU/Linux 12 (bookworm)"},
		{"NAME=Alpine\nPRETTY_NAME='Alpine Linux v3.19'\n", "Alpine Linux v3.19"},
		{"PRETTY_NAME=Plain\n", "Plain"},
		{"NAME=x\n", ""},
	}
	for _, tt := range tests {
		if got := parseOSRelease([]byte(tt.data)); got != tt.want {
			t.Errorf("parseOSRelease(%.30q) = %q, want %q", tt.data, got, tt.want)
		}
	}
}

func TestParseLoad(t *testing.T) {
	for data, want := range map[string]string{"0.40 0.84 0.48 2/512 4242\n": "0.40 0.84 0.48", "1 2\n": ""} {
		if got := parseLoad([]byte(data)); got != want {
			t.Errorf("parseLoad(%q) = %q, want %q", data, got, want)
		}
	}
}
