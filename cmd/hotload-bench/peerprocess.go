package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Timing of the peer runs. They are guards, not claims: a tool that shows
// an edit later than peerEditTimeout is reported as never showing it.
const (
	// peerStartTimeout bounds a peer's start: importing IPython and
	// building 5 million objects take seconds on a loaded machine.
	peerStartTimeout = 2 * time.Minute
	// peerEditTimeout is how long an edit may take to become observable.
	peerEditTimeout = 10 * time.Second
	// peerPause is the pause between an edit becoming observable and the
	// next edit: longer than the tools' debounce windows (jurigged 50 ms,
	// watchfiles 50 ms), so no edit lands in the previous one's.
	peerPause = 300 * time.Millisecond
	// peerWarmups are edits made first and not counted: each tool parses
	// and caches on its first update, as hotload does on its first save.
	peerWarmups = 2
)

// peerTool is a peer and how its users run it.
type peerTool struct {
	name  string // the package: "jurigged", "ipython", "hmr"
	label string // the table's column, with the version added
	how   string // how the bench runs it, for the notes
	// writesEdits: the probe writes each edit itself and runs the next
	// cell (IPython); the others watch files the bench writes.
	writesEdits bool
}

var peerTools = []peerTool{
	{name: "jurigged", label: "jurigged", how: "jurigged.watch() in the program (its watchdog observer, default 50 ms debounce); observed by a postrun hook calling the probe"},
	{name: "ipython", label: "IPython", how: "%load_ext autoreload, %autoreload 2 (IPython 9's default algorithm); the probe runs as the next cell, right after the file is written", writesEdits: true},
	{name: "hmr", label: "hmr", how: "the hmr command running an entry file that imports the modules and reports what it sees; hmr re-runs it (its watchfiles watcher)"},
}

// peerEvent is one line the probe writes on file descriptor 3.
type peerEvent struct {
	Obs    *string  `json:"obs"`
	NS     int64    `json:"ns"`
	WorkMs *float64 `json:"work_ms"`
	Wrote  int64    `json:"wrote"`
	Error  string   `json:"error"`
}

// peerProc is a running peer with the probe inside.
type peerProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan peerEvent // closed when the probe's descriptor closes
	log    string
	stop   context.CancelFunc

	work    []peerEvent // the work events seen so far
	lastObs string      // the last observation, for "never" reports
}

// startPeer starts tool on scenario sc, whose workspace is dir.
func startPeer(ctx context.Context, env peerEnv, tool peerTool, sc scenario, dir, logPath string) (*peerProc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create peer log: %w", err)
	}
	defer logFile.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", tool.name, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var cmd *exec.Cmd
	if tool.name == "hmr" {
		cmd = exec.CommandContext(runCtx, env.bin("hmr"), filepath.Join(dir, sc.hmrEntry))
	} else {
		cmd = exec.CommandContext(runCtx, env.python(), filepath.Join(env.ProbeDir, "_peerprobe.py"), tool.name, sc.key, dir)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONPATH="+env.ProbeDir, "HOTLOAD_BENCH_PEER="+tool.name, "HOTLOAD_BENCH_SCENARIO="+sc.key)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.ExtraFiles = []*os.File{w} // descriptor 3
	dieWithBench(cmd)
	// An interrupt ends hmr's watch loop and, like the end of stdin, the
	// probe's wait; a peer that ignores both is killed after WaitDelay.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		stop()
		return nil, fmt.Errorf("start %s: %w", tool.name, err)
	}
	if err := cmd.Start(); err != nil {
		stop()
		return nil, fmt.Errorf("start %s: %w", tool.name, err)
	}
	w.Close() // the child has its own copy; EOF comes when it exits
	p := &peerProc{cmd: cmd, stdin: stdin, events: make(chan peerEvent, 1024), log: logPath, stop: stop}
	go func() {
		defer close(p.events)
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			var ev peerEvent
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				p.events <- ev
			}
		}
	}()
	return p, nil
}

// errNotObserved is await's error when the time is up.
var errNotObserved = errors.New("not observed")

// await waits up to timeout for an observation equal to want and returns
// its time. Work events are kept on the way.
func (p *peerProc) await(ctx context.Context, timeout time.Duration, want string) (int64, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-p.events:
			switch {
			case !ok:
				return 0, fmt.Errorf("the process ended (log: %s)", p.log)
			case ev.Error != "":
				return 0, fmt.Errorf("%s (log: %s)", ev.Error, p.log)
			case ev.WorkMs != nil:
				p.work = append(p.work, ev)
			case ev.Obs != nil:
				if *ev.Obs == want {
					return ev.NS, nil
				}
				p.lastObs = *ev.Obs
			}
		case <-t.C:
			return 0, errNotObserved
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// awaitWrote waits for the probe to say it wrote an edit, and returns when.
func (p *peerProc) awaitWrote(ctx context.Context) (int64, error) {
	t := time.NewTimer(peerEditTimeout)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-p.events:
			switch {
			case !ok:
				return 0, fmt.Errorf("the process ended (log: %s)", p.log)
			case ev.Error != "":
				return 0, fmt.Errorf("%s (log: %s)", ev.Error, p.log)
			case ev.WorkMs != nil:
				p.work = append(p.work, ev)
			case ev.Wrote != 0:
				return ev.Wrote, nil
			}
		case <-t.C:
			return 0, fmt.Errorf("the probe did not write the edit within %v (log: %s)", peerEditTimeout, p.log)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// edit makes edit k of sc in dir and returns when it was written (Unix
// nanoseconds), or, for a tool whose probe writes the edit and runs the
// next cell itself, 0: the probe says when it wrote the edit after the
// edit's observation (awaitWrote), so that saying so is not timed.
func (p *peerProc) edit(ctx context.Context, tool peerTool, sc scenario, dir string, k int) (int64, error) {
	path := filepath.Join(dir, filepath.FromSlash(sc.edited))
	if tool.writesEdits {
		line, err := json.Marshal(map[string]string{"path": path, "content": sc.edit(k)})
		if err != nil {
			return 0, err
		}
		if _, err := p.stdin.Write(append(line, '\n')); err != nil {
			return 0, fmt.Errorf("send edit %d: %w (log: %s)", k, err, p.log)
		}
		return 0, nil
	}
	if err := os.WriteFile(path, []byte(sc.edit(k)), 0o644); err != nil {
		return 0, fmt.Errorf("edit %d: %w", k, err)
	}
	return time.Now().UnixNano(), nil
}

// close ends the peer and waits for it.
func (p *peerProc) close() {
	_ = p.stdin.Close() // the probe may be gone already
	p.stop()
	_ = p.cmd.Wait() // an interrupted peer exits non-zero; that is the point
	for range p.events {
	}
}

// PeerCell is one tool on one scenario.
type PeerCell struct {
	// Observed is from the edit being written to the program observing
	// the new behaviour (for hotload: didSave to showMessage).
	Observed *Stats `json:"observed,omitempty"`
	// Work is the tool's own reload work per edit, as its hooks time it
	// (for hotload: the reload time its message states).
	Work *Stats `json:"work,omitempty"`
	// WarmupMs are the first edits, not counted in Observed: a tool's first
	// update parses and caches what later ones reuse.
	WarmupMs []float64 `json:"warmupMs,omitempty"`
	// Never says why there is no figure: the edit was not observed.
	Never string `json:"never,omitempty"`
	// Prepared is, for hotload typed first, how many of its Saves (the
	// warm-ups included) ran code compiled from the editor's text before
	// the save; zero otherwise.
	Prepared int `json:"prepared,omitempty"`
	Saves    int `json:"saves,omitempty"`
}

// measurePeer runs n edits (after peerWarmups) of sc with tool.
func measurePeer(ctx context.Context, env peerEnv, tool peerTool, sc scenario, dir, logPath string, n int) (PeerCell, error) {
	if err := sc.write(dir); err != nil {
		return PeerCell{}, err
	}
	p, err := startPeer(ctx, env, tool, sc, dir, logPath)
	if err != nil {
		return PeerCell{}, err
	}
	defer p.close()
	if _, err := p.await(ctx, peerStartTimeout, sc.want(0)); err != nil {
		if errors.Is(err, errNotObserved) {
			return PeerCell{Never: fmt.Sprintf("did not start within %v (log: %s)", peerStartTimeout, logPath)}, nil
		}
		return PeerCell{}, fmt.Errorf("%s on %s: start: %w", tool.name, sc.key, err)
	}
	var latencies []time.Duration
	var written []int64
	var warmups []float64
	for k := 1; k <= peerWarmups+n; k++ {
		if err := sleep(ctx, peerPause); err != nil {
			return PeerCell{}, err
		}
		t0, err := p.edit(ctx, tool, sc, dir, k)
		if err != nil {
			return PeerCell{}, fmt.Errorf("%s on %s: %w", tool.name, sc.key, err)
		}
		at, err := p.await(ctx, peerEditTimeout, sc.want(k))
		if errors.Is(err, errNotObserved) {
			return PeerCell{Never: fmt.Sprintf("edit %d not seen within %v: the program still saw %s", k, peerEditTimeout, p.lastObs)}, nil
		}
		if err != nil {
			return PeerCell{}, fmt.Errorf("%s on %s, edit %d: %w", tool.name, sc.key, k, err)
		}
		if tool.writesEdits {
			if t0, err = p.awaitWrote(ctx); err != nil {
				return PeerCell{}, fmt.Errorf("%s on %s, edit %d: %w", tool.name, sc.key, k, err)
			}
		}
		if k <= peerWarmups {
			warmups = append(warmups, millis(time.Duration(at-t0)))
			continue
		}
		latencies = append(latencies, time.Duration(at-t0))
		written = append(written, t0)
	}
	// Let the last update's work event arrive (hmr reports it after the
	// entry has run again).
	_, _ = p.await(ctx, peerPause, "\x00never")
	observed := summarize(latencies)
	cell := PeerCell{Observed: &observed, WarmupMs: warmups}
	if work := attributeWork(p.work, written); len(work) > 0 {
		s := summarize(work)
		cell.Work = &s
	}
	return cell, nil
}

// attributeWork sums, for each edit written at written[i], the work events
// that began between it and the next edit.
func attributeWork(events []peerEvent, written []int64) []time.Duration {
	var out []time.Duration
	for i, t0 := range written {
		end := int64(1<<63 - 1)
		if i+1 < len(written) {
			end = written[i+1]
		}
		var sum float64
		found := false
		for _, ev := range events {
			if ev.NS >= t0 && ev.NS < end {
				sum += *ev.WorkMs
				found = true
			}
		}
		if found {
			out = append(out, time.Duration(sum*float64(time.Millisecond)))
		}
	}
	return out
}
