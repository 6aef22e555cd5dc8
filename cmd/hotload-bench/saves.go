package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.lsp.dev/protocol"
)

// warmupSaves are saves made before the measured ones and not counted: the
// first imports the module, the next ones let the caches of the server, the
// runtime and the bench's own connection settle.
const warmupSaves = 5

// moduleName is the module of a workspace file, whose folders are all
// packages: "big/core.py" is big.core.
func moduleName(rel string) string {
	return strings.ReplaceAll(strings.TrimSuffix(filepath.ToSlash(rel), ".py"), "/", ".")
}

// reloadMessage matches the showMessage of a module's successful reload
// whose value or output ends the message as ": suffix", or with suffix ""
// that of any successful reload.
func reloadMessage(module, suffix string) func(string) bool {
	return func(msg string) bool {
		return strings.HasPrefix(msg, module+" reloaded in ") && (suffix == "" || strings.HasSuffix(msg, ": "+suffix))
	}
}

// saveAndAwait saves content to rel and waits for the message of its
// successful reload ending in ": suffix". A failed reload is an error. It
// returns the time from didSave to the message, and the message.
func saveAndAwait(ctx context.Context, s *session, rel, content, suffix string) (time.Duration, string, error) {
	module := moduleName(rel)
	m := s.inbox.mark()
	sent, err := s.save(ctx, rel, content)
	if err != nil {
		return 0, "", err
	}
	ok := reloadMessage(module, suffix)
	got, err := s.inbox.awaitMessage(ctx, m, fmt.Sprintf("the reload of %s ending in %q", rel, ": "+suffix), func(msg string) bool {
		return ok(msg) || strings.HasPrefix(msg, module+": ")
	})
	if err != nil {
		return 0, "", err
	}
	if !ok(got.Value.Message) {
		return 0, "", fmt.Errorf("save of %s failed: %s", rel, got.Value.Message)
	}
	return got.At.Sub(sent), got.Value.Message, nil
}

// statedReload returns the reload time a reload message states:
// "lib reloaded in 0.3 ms: 1" took 0.3 ms in the runtime.
func statedReload(msg string) (time.Duration, bool) {
	_, rest, ok := strings.Cut(msg, " reloaded in ")
	if !ok {
		return 0, false
	}
	value, rest, ok := strings.Cut(rest, " ")
	if !ok {
		return 0, false
	}
	unit := rest
	if i := strings.IndexAny(rest, " :"); i >= 0 {
		unit = rest[:i]
	}
	return parseDuration(value, unit)
}

// parseDuration reads a duration as the server prints one: "0.3" "ms",
// "12" "ms", "1.3" "s".
func parseDuration(value, unit string) (time.Duration, bool) {
	x, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return 0, false
	}
	switch unit {
	case "ms":
		return time.Duration(x * float64(time.Millisecond)), true
	case "s":
		return time.Duration(x * float64(time.Second)), true
	}
	return 0, false
}

// saveSamples collects the latencies of saves and the times their
// messages state.
type saveSamples struct {
	took, stated []time.Duration
}

// add records one save; its message must state a time.
func (ss *saveSamples) add(took time.Duration, msg string) error {
	stated, ok := statedReload(msg)
	if !ok {
		return fmt.Errorf("no reload time in the message %q", clip(msg))
	}
	ss.took = append(ss.took, took)
	ss.stated = append(ss.stated, stated)
	return nil
}

func (ss *saveSamples) stats() SaveStats {
	return SaveStats{Stats: summarize(ss.took), Stated: summarize(ss.stated)}
}

// measureSaves saves rel n times (after warmupSaves more), each time with a
// new counter printed, and returns didSave → showMessage. Each save comes
// pause after the previous one's message: 0 for back-to-back saves.
func measureSaves(ctx context.Context, s *session, rel string, n int, pause time.Duration) (SaveStats, error) {
	var samples saveSamples
	for i := 1; i <= warmupSaves+n; i++ {
		if err := sleep(ctx, pause); err != nil {
			return SaveStats{}, err
		}
		took, msg, err := saveAndAwait(ctx, s, rel, trivialSource(i), fmt.Sprint(i))
		if err != nil {
			return SaveStats{}, fmt.Errorf("save %d: %w", i, err)
		}
		if i <= warmupSaves {
			continue
		}
		if err := samples.add(took, msg); err != nil {
			return SaveStats{}, fmt.Errorf("save %d: %w", i, err)
		}
	}
	return samples.stats(), nil
}

// measureDiagnostics loads raise.py, then saves it n times (after
// warmupSaves more), alternating two versions that raise, and returns
// didSave → publishDiagnostics with that version's error.
func measureDiagnostics(ctx context.Context, s *session, n int) (Stats, error) {
	if _, _, err := saveAndAwait(ctx, s, raisingFile, raisingBase, "0"); err != nil {
		return Stats{}, err
	}
	path := s.path(raisingFile)
	var samples []time.Duration
	for i := range warmupSaves + n {
		variant := raisingVariants[i%len(raisingVariants)]
		m := s.inbox.mark()
		sent, err := s.save(ctx, raisingFile, variant.source)
		if err != nil {
			return Stats{}, err
		}
		got, err := s.inbox.awaitDiagnostics(ctx, m, fmt.Sprintf("diagnostics of %s with %s", raisingFile, variant.want), func(p protocol.PublishDiagnosticsParams) bool {
			return p.URI.FsPath() == path && hasDiagnostic(p.Diagnostics, variant.want)
		})
		if err != nil {
			return Stats{}, fmt.Errorf("save %d: %w", i, err)
		}
		// The error message follows the diagnostics; the next save waits
		// for it so that saves do not overlap.
		module := moduleName(raisingFile)
		if _, err := s.inbox.awaitMessage(ctx, m, "the error message of "+raisingFile, func(msg string) bool {
			return strings.HasPrefix(msg, module+": ") && strings.Contains(msg, variant.want)
		}); err != nil {
			return Stats{}, fmt.Errorf("save %d: %w", i, err)
		}
		if i >= warmupSaves {
			samples = append(samples, got.At.Sub(sent))
		}
	}
	return summarize(samples), nil
}

// hasDiagnostic reports whether an Error diagnostic's message contains substr.
func hasDiagnostic(diags []protocol.Diagnostic, substr string) bool {
	for _, d := range diags {
		if d.Severity != protocol.DiagnosticSeverityError {
			continue
		}
		var text string
		switch m := d.Message.(type) { // a string or, since LSP 3.18, markup
		case protocol.String:
			text = string(m)
		case *protocol.MarkupContent:
			text = m.Value
		}
		if strings.Contains(text, substr) {
			return true
		}
	}
	return false
}
