package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAtLeast312(t *testing.T) {
	for version, want := range map[string]bool{"3.12.1": true, "3.13.0": true, "3.11.7": false, "2.7.18": false, "4.0": true, "3": false, "": false} {
		if got := atLeast312(version); got != want {
			t.Errorf("atLeast312(%q) = %v, want %v", version, got, want)
		}
	}
}

// Each scenario's edits change what the program observes, every time, and
// edit 0 is the workspace as written.
func TestPeerScenariosEditsAreObservable(t *testing.T) {
	for _, sc := range peerScenarios() {
		if got := sc.files[sc.edited]; got != sc.edit(0) {
			t.Errorf("scenario %s: %s as written differs from edit 0", sc.key, sc.edited)
		}
		if _, ok := sc.files[sc.hmrEntry]; !ok {
			t.Errorf("scenario %s: hmr's entry %s is not in the workspace", sc.key, sc.hmrEntry)
		}
		seen := map[string]bool{}
		for k := range 5 {
			if seen[sc.want(k)] {
				t.Errorf("scenario %s: edit %d shows %q, as an earlier edit did", sc.key, k, sc.want(k))
			}
			seen[sc.want(k)] = true
		}
	}
}

func TestAttributeWork(t *testing.T) {
	ms := func(x float64) *float64 { return &x }
	events := []peerEvent{
		{WorkMs: ms(9), NS: 50},  // before the first edit: setting up
		{WorkMs: ms(1), NS: 110}, // edit at 100
		{WorkMs: ms(2), NS: 120}, // edit at 100, a second update
		{WorkMs: ms(4), NS: 250}, // edit at 200
	}
	got := attributeWork(events, []int64{100, 200, 300})
	want := []time.Duration{3 * time.Millisecond, 4 * time.Millisecond} // the edit at 300 did no work
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("attributeWork = %v, want %v", got, want)
	}
}

// The table compares hotload, both ways, with the best peer that showed
// the edit, says which never did, and judges issue 13's targets.
func TestPeersTable(t *testing.T) {
	obs := func(p50 float64) *Stats { return &Stats{N: 20, P50Ms: p50, P90Ms: 2 * p50} }
	typed := func(p50 float64) PeerCell { return PeerCell{Observed: obs(p50), Prepared: 22, Saves: 22} }
	p := &PeersResult{
		Env:   peerEnv{Python: pythonInfo{Version: "3.13.0", Path: "/py"}, Versions: []string{"hmr==0.7.6.3", "ipython==9.18.1", "jurigged==0.6.1"}},
		Edits: 20,
		Rows: []PeerRow{
			{Key: "a", Label: "(a) one function", Hotload: PeerCell{Observed: obs(2)}, Typed: typed(1), Peers: map[string]PeerCell{
				"jurigged": {Observed: obs(60)}, "ipython": {Observed: obs(3)}, "hmr": {Observed: obs(70)}}},
			{Key: "b", Label: "(b) constant", Hotload: PeerCell{Observed: obs(20)}, Typed: PeerCell{Never: "edit 2 not seen", Saves: 22}, Peers: map[string]PeerCell{
				"jurigged": {Never: "edit 1 not seen"}, "ipython": {Never: "edit 1 not seen"}, "hmr": {Observed: obs(30)}}},
			{Key: "b2", Label: "(b2) constant, read late", Hotload: PeerCell{Observed: obs(40)}, Typed: typed(40), Peers: map[string]PeerCell{
				"jurigged": {Observed: obs(52)}, "ipython": {Observed: obs(4)}, "hmr": {Observed: obs(80)}}},
		},
	}
	var out bytes.Buffer
	if err := printPeers(&out, p); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	lines := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, "  "); i > 0 {
			lines[l[:i]] = strings.Join(strings.Fields(l[i:]), " ")
		}
	}
	for what, want := range map[string]string{
		"(a) best peer p50 / hotload p50, typed first":  "3.0× ≥ 2.0× yes against IPython 9.18.1",
		"(a) best peer p50 / hotload p50, as written":   "1.5× ≥ 2.0× no against IPython 9.18.1",
		"(a) jurigged p50 / hotload p50, typed first":   "60× ≥ 50× yes",
		"(a) jurigged p50 / hotload p50, as written":    "30× ≥ 50× no",
		"(b) best peer p50 / hotload p50, typed first":  "— ≥ 2.0× no hotload never showed it",
		"(b) best peer p50 / hotload p50, as written":   "1.5× ≥ 2.0× no against hmr 0.7.6.3",
		"(b2) best peer p50 / hotload p50, typed first": "0.1× — — against IPython 9.18.1",
		"(b) constant": "never 20 ms (40 ms) never never 30 ms (60 ms)",
	} {
		if got := lines[what]; got != want {
			t.Errorf("line %q = %q, want %q\n%s", what, got, want, text)
		}
	}
	for _, note := range []string{
		"- (b) jurigged never showed it: edit 1 not seen.",
		"- (b) hotload, typed first, never showed it: edit 2 not seen.",
		"(a) 22 of 22, (b) 0 of 22, (b2) 22 of 22 saves ran code compiled from the typed text",
	} {
		if !strings.Contains(text, note) {
			t.Errorf("the notes do not say %q:\n%s", note, text)
		}
	}
	var md bytes.Buffer
	if err := printPeersMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| edit → observable, p50 (p90) | hotload, typed first | hotload, as written | jurigged 0.6.1 | IPython 9.18.1 | hmr 0.7.6.3 |",
		"|---|---|---|---|---|---|",
		"| (a) one function | 1.0 ms (2.0 ms) | 2.0 ms (4.0 ms) | 60 ms (120 ms) | 3.0 ms (6.0 ms) | 70 ms (140 ms) |",
	} {
		if !strings.Contains(md.String(), row+"\n") {
			t.Errorf("the Markdown table has no line %q:\n%s", row, md.String())
		}
	}
}

// runProbe runs script (Python, given the probe's path as sys.argv[1])
// with descriptor 3 open, and returns the lines the probe wrote on it, as
// events, and what the script printed.
func runProbe(t *testing.T, script string) ([]peerEvent, string) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on PATH")
	}
	dir := t.TempDir()
	probe := filepath.Join(dir, "_peerprobe.py")
	if err := os.WriteFile(probe, []byte(peerProbeSource), 0o644); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(python, "-c", script, probe)
	cmd.ExtraFiles = []*os.File{w}
	out, err := cmd.CombinedOutput()
	w.Close()
	if err != nil {
		t.Fatalf("probe: %v\n%s", err, out)
	}
	var events []peerEvent
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var ev peerEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("probe wrote %q: %v", sc.Text(), err)
		}
		events = append(events, ev)
	}
	return events, string(out)
}

// The probe reports what the program observes, and each printed line, as
// JSON on descriptor 3.
func TestPeerProbeReportsOnDescriptor3(t *testing.T) {
	script := "import sys, runpy\nm = runpy.run_path(sys.argv[1], run_name='probe')\nm['observe'](7)\nm['StampedStdout'](sys.stdout).write('five\\n\\n')\n"
	events, out := runProbe(t, script)
	var got []string
	for _, ev := range events {
		if ev.Obs == nil || ev.NS == 0 {
			t.Errorf("probe wrote %+v, want an observation with its time", ev)
			continue
		}
		got = append(got, *ev.Obs)
	}
	if strings.Join(got, ",") != "7,five" {
		t.Errorf("observations = %q, want 7 and five", got)
	}
	if out != "five\n\n" {
		t.Errorf("stdout = %q, want what was printed, unchanged", out)
	}
}

// Between an edit and its observation the probe writes nothing, so that
// no tool's time includes the probe's own report: a tool's work, timed
// before the observation (jurigged's hooks, IPython's pre_run_cell), is
// reported right after it; timed after one (hmr re-runs its entry between
// its hooks), at once.
func TestPeerProbeReportsWorkAfterTheObservation(t *testing.T) {
	script := `import sys, runpy
m = runpy.run_path(sys.argv[1], run_name='probe')
t = m['WorkTimer']()
t.start(); t.stop()
m['observe'](1)
t.start(); m['observe'](2); t.stop()
m['StampedStdout'](sys.stdout).write('3\n')
`
	events, _ := runProbe(t, script)
	var got []string
	for _, ev := range events {
		switch {
		case ev.Obs != nil:
			got = append(got, "obs "+*ev.Obs)
		case ev.WorkMs != nil:
			got = append(got, "work")
		default:
			got = append(got, fmt.Sprintf("%+v", ev))
		}
	}
	if want := "obs 1,work,obs 2,work,obs 3"; strings.Join(got, ",") != want {
		t.Errorf("events = %q, want %q", got, want)
	}
}
