package pyruntime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// pidsIn lists the processes whose working directory is dir: the zygotes
// and workers of a runtime started with Dir set to it.
func pidsIn(dir string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == dir {
			pids = append(pids, pid)
		}
	}
	return pids
}

func waitPidsIn(t *testing.T, dir string, max int, within time.Duration) []int {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		pids := pidsIn(dir)
		if len(pids) <= max || time.Now().After(deadline) {
			return pids
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Renewals asked for back to back: the last file wins, the ones asked for
// while another waits to start join it (two zygotes start, not ten), and
// the zygotes they replaced are closed.
func TestProbeRenewQueuedLastWinsAndBounded(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	cfg.Dir = dir
	core, logs := observer.New(zapcore.InfoLevel)
	cfg.Logger = zap.New(core)
	r := startedRuntime(t, cfg)
	var chans []<-chan error
	for i := 1; i <= 10; i++ {
		writeModule(t, dir, "data", "import helper\nDATA = ["+strconv.Itoa(i)+"]\n")
		chans = append(chans, r.RenewZygote())
	}
	for _, c := range chans {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	if n := logs.FilterMessage("zygote renewed").Len(); n > 2 {
		t.Errorf("10 renewals asked for back to back started %d zygotes; want at most 2", n)
	}
	lib := writeModule(t, dir, "lib", "import data\n")
	reply, err := r.CallFresh(context.Background(), Request{Op: "evaluate", Module: "lib", Path: lib, PathEntry: dir, Code: "import data; sum(data.DATA)"}, nil)
	if err != nil || reply.Value == nil || *reply.Value != "10" {
		t.Errorf("fresh sum(data.DATA) = %v, %v; want 10", reply.Value, err)
	}
	// zygote + current + spare (+ the old current being ended)
	if pids := waitPidsIn(t, dir, 3, 5*time.Second); len(pids) > 3 {
		t.Errorf("%d processes in the workspace after 10 renewals: %v (Pids %v)", len(pids), pids, r.Pids())
	}
	r.Close()
	if pids := waitPidsIn(t, dir, 0, 3*time.Second); len(pids) > 0 {
		t.Errorf("processes left after Close: %v", pids)
	}
}

// Close while a renewal imports the preloads: nothing is left, Close does
// not hang.
func TestProbeRenewCloseDuringRenewal(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	cfg.Dir = dir
	r := startedRuntime(t, cfg)
	writeModule(t, dir, "data", "import helper, time\ntime.sleep(2)\nDATA = [1]\n")
	c := r.RenewZygote()
	time.Sleep(300 * time.Millisecond)
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs during a renewal")
	}
	if err := <-c; err == nil {
		t.Errorf("renewal cut short by Close = nil")
	}
	if pids := waitPidsIn(t, dir, 0, 3*time.Second); len(pids) > 0 {
		t.Errorf("processes left after Close during a renewal: %v", pids)
	}
}

// A preload that hangs at import after a save holds restarts (and fresh
// runs) until an Interrupt, which ends the new zygote: the current one
// stays and nothing is left of the new one.
func TestRenewZygoteInterruptEndsAHangingPreload(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	cfg.Dir = dir
	r := startedRuntime(t, cfg)
	waitSpare(t, r)
	zyg := r.Pids()[0]
	writeModule(t, dir, "data", "import helper, time\ntime.sleep(3600)\nDATA = [1]\n")
	c := r.RenewZygote()
	restarted := make(chan error, 1)
	go func() { restarted <- r.Restart(context.Background()) }()
	select {
	case err := <-restarted:
		t.Fatalf("Restart = %v before the renewal ended, want it to wait for the new zygote", err)
	case <-time.After(500 * time.Millisecond):
	}
	if busy, err := r.Interrupt(context.Background()); err != nil || !busy {
		t.Errorf("Interrupt = %v, %v; want true (it ended the renewal)", busy, err)
	}
	select {
	case err := <-c:
		if !errors.Is(err, ErrRenewalInterrupted) {
			t.Errorf("renewal = %v, want ErrRenewalInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the renewal did not end after the Interrupt")
	}
	select {
	case err := <-restarted:
		if err != nil {
			t.Errorf("Restart after the Interrupt: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Restart still waits after the Interrupt")
	}
	if got := r.Pids()[0]; got != zyg {
		t.Errorf("zygote = %d, want %d (the current one stays)", got, zyg)
	}
	// the zygote, the current process, the spare; not the interrupted zygote
	if pids := waitPidsIn(t, dir, 3, 5*time.Second); len(pids) > 3 {
		t.Errorf("processes in the workspace after the interrupted renewal: %v (runtime's: %v)", pids, r.Pids())
	}
}
