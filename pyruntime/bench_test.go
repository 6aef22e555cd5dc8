package pyruntime

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkReloadWithLargeHeap measures the reload of a one-function edit
// while five million unrelated objects are alive: the work must follow the
// size of the re-run module, not of the heap. It reports the round trip of
// the reload request (p50/p90/p99) and the agent's own share of it.
//
// The heaps: "objects" holds object() instances, which the garbage collector
// does not track (only the list holding them); "tracked" holds empty lists,
// which it does, so a full collection during a reload would visit all of
// them. "frozen" runs gc.freeze() once the heap is built, which moves every
// object alive then out of the collector's reach.
func BenchmarkReloadWithLargeHeap(b *testing.B) {
	for _, bc := range []struct {
		name, heap string
		freeze     bool
	}{
		{"objects", "heap", false},
		{"objects-frozen", "heap", true},
		{"tracked", "heap_tracked", false},
		{"tracked-frozen", "heap_tracked", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dir := project(b, "largeheap")
			r := newRuntime(b, Config{})
			mustReload(b, r, dir, bc.heap, Request{})
			mustReload(b, r, dir, "edit", Request{})
			if bc.freeze {
				eval(b, r, dir, "edit", "import gc; gc.freeze()")
			}
			var rounds, agent []time.Duration
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				save(b, dir, []string{"edit.v1.py", "edit.v2.py"}[i%2], "edit.py")
				b.StartTimer()
				began := time.Now()
				reply := mustReload(b, r, dir, "edit", Request{})
				rounds = append(rounds, time.Since(began))
				agent = append(agent, time.Duration(reply.Seconds*float64(time.Second)))
			}
			b.StopTimer()
			if got := eval(b, r, dir, "edit", "unit.area(), len(__import__('"+bc.heap+"').objects)"); got != "(1, 5000000)" {
				b.Fatalf("after the edits: %s", got)
			}
			reportPercentiles(b, "", rounds)
			reportPercentiles(b, "agent-", agent)
		})
	}
}

// reportPercentiles adds p50, p90 and p99 in milliseconds to the benchmark's
// line: a mean hides the tail a user notices.
func reportPercentiles(b *testing.B, prefix string, samples []time.Duration) {
	slices.Sort(samples)
	at := func(p float64) float64 {
		return float64(samples[int(p*float64(len(samples)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.5), prefix+"p50-ms")
	b.ReportMetric(at(0.9), prefix+"p90-ms")
	b.ReportMetric(at(0.99), prefix+"p99-ms")
}
