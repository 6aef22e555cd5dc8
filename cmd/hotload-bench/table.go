package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// row is one line of the results table. Empty cells print as "—" (plain)
// or stay empty (Markdown).
type row struct {
	what          string
	n             int // samples; 0 for a derived figure
	p50, p90, p99 string
	target        string // the target, if it sets one
	met           string // whether the target is met, or why there is no figure
}

// statsRow is a row of a measured distribution. p90 and p99 are left out
// when there are too few samples for them to mean anything.
func statsRow(what string, s Stats) row {
	r := row{what: what, n: s.N, p50: formatMs(s.P50Ms)}
	if meaningful(s.N, 0.9) {
		r.p90 = formatMs(s.P90Ms)
	}
	if meaningful(s.N, 0.99) {
		r.p99 = formatMs(s.P99Ms)
	}
	return r
}

// withTarget sets the row's target and whether ok says it is met.
func (r row) withTarget(target string, ok bool) row {
	r.target, r.met = target, "no"
	if ok {
		r.met = "yes"
	}
	return r
}

// statedLabel is the row under a save row with the reload time its messages
// state: the runtime's share of the latency, without the LSP around it.
const statedLabel = "  … the reload time the message states (server ↔ runtime)"

// rows turns a report into the table's rows, in the order of issue 5's list.
func rows(r *Report) []row {
	python := filepath.Base(r.Machine.Python.Path)
	deps := strings.Join(r.Settings.Deps, " + ")
	imports := deps
	if r.Settings.Synthetic {
		imports = "synthetic slowdep: numpy + pandas not importable"
	}
	out := []row{
		statsRow(fmt.Sprintf("cold `%s script_with_deps.py` (%s)", python, imports), r.Cold),
		statsRow(fmt.Sprintf("save → showMessage, trivial module, %s preloaded", deps), r.SaveToMessage.Stats).
			withTarget("p50 ≤ 1 ms", r.SaveToMessage.P50Ms <= 1),
		statsRow(statedLabel, r.SaveToMessage.Stated),
		statsRow("save → publishDiagnostics, module raises", r.SaveToDiagnostics),
		row{what: "cold p50 / save → showMessage p50", p50: formatRatio(r.ColdOverWarm)}.
			withTarget("≥ 300×", r.ColdOverWarm >= 300),
		statsRow(fmt.Sprintf("save → showMessage, one function edited, %s objects alive", humanCount(largeHeapObjects)), r.LargeHeap.Stats),
		statsRow(statedLabel, r.LargeHeap.Stated).
			withTarget("p99 ≤ 2 ms", r.LargeHeap.Stated.N > 0 && r.LargeHeap.Stated.P99Ms <= 2),
		statsRow(fmt.Sprintf("save → showMessage, a %d-line module, one function edited, saved as written", r.LargeModule.Lines), r.LargeModule.Saved.Stats),
		statsRow(fmt.Sprintf("  … the same edits typed first (didChange %s and willSave %s before the save; %d of %d saves ran code compiled then)",
			formatMs(r.LargeModule.TypedAheadMs), formatMs(r.LargeModule.WillSaveAheadMs), r.LargeModule.TypedPrepared, r.LargeModule.TypedSaves), r.LargeModule.Typed.Stats),
		statsRow(fmt.Sprintf("  … the same edits saved right after typing (didChange %s and willSave %s before the save; %d of %d saves ran code compiled then)",
			formatMs(r.LargeModule.QuickAheadMs), formatMs(r.LargeModule.WillSaveAheadMs), r.LargeModule.QuickPrepared, r.LargeModule.TypedSaves), r.LargeModule.Quick.Stats),
		statsRow("hover → live value of a module global", r.Hover).
			withTarget("p50 ≤ 20 ms", r.Hover.N > 0 && r.Hover.P50Ms <= 20),
	}
	out = append(out, freshRows(r)...)
	out = append(out,
		statsRow("runtime death (os._exit) → status ready, new pid", r.Death.ToReady).
			withTarget("≤ 50 ms", r.Death.ToReady.P50Ms <= 50),
		statsRow("runtime death → showMessage of a save sent at the crash report", r.Death.ToNextSave).
			withTarget("p50 ≤ 15 ms", r.Death.ToNextSave.P50Ms <= 15),
		statsRow("runtime death: the new runtime's start (the spare's hand-over), as logged", r.Death.RuntimeStart),
		row{what: fmt.Sprintf("scale: import %d modules (big/all.py)", r.Scale.Modules), n: 1, p50: formatMs(r.Scale.LoadMs)},
		row{what: "scale: first save of core (parses every module's imports)", n: 1, p50: formatMs(r.Scale.FirstSaveMs)},
		statsRow("scale: save core, a function body edited → showMessage (no importer re-runs)", r.Scale.BodyEdit.Stats).
			withTarget("p50 ≤ 2 ms", r.Scale.BodyEdit.N > 0 && r.Scale.BodyEdit.P50Ms <= 2),
		statsRow(statedLabel, r.Scale.BodyEdit.Stated),
		statsRow(fmt.Sprintf("scale: save core, a constant changed → showMessage (the %d importers that read it re-run)", r.Scale.Importers), r.Scale.Save.Stats),
		statsRow(statedLabel, r.Scale.Save.Stated),
		statsRow(fmt.Sprintf("scale: the same %d module bodies run directly", r.Scale.Importers+1), r.Scale.Direct),
		row{what: "scale: save / direct", p50: formatRatio(r.Scale.Ratio)}.withTarget("≤ 5×", r.Scale.Ratio <= 5),
	)
	return out
}

// freshRows are the rows of strategy "fresh": saves at a human pace, their
// speed-up over a cold run, and saves back to back (issue 13).
func freshRows(r *Report) []row {
	const what = `strategy "fresh": save → showMessage`
	if !r.Fresh.Implemented || r.Fresh.Paced == nil || r.Fresh.SaveToResult == nil {
		return []row{{what: what, target: "p50 ≤ 10 ms", met: notImplemented}}
	}
	paced, b2b := r.Fresh.Paced, r.Fresh.SaveToResult
	return []row{
		statsRow(fmt.Sprintf("%s, saves %s apart", what, formatMs(r.Fresh.PaceMs)), paced.Stats).
			withTarget("p50 ≤ 10 ms", paced.P50Ms <= 10),
		statsRow(statedLabel, paced.Stated),
		row{what: "cold p50 / fresh save → showMessage p50", p50: formatRatio(r.Fresh.ColdOverPaced)}.
			withTarget("≥ 40×", r.Fresh.ColdOverPaced >= 40),
		statsRow(what+", saves back to back", b2b.Stats).
			withTarget("p50 ≤ 20 ms", b2b.P50Ms <= 20),
	}
}

// printTable writes the machine, the results and the idle figures as
// aligned plain text.
func printTable(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "machine: %s\n%s\n\n", r.Machine, r.Load)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tn\tp50\tp90\tp99\ttarget\tmet")
	for _, x := range rows(r) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.what, count(x.n), dash(x.p50), dash(x.p90), dash(x.p99), dash(x.target), dash(x.met))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nidle %.0f s, after the measurements above (%d modules loaded):\n", r.Idle.Seconds, r.Scale.Modules)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "process\tpid\tthreads\tRSS\tPSS\twake-ups/s")
	for _, p := range idleRows(r) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f MiB\t%.0f MiB\t%.1f\n", p.name, p.Pid, p.Threads, p.RSSMiB, p.PSSMiB, p.WakeupsPerSecond)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, n := range notes(r) {
		fmt.Fprintf(w, "- %s\n", n)
	}
	return nil
}

// notes explain the figures the table cannot.
func notes(r *Report) []string {
	deps := strings.Join(r.Settings.Deps, " + ")
	return []string{
		"fresh: " + r.Fresh.Note + ".",
		fmt.Sprintf("death: the spare, forked from the zygote that imported %s once, takes over; its start, as logged, is the time to hand it over. Crashes came %v after the runtime was ready.", deps, deathPause),
		"scale: the direct figure compiles and executes the same files in their modules' namespaces in one Python, without starting it.",
		"wake-ups: context switches of all the process's threads over the idle window, per second.",
	}
}

// printMarkdown writes the same tables as Markdown, for the README.
func printMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString("| measurement | n | p50 | p90 | p99 | target | met |\n|---|---|---|---|---|---|---|\n")
	for _, x := range rows(r) {
		n := ""
		if x.n > 0 {
			n = fmt.Sprint(x.n)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", x.what, n, x.p50, x.p90, x.p99, x.target, x.met)
	}
	fmt.Fprintf(&b, "\n| idle %.0f s | threads | RSS | PSS | wake-ups/s |\n|---|---|---|---|---|\n", r.Idle.Seconds)
	for _, p := range idleRows(r) {
		fmt.Fprintf(&b, "| %s | %d | %.0f MiB | %.0f MiB | %.1f |\n", p.name, p.Threads, p.RSSMiB, p.PSSMiB, p.WakeupsPerSecond)
	}
	fmt.Fprintf(&b, "\nMachine: %s; %s.\n", r.Machine, r.Load)
	_, err := io.WriteString(w, b.String())
	return err
}

type namedUsage struct {
	name string
	ProcUsage
}

func idleRows(r *Report) []namedUsage {
	rows := []namedUsage{{"server (hotload lsp)", r.Idle.Server}, {"runtime (python worker)", r.Idle.Runtime}}
	if r.Idle.Zygote != nil {
		rows = append(rows, namedUsage{"zygote (python, preloaded)", *r.Idle.Zygote})
	}
	if r.Idle.Spare != nil {
		rows = append(rows, namedUsage{"spare (python worker)", *r.Idle.Spare})
	}
	return rows
}

// formatMs prints milliseconds as people read latencies: "0.46 ms",
// "4.4 ms", "282 ms", "1.25 s".
func formatMs(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.2f s", ms/1000)
	}
}

// formatRatio prints a ratio: "4.2×", "610×".
// It rounds down, so that a ratio just under a target never reads as one
// that meets it: 49.7 is "49×", not "50×".
func formatRatio(x float64) string {
	if x < 10 {
		return fmt.Sprintf("%.1f×", math.Floor(x*10+1e-9)/10)
	}
	return fmt.Sprintf("%.0f×", math.Floor(x+1e-9))
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func count(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}
