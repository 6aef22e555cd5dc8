package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// measureHotloadScenario runs sc's edits in a `hotload lsp` session whose
// runtime is python (the peers' interpreter, with nothing preloaded): it
// saves sc.load to load what the peers' probes import, then times didSave
// → showMessage of n edits after peerWarmups, peerPause apart as for the
// peers. With typed, the edited file is open in the editor and each
// edit's text reaches the server (didChange) typedAhead before its save,
// as an editor sends it while the user types, and willSave willSaveAhead
// before it; without, the file is only written and saved. For the importers' scenarios it then asks the
// runtime what the importers see.
func measureHotloadScenario(ctx context.Context, bin, python string, sc scenario, dir, logPath string, n int, typed bool) (PeerCell, error) {
	if err := sc.write(dir); err != nil {
		return PeerCell{}, err
	}
	s, err := startSession(ctx, bin, dir, logPath, map[string]any{"python": python})
	if err != nil {
		return PeerCell{}, err
	}
	ended := false
	defer func() {
		if !ended {
			s.kill()
		}
	}()
	if _, _, err := s.awaitReady(ctx); err != nil {
		return PeerCell{}, err
	}
	for _, rel := range sc.load {
		content, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s: %w", sc.key, err)
		}
		if _, _, err := saveAndAwait(ctx, s, rel, string(content), ""); err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s: load %s: %w", sc.key, rel, err)
		}
	}
	pause := peerPause
	if typed {
		if err := s.open(ctx, sc.edited, sc.edit(0)); err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s: %w", sc.key, err)
		}
		pause -= typedAhead
	}
	var samples saveSamples
	var warmups []float64
	last := 0
	m := s.inbox.mark()
	for k := 1; k <= peerWarmups+n; k++ {
		if err := sleep(ctx, pause); err != nil {
			return PeerCell{}, err
		}
		if typed {
			if err := s.typeAhead(ctx, sc.edited, sc.edit(k), typedAhead); err != nil {
				return PeerCell{}, fmt.Errorf("hotload on %s, edit %d: %w", sc.key, k, err)
			}
		}
		took, msg, err := saveAndAwait(ctx, s, sc.edited, sc.edit(k), sc.want(k))
		if err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s, edit %d: %w", sc.key, k, err)
		}
		last = k
		if k <= peerWarmups {
			warmups = append(warmups, millis(took))
			continue
		}
		if err := samples.add(took, msg); err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s, edit %d: %w", sc.key, k, err)
		}
	}
	cell := PeerCell{WarmupMs: warmups}
	if typed {
		// Each save's hotload/result comes before its showMessage: all are in.
		if err := s.inbox.await(ctx, "the typed saves' hotload/result", func() bool {
			return len(s.inbox.results)-m.results >= last
		}); err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s: %w", sc.key, err)
		}
		cell.Prepared, cell.Saves = s.inbox.preparedSince(m), last
	}
	if sc.key == "b" || sc.key == "b2" {
		seen, err := evaluate(ctx, s, "loadall.py", `"|".join(sorted({str(m.value()) for m in mods}))`)
		if err != nil {
			return PeerCell{}, fmt.Errorf("hotload on %s: ask the importers: %w", sc.key, err)
		}
		if want := fmt.Sprintf("'%s'", sc.want(last)); seen != want {
			cell.Never = fmt.Sprintf("the importers see %s after the last edit, want %s", seen, want)
		}
	}
	if cell.Never == "" {
		st := samples.stats()
		cell.Observed, cell.Work = &st.Stats, &st.Stated
	}
	ended = true
	if _, err := endSession(ctx, s); err != nil {
		return PeerCell{}, err
	}
	return cell, nil
}

// evaluate runs code in the namespace of the module of the workspace file
// rel through hotload.evaluate and returns the value's repr.
func evaluate(ctx context.Context, s *session, rel, code string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	params := &protocol.ExecuteCommandParams{Command: "hotload.evaluate"}
	for _, arg := range []string{string(uri.File(s.path(rel))), code} {
		data, err := json.Marshal(arg)
		if err != nil {
			return "", err
		}
		params.Arguments = append(params.Arguments, data)
	}
	result, err := s.lsp.ExecuteCommand(ctx, params)
	if err != nil {
		return "", s.why(err)
	}
	var reply struct {
		Value *string `json:"value"`
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(result, &reply); err != nil {
		return "", fmt.Errorf("hotload.evaluate replied %s: %w", result, err)
	}
	if reply.Error != nil {
		return "", fmt.Errorf("hotload.evaluate raised: %s", strings.TrimSpace(*reply.Error))
	}
	if reply.Value == nil {
		return "None", nil
	}
	return *reply.Value, nil
}
