package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// defaultPeerEdits is how many edits each tool is timed over per scenario:
// enough for a p90, few enough that -peers takes a few minutes.
const defaultPeerEdits = 20

// PeersResult is hotload side by side with jurigged, IPython's autoreload
// and hmr (issue 13 item 4): the same edits, each tool in its own process,
// on the same Python.
type PeersResult struct {
	Env   peerEnv   `json:"env"`
	Edits int       `json:"edits"` // timed per tool and scenario, after peerWarmups
	Rows  []PeerRow `json:"rows"`
}

// PeerRow is one scenario: hotload's figures, both ways, and each peer's,
// by package.
type PeerRow struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Hotload is the edits written and saved, with no didChange before
	// the save (a file changed by another program, a formatter on save).
	Hotload PeerCell `json:"hotload"`
	// Typed is the same edits as an editor sends them: the text as typed
	// (didChange), then willSave, then the save.
	Typed PeerCell            `json:"hotloadTyped"`
	Peers map[string]PeerCell `json:"peers"`
}

// hotloadWay is one way the bench drives hotload on every row.
type hotloadWay struct {
	label string // what the table calls it
	cell  func(PeerRow) PeerCell
}

// hotloadWays are the ways, in the table's order.
var hotloadWays = []hotloadWay{
	{"typed first", func(r PeerRow) PeerCell { return r.Typed }},
	{"as written", func(r PeerRow) PeerCell { return r.Hotload }},
}

// runPeers installs the peers and runs every scenario with hotload and with
// each of them, one process at a time.
func runPeers(ctx context.Context, b *bench) (*PeersResult, error) {
	python, err := choosePeerPython(ctx, b.cfg.peersPython)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.tmp, "peers")
	b.progress("peers: a virtual environment from %s (Python %s), installing %s from PyPI", python.Path, python.Version, "jurigged, ipython and hmr, pinned")
	env, err := setUpPeers(ctx, python, dir)
	if err != nil {
		return nil, err
	}
	res := &PeersResult{Env: env, Edits: b.cfg.peerEdits}
	for _, sc := range peerScenarios() {
		row := PeerRow{Key: sc.key, Label: sc.label, Peers: map[string]PeerCell{}}
		b.progress("peers %s: hotload, %d edits as written", sc.key, b.cfg.peerEdits)
		work := filepath.Join(dir, "hotload-"+sc.key)
		if row.Hotload, err = measureHotloadScenario(ctx, b.bin, env.python(), sc, work, work+".log", b.cfg.peerEdits, false); err != nil {
			return nil, err
		}
		b.progress("peers %s: hotload, %d edits typed first", sc.key, b.cfg.peerEdits)
		work = filepath.Join(dir, "hotload-typed-"+sc.key)
		if row.Typed, err = measureHotloadScenario(ctx, b.bin, env.python(), sc, work, work+".log", b.cfg.peerEdits, true); err != nil {
			return nil, err
		}
		for _, tool := range peerTools {
			b.progress("peers %s: %s, %d edits", sc.key, tool.name, b.cfg.peerEdits)
			work := filepath.Join(dir, tool.name+"-"+sc.key)
			cell, err := measurePeer(ctx, env, tool, sc, work, filepath.Join(dir, tool.name+"-"+sc.key+".log"), b.cfg.peerEdits)
			if err != nil {
				return nil, err
			}
			row.Peers[tool.name] = cell
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// bestPeer returns the peer with the lowest p50 on the row, and that p50;
// "" if no peer showed the edit.
func (r PeerRow) bestPeer() (string, float64) {
	best, p50 := "", 0.0
	for _, tool := range peerTools {
		c := r.Peers[tool.name]
		if c.Observed != nil && (best == "" || c.Observed.P50Ms < p50) {
			best, p50 = tool.name, c.Observed.P50Ms
		}
	}
	return best, p50
}

// speedup is hotload's p50 against a peer's on one row, with issue 13's
// target for it (0 for a row issue 13 sets none for).
type speedup struct {
	what   string
	ratio  float64 // 0 when there is nothing to compare
	target float64
	note   string // whom it is against, or why there is no ratio
}

// speedups are hotload's p50, each way, against the best peer's on every
// row (target 2×, except b2, which issue 13 does not list: it is b read
// the way the in-place tools can follow), and against jurigged's on row a
// (50×).
func (p *PeersResult) speedups() []speedup {
	var out []speedup
	for _, r := range p.Rows {
		best, p50 := r.bestPeer()
		for _, way := range hotloadWays {
			h := way.cell(r)
			s := speedup{what: fmt.Sprintf("(%s) best peer p50 / hotload p50, %s", r.Key, way.label), target: 2}
			if r.Key == "b2" {
				s.target = 0
			}
			switch {
			case h.Observed == nil:
				s.note = "hotload never showed it"
			case best == "":
				s.note = "no peer showed it"
			default:
				s.ratio = p50 / h.Observed.P50Ms
				s.note = "against " + toolLabel(best, p.Env)
			}
			out = append(out, s)
		}
		if r.Key != "a" {
			continue
		}
		for _, way := range hotloadWays {
			h := way.cell(r)
			j := speedup{what: "(a) jurigged p50 / hotload p50, " + way.label, target: 50}
			if c := r.Peers["jurigged"]; c.Observed != nil && h.Observed != nil {
				j.ratio = c.Observed.P50Ms / h.Observed.P50Ms
			} else {
				j.note = "one of them never showed it"
			}
			out = append(out, j)
		}
	}
	return out
}

// cells returns the ratio, target and met columns of a speed-up.
func (s speedup) cells() (ratio, target, met string) {
	ratio, target, met = "—", "—", "—"
	if s.ratio > 0 {
		ratio = formatRatio(s.ratio)
	}
	if s.target > 0 {
		target, met = "≥ "+formatRatio(s.target), "no"
		if s.ratio >= s.target {
			met = "yes"
		}
	}
	return ratio, target, met
}

// toolLabel is a peer's name and version: "jurigged 0.6.1".
func toolLabel(name string, env peerEnv) string {
	for _, t := range peerTools {
		if t.name == name {
			return strings.TrimSpace(t.label + " " + env.version(name))
		}
	}
	return name
}

// cellText is a table cell: "p50 (p90)", or why there is none.
func cellText(c PeerCell) string {
	if c.Observed == nil {
		return "never"
	}
	return fmt.Sprintf("%s (%s)", formatMs(c.Observed.P50Ms), formatMs(c.Observed.P90Ms))
}

// workText is the tool's own work, p50.
func workText(c PeerCell) string {
	if c.Work == nil {
		return "—"
	}
	return formatMs(c.Work.P50Ms)
}

// printPeers writes the peers table and its notes.
func printPeers(w io.Writer, p *PeersResult) error {
	fmt.Fprintf(w, "peers: each tool in its own process on Python %s (%s), in a throw-away virtual environment with %s, installed from PyPI in %.0f s.\n",
		p.Env.Python.Version, p.Env.Python.Path, strings.Join(p.Env.Versions, ", "), p.Env.InstallSeconds)
	fmt.Fprintf(w, "Each cell: edit written → new behaviour observable in the program, p50 (p90) over %d edits, %v apart; under it the tool's own reload work, p50.\n\n", p.Edits, peerPause)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"edit"}
	for _, way := range hotloadWays {
		header = append(header, "hotload, "+way.label)
	}
	for _, t := range peerTools {
		header = append(header, toolLabel(t.name, p.Env))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range p.Rows {
		cells := []string{r.Label}
		work := []string{"  … its own reload work"}
		for _, way := range hotloadWays {
			cells = append(cells, cellText(way.cell(r)))
			work = append(work, workText(way.cell(r)))
		}
		for _, t := range peerTools {
			cells = append(cells, cellText(r.Peers[t.name]))
			work = append(work, workText(r.Peers[t.name]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		fmt.Fprintln(tw, strings.Join(work, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "speed-up\tratio\ttarget\tmet\t")
	for _, s := range p.speedups() {
		ratio, target, met := s.cells()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.what, ratio, target, met, s.note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "- hotload: `hotload lsp` with that Python as its runtime, nothing preloaded; from didSave (sent after the file is written) to the showMessage with the new result; its work is the reload time the message states.")
	fmt.Fprintf(w, "- hotload, typed first: the edited file is open and each edit's text reaches the server (didChange) %v before its save, as an editor sends it while the user types, and willSave %v before it, as VS Code announces a save; %s.\n", typedAhead, willSaveAhead, preparedText(p))
	fmt.Fprintln(w, "- hotload, as written: the file is written and saved with no didChange before it (another program changed it, or a formatter on save).")
	for _, t := range peerTools {
		fmt.Fprintf(w, "- %s: %s.\n", toolLabel(t.name, p.Env), t.how)
	}
	for _, r := range p.Rows {
		for _, way := range hotloadWays {
			if c := way.cell(r); c.Never != "" {
				fmt.Fprintf(w, "- (%s) hotload, %s, never showed it: %s.\n", r.Key, way.label, c.Never)
			}
		}
		for _, t := range peerTools {
			if c := r.Peers[t.name]; c.Never != "" {
				fmt.Fprintf(w, "- (%s) %s never showed it: %s.\n", r.Key, t.name, c.Never)
			}
		}
	}
	return nil
}

// preparedText says, row by row, how many of hotload's typed saves ran
// code compiled before the save: "(a) 22 of 22, (b) 22 of 22 saves ran
// code compiled from the typed text".
func preparedText(p *PeersResult) string {
	var parts []string
	for _, r := range p.Rows {
		parts = append(parts, fmt.Sprintf("(%s) %d of %d", r.Key, r.Typed.Prepared, r.Typed.Saves))
	}
	return strings.Join(parts, ", ") + " saves ran code compiled from the typed text"
}

// peersOnly runs the peers table alone: -peers.
func peersOnly(ctx context.Context, b *bench, r *Report, stdout io.Writer) error {
	peers, err := runPeers(ctx, b)
	if err != nil {
		return err
	}
	r.Peers = peers
	r.Machine = describeMachine(b.bin, peers.Env.Python)
	r.Load.End = readLoad()
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "machine: %s\n%s\n\n", r.Machine, r.Load)
	if err := printPeers(stdout, peers); err != nil {
		return err
	}
	if b.cfg.markdown {
		fmt.Fprintln(stdout)
		if err := printPeersMarkdown(stdout, peers); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nMachine: %s; %s.\n", r.Machine, r.Load)
	}
	return nil
}

// printPeersMarkdown writes the peers table as Markdown, for the README.
func printPeersMarkdown(w io.Writer, p *PeersResult) error {
	var b strings.Builder
	b.WriteString("| edit → observable, p50 (p90) |")
	for _, way := range hotloadWays {
		b.WriteString(" hotload, " + way.label + " |")
	}
	for _, t := range peerTools {
		b.WriteString(" " + toolLabel(t.name, p.Env) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(hotloadWays)+len(peerTools)) + "\n")
	for _, r := range p.Rows {
		fmt.Fprintf(&b, "| %s |", r.Label)
		for _, way := range hotloadWays {
			fmt.Fprintf(&b, " %s |", cellText(way.cell(r)))
		}
		for _, t := range peerTools {
			fmt.Fprintf(&b, " %s |", cellText(r.Peers[t.name]))
		}
		b.WriteString("\n| … its own reload work, p50 |")
		for _, way := range hotloadWays {
			fmt.Fprintf(&b, " %s |", workText(way.cell(r)))
		}
		for _, t := range peerTools {
			fmt.Fprintf(&b, " %s |", workText(r.Peers[t.name]))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n| speed-up | ratio | target | met |\n|---|---|---|---|\n")
	for _, s := range p.speedups() {
		ratio, target, met := s.cells()
		what := s.what
		if s.note != "" {
			what += " (" + s.note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", what, ratio, target, met)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
