package lsp

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// benchPython is the interpreter the benchmarks use: Debian's, which has
// python3-numpy and python3-pandas. HOTLOAD_BENCH_PYTHON overrides it.
func benchPython(b *testing.B) string {
	python := os.Getenv("HOTLOAD_BENCH_PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	if err := exec.Command(python, "-c", "import numpy, pandas").Run(); err != nil {
		b.Skipf("%s cannot import numpy and pandas (apt-get install python3-numpy python3-pandas): %v", python, err)
	}
	return python
}

// BenchmarkColdRun is the baseline hotload exists to beat: starting Python
// and importing numpy and pandas for every run, as `python3 script.py` does.
func BenchmarkColdRun(b *testing.B) {
	python := benchPython(b)
	dir := b.TempDir()
	script := dir + "/script_with_deps.py"
	if err := os.WriteFile(script, []byte("import numpy, pandas\nprint(25)\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	var samples []time.Duration
	for b.Loop() {
		began := time.Now()
		if out, err := exec.Command(python, script).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", script, err, out)
		}
		samples = append(samples, time.Since(began))
	}
	reportPercentiles(b, samples)
}

// BenchmarkSaveToMessage measures what a user waits for: from didSave to the
// showMessage with the module's output, numpy and pandas preloaded, over the
// fake editor's in-process pipe.
func BenchmarkSaveToMessage(b *testing.B) {
	python := benchPython(b)
	e := newEditor(b, "-- lib.py --\n")
	e.initialize(map[string]any{"python": python, "preload": []string{"numpy", "pandas"}})
	e.waitReady()
	var samples []time.Duration
	i := 0
	for b.Loop() {
		i++
		n := e.messageCount()
		source := fmt.Sprintf("import numpy as np\nprint(int(np.int64(%d)))\n", i)
		began := time.Now()
		e.save("lib.py", source)
		e.awaitMessage(n, fmt.Sprintf(": %d", i))
		samples = append(samples, time.Since(began))
	}
	reportPercentiles(b, samples)
}

// reportPercentiles adds p50, p90 and p99 in milliseconds to the benchmark's
// line: a mean hides the tail a user notices.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	slices.Sort(samples)
	at := func(p float64) float64 {
		return float64(samples[int(p*float64(len(samples)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.9), "p90-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
