package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The large-module measurement: one function's body edited in a module of
// a couple of thousand lines, whose parse and compile are most of a save.
// An editor sends the text as it is typed (didChange), and the runtime
// compiles it once typing pauses (lsp/prepare.go), so a save of that text
// only runs it. The bench saves the same edits both ways.
const (
	largeModuleFile = "large.py"
	// largeModuleFunctions of largeModuleFunctionLines lines each: about
	// 2,000 lines, a large module but a common one.
	largeModuleFunctions     = 250
	largeModuleFunctionLines = 8
	largeModuleSaves         = 20
	// largeModulePace is the pause before each save, as a person saves:
	// long enough for the text typed to be compiled first.
	largeModulePace = 400 * time.Millisecond
	// typedAhead is how long before the save the editor sent the saved
	// text: the pause between the last keystroke and pressing save. It
	// exceeds the server's prepare delay (100 ms) and the compile.
	typedAhead = 200 * time.Millisecond
	// quickAhead is the same for a save pressed right after the last
	// keystroke, before the prepare delay has passed: the server compiles
	// the text when willSave comes (lsp/prepare.go).
	quickAhead = 50 * time.Millisecond
	// willSaveAhead is how long before the file is written and didSave
	// sent the editor sends willSave, the announcement of a save: VS Code
	// (code-server 4.139.1, in hotload's end-to-end test on this VM) sent
	// didSave 22 to 46 ms after willSave. The bench takes a little under
	// the shortest.
	willSaveAhead = 20 * time.Millisecond
)

// LargeModuleResult is didSave → showMessage for edits of one function of
// a large module.
type LargeModuleResult struct {
	Lines int `json:"lines"`
	// Saved is the file written and saved with no didChange before it, as
	// a save by another program (or an editor without hotload's text
	// sync) comes: the save parses and compiles the module.
	Saved SaveStats `json:"saved"`
	// Typed is the same edits typed first: the editor sent the text
	// typedAhead before the save, and willSave willSaveAhead before it.
	Typed SaveStats `json:"typed"`
	// Quick is the same edits saved right after typing: the text
	// quickAhead before the save, willSave willSaveAhead before it.
	Quick SaveStats `json:"quick"`
	// TypedAheadMs, QuickAheadMs and WillSaveAheadMs are typedAhead,
	// quickAhead and willSaveAhead, in milliseconds.
	TypedAheadMs    float64 `json:"typedAheadMs"`
	QuickAheadMs    float64 `json:"quickAheadMs"`
	WillSaveAheadMs float64 `json:"willSaveAheadMs"`
	// TypedPrepared and QuickPrepared are how many of Typed's and Quick's
	// saves (warm-ups included) ran code compiled before the save, by
	// their hotload/result, of TypedSaves each.
	TypedPrepared int `json:"typedPrepared"`
	QuickPrepared int `json:"quickPrepared"`
	TypedSaves    int `json:"typedSaves"`
}

// largeModuleSource is large.py with area's body adding k: its value is
// area(2, 3) = 6 + k.
func largeModuleSource(k int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\"\"\"A large module: %d functions.\"\"\"\n\n\ndef area(w, h):\n    return w * h + %d\n", largeModuleFunctions, k)
	for i := range largeModuleFunctions {
		fmt.Fprintf(&b, "\n\ndef step%03d(values, limit=%d):\n    \"\"\"Step %d of the pipeline.\"\"\"\n    total = 0\n    for i, v in enumerate(values):\n        if i %% 3 == 0 and v < limit:\n            total += v * %d\n    return {\"step\": %d, \"total\": total}\n", i, i+10, i, i%7+1, i)
	}
	b.WriteString("\n\narea(2, 3)\n")
	return b.String()
}

// measureLargeModule saves large.py largeModuleSaves times as written, then
// as many times typed first, then as many saved right after typing, each
// save largeModulePace after the previous one's message, after warmupSaves
// unmeasured saves each way.
func measureLargeModule(ctx context.Context, s *session) (LargeModuleResult, error) {
	r := LargeModuleResult{
		Lines:           strings.Count(largeModuleSource(0), "\n"),
		TypedAheadMs:    millis(typedAhead),
		QuickAheadMs:    millis(quickAhead),
		WillSaveAheadMs: millis(willSaveAhead),
		TypedSaves:      warmupSaves + largeModuleSaves,
	}
	k := 0
	var err error
	if r.Saved, err = timeLargeModuleSaves(ctx, s, &k, 0); err != nil {
		return r, err
	}
	if err := s.open(ctx, largeModuleFile, largeModuleSource(k)); err != nil {
		return r, err
	}
	if r.Typed, r.TypedPrepared, err = timeTypedSaves(ctx, s, &k, typedAhead); err != nil {
		return r, err
	}
	if r.Quick, r.QuickPrepared, err = timeTypedSaves(ctx, s, &k, quickAhead); err != nil {
		return r, err
	}
	return r, nil
}

// timeTypedSaves is timeLargeModuleSaves with each text typed ahead before
// its save, and also returns how many of the saves ran code compiled
// before them.
func timeTypedSaves(ctx context.Context, s *session, k *int, ahead time.Duration) (SaveStats, int, error) {
	m := s.inbox.mark()
	stats, err := timeLargeModuleSaves(ctx, s, k, ahead)
	if err != nil {
		return stats, 0, err
	}
	// The server sends each save's hotload/result before its showMessage,
	// so all of them are in; the wait only makes that a checked fact.
	if err := s.inbox.await(ctx, "the typed saves' hotload/result", func() bool {
		return len(s.inbox.results)-m.results >= warmupSaves+largeModuleSaves
	}); err != nil {
		return stats, 0, err
	}
	return stats, s.inbox.preparedSince(m), nil
}

// timeLargeModuleSaves saves the next warmupSaves+largeModuleSaves versions
// of large.py after version *k, each largeModulePace after the previous
// one's message, and returns didSave → showMessage of all but the warm-ups.
// With ahead, each version's text reaches the server (didChange) ahead
// before its save, as an editor sends it while the user types, and
// willSave willSaveAhead before it; with 0 the file is only written.
func timeLargeModuleSaves(ctx context.Context, s *session, k *int, ahead time.Duration) (SaveStats, error) {
	pause := largeModulePace - ahead
	var samples saveSamples
	for i := 1; i <= warmupSaves+largeModuleSaves; i++ {
		if err := sleep(ctx, pause); err != nil {
			return SaveStats{}, err
		}
		*k++
		text := largeModuleSource(*k)
		if ahead > 0 {
			if err := s.typeAhead(ctx, largeModuleFile, text, ahead); err != nil {
				return SaveStats{}, err
			}
		}
		took, msg, err := saveAndAwait(ctx, s, largeModuleFile, text, fmt.Sprint(6+*k))
		if err != nil {
			return SaveStats{}, fmt.Errorf("save %d: %w", *k, err)
		}
		if i <= warmupSaves {
			continue
		}
		if err := samples.add(took, msg); err != nil {
			return SaveStats{}, fmt.Errorf("save %d: %w", *k, err)
		}
	}
	return samples.stats(), nil
}
