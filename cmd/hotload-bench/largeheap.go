package main

import (
	"context"
	"fmt"
)

// The large-heap measurement (issue 13 item 3, as `make bench` has it in
// process): a one-function edit while millions of objects are alive must
// cost what the edited module costs, not what the heap does.
const (
	heapFile = "heap.py" // keeps largeHeapObjects lists alive
	areaFile = "area.py" // the function edited, areaSource
	// largeHeapObjects are lists, which the garbage collector tracks: a
	// full collection during a save would visit every one.
	largeHeapObjects = 5_000_000
	// largeHeapSaves is enough for a p99.
	largeHeapSaves = 200
)

// heapSource is heap.py.
func heapSource() string {
	return fmt.Sprintf("\"\"\"%s objects alive for the rest of the session.\"\"\"\nobjects = [[] for _ in range(%d)]\n", humanCount(largeHeapObjects), largeHeapObjects)
}

// measureLargeHeap loads heap.py, then saves area.py largeHeapSaves times
// (after warmupSaves more), each with a new body of area, and returns
// didSave → showMessage with the new result.
func measureLargeHeap(ctx context.Context, s *session) (SaveStats, error) {
	if _, _, err := saveAndAwait(ctx, s, heapFile, heapSource(), ""); err != nil {
		return SaveStats{}, fmt.Errorf("load %s: %w", heapFile, err)
	}
	var samples saveSamples
	for k := 1; k <= warmupSaves+largeHeapSaves; k++ {
		took, msg, err := saveAndAwait(ctx, s, areaFile, areaSource(k), fmt.Sprint(6+k))
		if err != nil {
			return SaveStats{}, fmt.Errorf("save %d: %w", k, err)
		}
		if k <= warmupSaves {
			continue
		}
		if err := samples.add(took, msg); err != nil {
			return SaveStats{}, fmt.Errorf("save %d: %w", k, err)
		}
	}
	return samples.stats(), nil
}
