package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestFormatMs(t *testing.T) {
	for ms, want := range map[float64]string{0.456: "0.46 ms", 4.37: "4.4 ms", 282.4: "282 ms", 1250: "1.25 s"} {
		if got := formatMs(ms); got != want {
			t.Errorf("formatMs(%v) = %q, want %q", ms, got, want)
		}
	}
	for x, want := range map[float64]string{3.14: "3.1×", 610.4: "610×", 49.7: "49×", 1.96: "1.9×", 2.3: "2.3×"} {
		if got := formatRatio(x); got != want {
			t.Errorf("formatRatio(%v) = %q, want %q", x, got, want)
		}
	}
}

// TestTableWithoutFresh checks that a strategy the server does not
// implement shows as such, with no figure, and that targets are judged.
func TestTableWithoutFresh(t *testing.T) {
	r := &Report{
		Settings:      Settings{Deps: []string{"numpy", "pandas"}},
		Cold:          Stats{N: 20, P50Ms: 280, P90Ms: 300, P99Ms: 310},
		SaveToMessage: SaveStats{Stats: Stats{N: 200, P50Ms: 0.5, P90Ms: 0.6, P99Ms: 0.7}},
		ColdOverWarm:  560,
		Fresh:         FreshResult{Note: "a global survived"},
		Death:         DeathResult{ToReady: Stats{N: 5, P50Ms: 260}},
		Scale:         ScaleResult{Modules: 500, Importers: 100, Ratio: 6},
	}
	var out bytes.Buffer
	if err := printTable(&out, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		t.Fatalf("no line starting %q in\n%s", prefix, out.String())
		return ""
	}
	for prefix, want := range map[string]string{
		`strategy "fresh"`:         "— — — p50 ≤ 10 ms not implemented (issue 5 item 2)",
		"save → showMessage":       "200 0.50 ms 0.60 ms 0.70 ms p50 ≤ 1 ms yes",
		"cold `":                   "20 280 ms 300 ms — — —", // 20 runs: no p99
		"cold p50":                 "560× — — ≥ 300× yes",
		"runtime death (os._exit)": "5 260 ms — — ≤ 50 ms no",
		"scale: save / direct":     "6.0× — — ≤ 5× no",
	} {
		if got := find(prefix); !strings.HasSuffix(got, want) {
			t.Errorf("row %q = %q, want it to end in %q", prefix, got, want)
		}
	}
}

// TestTableFreshAndDeathTargets checks the rows issue 13 sets targets for:
// fresh saves at a human pace and their speed-up over a cold run, back-to-
// back fresh saves, and the save after a runtime death.
func TestTableFreshAndDeathTargets(t *testing.T) {
	r := &Report{
		Settings: Settings{Deps: []string{"numpy", "pandas"}},
		Cold:     Stats{N: 20, P50Ms: 400},
		Fresh: FreshResult{
			Implemented:   true,
			PaceMs:        200,
			Paced:         &SaveStats{Stats: Stats{N: 50, P50Ms: 8}},
			ColdOverPaced: 50,
			SaveToResult:  &SaveStats{Stats: Stats{N: 100, P50Ms: 25}},
		},
		Death: DeathResult{ToNextSave: Stats{N: 20, P50Ms: 16}},
		Scale: ScaleResult{Importers: 100, BodyEdit: SaveStats{Stats: Stats{N: 10, P50Ms: 1.5}}},
	}
	got := map[string]row{}
	for _, x := range rows(r) {
		got[x.what] = x
	}
	for what, want := range map[string]string{
		`strategy "fresh": save → showMessage, saves 200 ms apart`:                     "p50 ≤ 10 ms: yes",
		"cold p50 / fresh save → showMessage p50":                                      "≥ 40×: yes",
		`strategy "fresh": save → showMessage, saves back to back`:                     "p50 ≤ 20 ms: no",
		"runtime death → showMessage of a save sent at the crash report":               "p50 ≤ 15 ms: no",
		"scale: save core, a function body edited → showMessage (no importer re-runs)": "p50 ≤ 2 ms: yes",
	} {
		x, ok := got[what]
		if !ok {
			t.Errorf("no row %q", what)
			continue
		}
		if s := x.target + ": " + x.met; s != want {
			t.Errorf("row %q: target and met = %q, want %q", what, s, want)
		}
	}
}
