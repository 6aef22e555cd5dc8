package lsp

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// The scenarios in testdata/unseen/ are a second, independent set of
// real-world edits, written apart from the ones the reload engine and the
// framework adapters were built against (testdata/scenarios/ and
// testdata/acceptance/), to judge them as issue 11's unseen set does: a
// new user saves a file, edits it, saves again and looks at what the
// program does, through the editor protocol, and each answer is compared
// with a fresh run of the final files. The archives use the directives of
// scenarios_test.go (needs, load, do, save, check, stale, warn).
//
// Each scenario's outcome is
//
//   - right:  every check agrees with the fresh run and the editor showed
//     no Warning;
//   - noted:  every check agrees with the fresh run, and a Warning lands on
//     each line the warn directives name, saying what would not (code that
//     took a function before a decorator was added, instances made before
//     a field was): what was checked is right, the rest is said;
//   - warned: a check the scenario marks stale differs from the fresh run,
//     and a Warning lands on each line its warn directives name (the
//     object that still runs old code);
//   - silent: a check differs from the fresh run without a Warning on
//     the line the scenario names. hotload must never be silently wrong;
//   - noisy:  everything agrees, yet the editor showed a Warning the
//     scenario does not expect, or not the one it expects.
//
// A scenario fails unless its outcome is the one its directives declare:
// right without warn directives, noted with warn directives and no stale
// check, warned with both. -v prints the table.
func TestUnseenEditScenarios(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "unseen", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	// The scenarios run two at a time (-parallel, GOMAXPROCS by default):
	// each waits on its own Pythons most of the time. The table is
	// written once they all ended.
	type outcome struct {
		ran         bool
		name, title string
		got, said   string
	}
	outcomes := make([]outcome, len(paths))
	t.Cleanup(func() {
		counts := map[string]int{}
		var table []string
		for _, o := range outcomes {
			if !o.ran {
				continue // not selected by -run
			}
			counts[o.got]++
			table = append(table, fmt.Sprintf("| %s | %s | %s | %s |", o.name, o.title, o.got, o.said))
		}
		t.Logf("unseen scenario outcomes:\n| scenario | edit | outcome | the editor said |\n|---|---|---|---|\n%s\n"+
			"%d scenarios: right %d, noted %d, warned %d, silent %d, noisy %d, skipped %d",
			strings.Join(table, "\n"), len(table), counts["right"], counts["noted"], counts["warned"], counts["silent"], counts["noisy"], counts["skipped"])
	})
	for i, path := range paths {
		sc := parseScenario(t, path)
		o := &outcomes[i]
		o.name, o.title, o.got = sc.name, sc.title, "skipped"
		t.Run(sc.name, func(t *testing.T) {
			o.ran = true
			t.Parallel()
			sc.choosePython(t)
			o.got, o.said = sc.judge(t)
			want := "right"
			if len(sc.warnings) > 0 {
				want = "noted"
				for _, c := range sc.checks {
					if c.stale != "" {
						want = "warned"
					}
				}
			}
			if o.got != want {
				t.Errorf("%s: %s, want %s", sc.title, o.got, want)
			}
		})
	}
}

// judge plays the scenario, compares each check with the fresh run and
// returns the outcome (see TestUnseenEditScenarios) and the Warnings the
// editor showed, shortened, for the table. Every difference is an error
// of the test, with what the fresh run gives.
func (sc scenario) judge(t *testing.T) (string, string) {
	t.Helper()
	want := sc.freshValues(t)
	e := sc.play(t)
	differs := false
	for i, c := range sc.checks {
		value := c.evaluate(t, e)
		switch {
		case c.stale == "" && value != want[i]:
			differs = true
			t.Errorf("%s: %s = %s, a fresh run gives %s", c.file, c.expr, value, want[i])
		case c.stale != "" && value != c.stale:
			differs = true
			t.Errorf("%s: %s = %s, want %s (stale, warned)", c.file, c.expr, value, c.stale)
		case c.stale != "" && value == want[i]:
			t.Errorf("%s: %s = %s as in a fresh run: make it a check", c.file, c.expr, value)
		case c.stale != "":
			differs = true
		}
	}
	got := e.warnings()
	said := describeWarnings(got)
	if len(said) > 160 {
		said = said[:157] + "..."
	}
	missing := 0
	for _, w := range sc.warnings {
		found := false
		for _, d := range got[w.file] {
			if int(d.Range.Start.Line)+1 == w.line && strings.Contains(message(d), w.text) {
				found = true
			}
		}
		if !found {
			missing++
			t.Errorf("no Warning on %s:%d containing %q; warnings: %s", w.file, w.line, w.text, describeWarnings(got))
		}
	}
	switch {
	case differs && (len(sc.warnings) == 0 || missing > 0):
		return "silent", said
	case differs:
		return "warned", said
	case len(got) > 0 && len(sc.warnings) == 0:
		return "noisy", said
	case len(sc.warnings) > 0 && missing > 0:
		return "noisy", said // a warned scenario whose Warning moved or went: the table says which
	case len(sc.warnings) > 0:
		return "noted", said
	}
	return "right", said
}
