package main

import (
	"slices"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	// 1..100 ms, shuffled: nearest-rank percentiles at index p·(n-1).
	var samples []time.Duration
	for i := range 100 {
		samples = append(samples, time.Duration((i*37)%100+1)*time.Millisecond)
	}
	got := summarize(samples)
	want := Stats{N: 100, P50Ms: 50, P90Ms: 90, P99Ms: 99, MinMs: 1, MaxMs: 100}
	got.SamplesMs = nil
	if !equalStats(got, want) {
		t.Errorf("summarize(1..100 ms) = %+v, want %+v", got, want)
	}
	if s := summarize(samples); s.SamplesMs[0] != 1 || s.SamplesMs[1] != 38 {
		t.Errorf("summarize kept samples %v…, want them in the order taken (1, 38, …)", s.SamplesMs[:2])
	}
}

func TestSummarizeSmall(t *testing.T) {
	tests := []struct {
		samples []time.Duration
		want    Stats
	}{
		{nil, Stats{}},
		{[]time.Duration{1500 * time.Microsecond}, Stats{N: 1, P50Ms: 1.5, P90Ms: 1.5, P99Ms: 1.5, MinMs: 1.5, MaxMs: 1.5}},
		{[]time.Duration{4, 1, 3, 2}, Stats{N: 4, P50Ms: 2e-6, P90Ms: 3e-6, P99Ms: 3e-6, MinMs: 1e-6, MaxMs: 4e-6}},
	}
	for _, tt := range tests {
		got := summarize(tt.samples)
		got.SamplesMs = nil
		if !equalStats(got, tt.want) {
			t.Errorf("summarize(%v) = %+v, want %+v", tt.samples, got, tt.want)
		}
	}
}

func equalStats(a, b Stats) bool {
	close := func(x, y float64) bool { return x-y < 1e-12 && y-x < 1e-12 }
	return a.N == b.N && close(a.P50Ms, b.P50Ms) && close(a.P90Ms, b.P90Ms) && close(a.P99Ms, b.P99Ms) &&
		close(a.MinMs, b.MinMs) && close(a.MaxMs, b.MaxMs) && slices.Equal(a.SamplesMs, b.SamplesMs)
}

func TestMeaningful(t *testing.T) {
	tests := []struct {
		n    int
		p    float64
		want bool
	}{
		{1, 0.9, false},
		{9, 0.9, false},
		{10, 0.9, true},
		{99, 0.99, false},
		{100, 0.99, true},
		{200, 0.99, true},
	}
	for _, tt := range tests {
		if got := meaningful(tt.n, tt.p); got != tt.want {
			t.Errorf("meaningful(%d, %v) = %v, want %v", tt.n, tt.p, got, tt.want)
		}
	}
}
