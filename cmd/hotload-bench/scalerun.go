package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Sizes of the scale measurement (issue 5 item 4).
const (
	scaleModules   = 500
	scaleImporters = 100
	scaleSaves     = 10 // saves of core measured, after a first one
)

// baselineSource is baseline.py, which times the module bodies run directly.
//
//go:embed baseline.py
var baselineSource string

// measureScale generates big/ in the session's workspace, loads all of it,
// then saves core.py scaleSaves+1 times with a new VALUE (the first is
// reported apart), which re-runs the importers that read it, and
// scaleSaves times with only the body of scaled changed, which re-runs
// none; then it times running the same module bodies directly in python,
// with d imported first as the runtime has them.
func measureScale(ctx context.Context, s *session, python string, d deps) (ScaleResult, error) {
	g := newScaleGraph(scaleModules, scaleImporters)
	if err := g.write(s.dir); err != nil {
		return ScaleResult{}, err
	}
	res := ScaleResult{Modules: scaleModules, Importers: scaleImporters}
	load, _, err := saveAndAwait(ctx, s, "big/all.py", allSource(scaleModules), fmt.Sprint(scaleModules))
	if err != nil {
		return ScaleResult{}, fmt.Errorf("load the scale workspace: %w", err)
	}
	res.LoadMs = millis(load)

	var want []string
	for _, i := range g.coreImporters() {
		want = append(want, scaleModule(i))
	}
	var constant, body saveSamples
	for value := 1; value <= scaleSaves+1; value++ {
		took, msg, err := saveAndAwait(ctx, s, "big/core.py", coreSource(value, 0), fmt.Sprint(value))
		if err != nil {
			return ScaleResult{}, fmt.Errorf("save core: %w", err)
		}
		if got := rerunModules(msg); len(got) != len(want) {
			return ScaleResult{}, fmt.Errorf("changing VALUE in core re-ran %d importers, want %d: %.300s", len(got), len(want), msg)
		}
		if value == 1 {
			res.FirstSaveMs = millis(took)
		} else if err := constant.add(took, msg); err != nil {
			return ScaleResult{}, fmt.Errorf("save core: %w", err)
		}
	}
	res.Save = constant.stats()
	value := scaleSaves + 1
	for offset := 1; offset <= scaleSaves; offset++ {
		took, msg, err := saveAndAwait(ctx, s, "big/core.py", coreSource(value, offset), fmt.Sprint(value+offset))
		if err != nil {
			return ScaleResult{}, fmt.Errorf("save core: %w", err)
		}
		if got := rerunModules(msg); len(got) != 0 {
			return ScaleResult{}, fmt.Errorf("editing the body of scaled in core re-ran %d importers, want none: %.300s", len(got), msg)
		}
		if err := body.add(took, msg); err != nil {
			return ScaleResult{}, fmt.Errorf("save core: %w", err)
		}
	}
	res.BodyEdit = body.stats()

	direct, err := runBaseline(ctx, python, d, s.dir, append([]string{"big.core"}, want...), scaleSaves)
	if err != nil {
		return ScaleResult{}, err
	}
	res.Direct = direct
	if direct.P50Ms > 0 {
		res.Ratio = res.Save.P50Ms / direct.P50Ms
	}
	return res, nil
}

// rerunModules returns the importers a reload message says re-ran after
// the module: "big.core reloaded in 40 ms (and big.m004, big.m009): 3".
func rerunModules(msg string) []string {
	_, rest, ok := strings.Cut(msg, " (and ")
	if !ok {
		return nil
	}
	list, _, ok := strings.Cut(rest, ")")
	if !ok {
		return nil
	}
	return strings.Split(list, ", ")
}

// runBaseline runs baseline.py: modules' bodies, imported from root, run
// repeats times in one python process after importing d and the modules.
func runBaseline(ctx context.Context, python string, d deps, root string, modules []string, repeats int) (Stats, error) {
	script := filepath.Join(d.Dir, "baseline.py")
	if err := os.WriteFile(script, []byte(baselineSource), 0o644); err != nil {
		return Stats{}, fmt.Errorf("write baseline.py: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script, root, strings.Join(d.Modules, ","), strings.Join(modules, ","), fmt.Sprint(repeats))
	cmd.Env = os.Environ()
	for k, v := range d.env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%w\n%s", err, exit.Stderr)
		}
		return Stats{}, fmt.Errorf("run baseline.py: %w", err)
	}
	var seconds []float64
	if err := json.Unmarshal(out, &seconds); err != nil {
		return Stats{}, fmt.Errorf("run baseline.py: %w (it printed %q)", err, out)
	}
	samples := make([]time.Duration, len(seconds))
	for i, s := range seconds {
		samples[i] = time.Duration(s * float64(time.Second))
	}
	return summarize(samples), nil
}
