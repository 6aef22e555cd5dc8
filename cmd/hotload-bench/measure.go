package main

import (
	"slices"
	"time"
)

// Stats sums up the samples of one measurement, in milliseconds. Percentiles
// are nearest-rank on the sorted samples, as the in-process benchmarks in
// package lsp report them: a mean hides the tail a user notices.
type Stats struct {
	N         int       `json:"n"`
	P50Ms     float64   `json:"p50Ms"`
	P90Ms     float64   `json:"p90Ms"`
	P99Ms     float64   `json:"p99Ms"`
	MinMs     float64   `json:"minMs"`
	MaxMs     float64   `json:"maxMs"`
	SamplesMs []float64 `json:"samplesMs"` // in the order they were taken
}

// summarize returns the Stats of samples; the zero Stats if there are none.
func summarize(samples []time.Duration) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	ms := make([]float64, len(samples))
	for i, d := range samples {
		ms[i] = millis(d)
	}
	sorted := slices.Sorted(slices.Values(ms))
	return Stats{
		N:         len(ms),
		P50Ms:     percentile(sorted, 0.50),
		P90Ms:     percentile(sorted, 0.90),
		P99Ms:     percentile(sorted, 0.99),
		MinMs:     sorted[0],
		MaxMs:     sorted[len(sorted)-1],
		SamplesMs: ms,
	}
}

// percentile returns the p-th quantile (0 ≤ p ≤ 1) of sorted, which must
// not be empty: the sample at rank p·(n-1), rounded down.
func percentile(sorted []float64, p float64) float64 {
	return sorted[int(p*float64(len(sorted)-1))]
}

// millis converts d to fractional milliseconds.
func millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// meaningful reports whether n samples say anything about the p-th
// quantile: the tail above it must hold at least one sample, so p90 needs
// 10 samples and p99 needs 100. Below that a "p99" is just the maximum.
func meaningful(n int, p float64) bool {
	return float64(n)*(1-p) >= 1-1e-9
}
