package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// reportVersion is the version of the JSON format; it changes when a field
// changes meaning or goes away, not when one is added.
const reportVersion = 1

// Report is everything one run measured, on one machine: what -json writes.
// Times are in milliseconds unless a field says otherwise.
type Report struct {
	Version     int       `json:"version"`
	Started     time.Time `json:"started"`
	WallSeconds float64   `json:"wallSeconds"` // the whole run, build included
	Machine     Machine   `json:"machine"`
	Load        Load      `json:"load"`
	Settings    Settings  `json:"settings"`

	// Cold is `python script_with_deps.py`, which imports Settings.Deps.
	Cold Stats `json:"cold"`
	// SaveToMessage is didSave of a trivial module to its showMessage,
	// with Settings.Deps preloaded.
	SaveToMessage SaveStats `json:"saveToMessage"`
	// SaveToDiagnostics is didSave of a module that raises to its
	// publishDiagnostics.
	SaveToDiagnostics Stats `json:"saveToDiagnostics"`
	// ColdOverWarm is Cold.P50Ms / SaveToMessage.P50Ms.
	ColdOverWarm float64 `json:"coldOverWarm"`

	// LargeHeap is didSave of a one-function edit to its showMessage while
	// 5 million objects are alive in the runtime.
	LargeHeap SaveStats `json:"largeHeap"`
	// LargeModule is a one-function edit of a module of about 2,000 lines,
	// saved as written and typed first (largemodule.go).
	LargeModule LargeModuleResult `json:"largeModule"`
	// Hover is textDocument/hover on a loaded module's global to its
	// reply with the live value (hover.go).
	Hover Stats `json:"hover"`

	Fresh   FreshResult   `json:"fresh"`
	Death   DeathResult   `json:"death"`
	Scale   ScaleResult   `json:"scale"`
	Idle    IdleResult    `json:"idle"`
	Cleanup CleanupResult `json:"cleanup"`

	// Peers is the table of -peers, which runs nothing else.
	Peers *PeersResult `json:"peers,omitempty"`
}

// Settings are the run's parameters.
type Settings struct {
	Deps            []string `json:"deps"`      // what the cold script imports and the runtime preloads
	Synthetic       bool     `json:"synthetic"` // Deps is the bench's stand-in for numpy + pandas
	ColdRuns        int      `json:"coldRuns"`
	Saves           int      `json:"saves"`
	DiagnosticSaves int      `json:"diagnosticSaves"`
	Deaths          int      `json:"deaths"`
	ScaleSaves      int      `json:"scaleSaves"`
	IdleSeconds     float64  `json:"idleSeconds"`
}

// SaveStats are the latencies of saves that each ended in a message, with
// the reload time each message states ("lib reloaded in 0.3 ms"): the
// server's call into the runtime and back, without the LSP on either side.
type SaveStats struct {
	Stats
	Stated Stats `json:"stated"`
}

// FreshResult is the fresh strategy (issue 5 item 2): every save in a new
// process forked from a warm one.
type FreshResult struct {
	Implemented bool `json:"implemented"`
	// Note says how the bench found out, e.g. that module state survived.
	Note string `json:"note"`
	// PaceMs is the pause between one save's message and the next save of
	// Paced.
	PaceMs float64 `json:"paceMs,omitempty"`
	// Paced is didSave to showMessage with strategy "fresh" for saves
	// PaceMs apart, as a person saves; only when Implemented.
	Paced *SaveStats `json:"paced,omitempty"`
	// ColdOverPaced is Cold.P50Ms / Paced.P50Ms.
	ColdOverPaced float64 `json:"coldOverPaced,omitempty"`
	// SaveToResult is didSave to showMessage with strategy "fresh" for
	// saves back to back; only when Implemented.
	SaveToResult *SaveStats `json:"saveToResult,omitempty"`
}

// DeathResult is the runtime dying (os._exit) and the next one taking over.
type DeathResult struct {
	// ToReady is didSave of the crashing module to the hotload/status
	// "ready" with the new runtime's pid.
	ToReady Stats `json:"toReady"`
	// ToNextSave is the same didSave to the showMessage of a save sent as
	// soon as the crash was reported.
	ToNextSave Stats `json:"toNextSave"`
	// RuntimeStart is the new runtime's start (process and preloads) as the
	// server logged it ("Python ready in …").
	RuntimeStart Stats `json:"runtimeStart"`
}

// ScaleResult is a save of core in the generated workspace.
type ScaleResult struct {
	Modules   int `json:"modules"`   // modules in big/, besides core
	Importers int `json:"importers"` // of core; saving core re-runs them
	// LoadMs is the first import of all of them, through big/all.py.
	LoadMs float64 `json:"loadMs"`
	// FirstSaveMs is the first save of core: the runtime parses the imports
	// of every loaded module once.
	FirstSaveMs float64 `json:"firstSaveMs"`
	// Save is didSave of core to its showMessage on the later saves that
	// change VALUE, a constant every importer reads: they all re-run.
	Save SaveStats `json:"save"`
	// BodyEdit is the same for saves that change only the body of a
	// function no importer calls: none re-runs.
	BodyEdit SaveStats `json:"bodyEdit"`
	// Direct is compiling and executing the same module bodies in one
	// Python process, with nothing else around it.
	Direct Stats `json:"direct"`
	// Ratio is Save.P50Ms / Direct.P50Ms.
	Ratio float64 `json:"ratio"`
}

// IdleResult is the server and its runtime left alone. The runtime is
// three processes: the worker running the code, the zygote it was forked
// from, and the spare forked to take over; forked pages are shared until
// written, which PSS accounts for and RSS does not.
type IdleResult struct {
	Seconds float64    `json:"seconds"`
	Server  ProcUsage  `json:"server"`
	Runtime ProcUsage  `json:"runtime"`
	Zygote  *ProcUsage `json:"zygote,omitempty"` // nil for a runtime that was not forked
	Spare   *ProcUsage `json:"spare,omitempty"`  // nil when no spare was ready
}

// ProcUsage is one process's memory and wake-ups over the idle window.
type ProcUsage struct {
	Pid    int     `json:"pid"`
	RSSMiB float64 `json:"rssMiB"` // VmRSS at the end of the window
	// PSSMiB is the proportional set size at the end of the window: shared
	// pages count divided among the processes sharing them.
	PSSMiB  float64 `json:"pssMiB"`
	Threads int     `json:"threads"`
	// WakeupsPerSecond is the context switches of all its threads over the
	// window, per second: each is the process leaving the CPU after running.
	WakeupsPerSecond float64 `json:"wakeupsPerSecond"`
}

// CleanupResult is the end of the session: shutdown, exit, and no Python left.
type CleanupResult struct {
	RuntimePids []int `json:"runtimePids"` // every runtime the sessions had
	LeftBehind  []int `json:"leftBehind"`  // those still running after exit; empty
}

// writeJSON writes r to path, indented.
func (r *Report) writeJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
