package main

import (
	"context"
	"fmt"
	"path/filepath"
)

// diagnosticSaves is how many saves of a raising module are timed.
const diagnosticSaves = 50

// sessionSettings are the initializationOptions of a session: the chosen
// interpreter with the heavy modules preloaded.
func sessionSettings(python pythonInfo, d deps) map[string]any {
	return map[string]any{"python": python.Path, "preload": d.Modules, "env": d.env()}
}

// runMainSession runs the measurements of one `hotload lsp` session, in an
// order that lets each find the runtime as it needs it: warm saves first,
// the 500-module workspace before the idle window (so that the memory is
// that of a loaded workspace), then the deaths, as each replaces the
// runtime, and the large heap last, in the runtime the last death left.
func runMainSession(ctx context.Context, b *bench, r *Report) error {
	dir := filepath.Join(b.tmp, "workspace")
	if err := writeWorkspace(dir); err != nil {
		return err
	}
	b.progress("starting `hotload lsp` in %s, preloading %s", dir, b.deps.label())
	s, err := startSession(ctx, b.bin, dir, filepath.Join(b.tmp, "server.log"), sessionSettings(b.python, b.deps))
	if err != nil {
		return err
	}
	ended := false
	defer func() {
		if !ended {
			s.kill()
		}
	}()
	pid, readyAt, err := s.awaitReady(ctx)
	if err != nil {
		return err
	}

	b.progress("save → showMessage: %d saves of %s", r.Settings.Saves, trivialFile)
	if r.SaveToMessage, err = measureSaves(ctx, s, trivialFile, r.Settings.Saves, 0); err != nil {
		return fmt.Errorf("save → showMessage: %w", err)
	}
	b.progress("save → publishDiagnostics: %d saves of %s", r.Settings.DiagnosticSaves, raisingFile)
	if r.SaveToDiagnostics, err = measureDiagnostics(ctx, s, r.Settings.DiagnosticSaves); err != nil {
		return fmt.Errorf("save → publishDiagnostics: %w", err)
	}
	b.progress("hover: %d hovers on a global of %s", hovers, hoverFile)
	if r.Hover, err = measureHover(ctx, s); err != nil {
		return fmt.Errorf("hover: %w", err)
	}
	b.progress("large module: %d saves of %s as written, %d typed first, %d right after typing", largeModuleSaves, largeModuleFile, largeModuleSaves, largeModuleSaves)
	if r.LargeModule, err = measureLargeModule(ctx, s); err != nil {
		return fmt.Errorf("large module: %w", err)
	}
	b.progress("scale: %d modules, core imported by %d, %d saves of core", scaleModules, scaleImporters, scaleSaves)
	if r.Scale, err = measureScale(ctx, s, b.python.Path, b.deps); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	if now := s.inbox.runtimePid(); now != pid {
		return fmt.Errorf("the runtime changed (pid %d, then %d) before the idle window; see %s", pid, now, s.log)
	}
	b.progress("idle: %v of no activity", b.cfg.idle)
	if r.Idle, err = measureIdle(ctx, s.cmd.Process.Pid, pid, b.cfg.idle); err != nil {
		return err
	}
	b.progress("runtime death → ready: %d crashes, %v apart", r.Settings.Deaths, deathPause)
	if r.Death, err = measureDeaths(ctx, s, r.Settings.Deaths, pid, readyAt); err != nil {
		return fmt.Errorf("runtime death: %w", err)
	}
	b.progress("large heap: %s objects alive, %d saves of %s", humanCount(largeHeapObjects), largeHeapSaves, areaFile)
	if r.LargeHeap, err = measureLargeHeap(ctx, s); err != nil {
		return fmt.Errorf("large heap: %w", err)
	}
	b.progress("shutdown and exit")
	ended = true
	r.Cleanup, err = endSession(ctx, s)
	return err
}

// runFreshSession starts a second session with strategy "fresh" and finds
// out whether the server runs saves in fresh processes.
func runFreshSession(ctx context.Context, b *bench, r *Report) error {
	dir := filepath.Join(b.tmp, "workspace-fresh")
	if err := writeWorkspace(dir); err != nil {
		return err
	}
	settings := sessionSettings(b.python, b.deps)
	settings["strategy"] = "fresh"
	b.progress(`strategy "fresh": a second session`)
	s, err := startSession(ctx, b.bin, dir, filepath.Join(b.tmp, "server-fresh.log"), settings)
	if err != nil {
		return err
	}
	ended := false
	defer func() {
		if !ended {
			s.kill()
		}
	}()
	if _, _, err := s.awaitReady(ctx); err != nil {
		return err
	}
	if r.Fresh, err = measureFresh(ctx, s); err != nil {
		return err
	}
	ended = true
	cleanup, err := endSession(ctx, s)
	r.Cleanup.RuntimePids = append(r.Cleanup.RuntimePids, cleanup.RuntimePids...)
	r.Cleanup.LeftBehind = append(r.Cleanup.LeftBehind, cleanup.LeftBehind...)
	return err
}
