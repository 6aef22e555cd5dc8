package main

import (
	"io"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	c, err := parseConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.saves != 200 || c.cold != 20 || c.deaths != 20 || c.idle != 10*time.Second || c.python != "" || c.jsonPath == "" {
		t.Errorf("parseConfig(no flags) = %+v, want 200 saves, 20 cold runs, 20 deaths, 10s idle, a JSON path", c)
	}
	for _, args := range [][]string{{"-saves", "199"}, {"-cold", "0"}, {"-idle", "10ms"}, {"extra"}} {
		if _, err := parseConfig(args, io.Discard); err == nil {
			t.Errorf("parseConfig(%q) succeeded, want an error", args)
		}
	}
}
