package lsp

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/reload"
)

// loudMiB is how much loud prints: 100 MiB, or 24 MiB under the race
// detector, which slows the Go side tenfold; either is far beyond the 10 MiB
// streamed and the 1 MiB kept.
var loudMiB = map[bool]int{false: 100, true: 24}[raceEnabled]

// loud prints loudMiB in 1 KiB lines, then a last line.
var loud = fmt.Sprintf(`import sys
line = "x" * 1023 + "\n"
for _ in range(%d * 1024):
    sys.stdout.write(line)
print("the end")
`, loudMiB)

// 100 MiB of printing: the editor is told, the server keeps a bounded part
// (the log gets the first 10 MiB and a note, the result the start and the
// end), and the next save works.
func TestHugeOutputIsBoundedInTheServer(t *testing.T) {
	e := newEditor(t, "-- loud.py --\n"+loud)
	e.initialize(nil)
	e.waitReady()

	began := time.Now()
	e.save("loud.py", loud)
	msg := e.awaitMessage(0, "loud ")
	took := time.Since(began)
	if !strings.Contains(msg.Message, "xxxx") {
		t.Errorf("message %q, want the output's first line", msg.Message)
	}
	e.awaitLog(fmt.Sprintf("not logged: %d.0 MiB more", loudMiB-10))

	e.mu.Lock()
	var logged int
	for _, l := range e.logs {
		if strings.HasPrefix(l.Message, "loud: ") {
			logged += len(l.Message)
		}
	}
	e.mu.Unlock()
	if max := reload.DefaultStreamedOutput + 64<<10; logged > max {
		t.Errorf("logged %d bytes of output, want at most %d", logged, max)
	}

	// What the server holds after the run: the editor's copy of the log
	// (10 MiB, in this process) and the kept 1 MiB, not 100 MiB.
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	if mem.HeapAlloc > 64<<20 {
		t.Errorf("heap holds %d MiB after the run, want it bounded (< 64 MiB)", mem.HeapAlloc>>20)
	}

	n := e.messageCount()
	e.save("loud.py", "print('quiet')\n")
	if msg := e.awaitMessage(n, "loud "); !strings.HasSuffix(msg.Message, ": quiet") {
		t.Errorf("next save: %q, want quiet", msg.Message)
	}
	t.Logf("%d MiB printed: save → message %v, %d bytes logged, heap %d MiB", loudMiB, took, logged, mem.HeapAlloc>>20)
}
