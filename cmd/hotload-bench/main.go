// Command hotload-bench measures hotload the way an editor uses it: it
// builds the server, starts `hotload lsp` over stdio with a real workspace
// and a real Python, and times saves, errors, crashes, a 500-module
// workspace and idling, against `python script_with_deps.py` run cold. It
// prints a table and writes the same figures as JSON.
//
// With -peers it runs instead the same edits with hotload and with
// jurigged, IPython's %autoreload and hmr, installed from PyPI into a
// throw-away virtual environment, each tool as its users run it.
//
// It does not fake what a tool does not do: a figure the server cannot
// produce is reported as missing, and an edit a tool never shows, as never.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// minSaves is the fewest saves a p99 may come from: one sample beyond it
// would be too few to call it a tail.
const minSaves = 200

// config holds the command line.
type config struct {
	python   string        // -python; empty means choosePython decides
	saves    int           // -saves
	cold     int           // -cold
	deaths   int           // -deaths
	idle     time.Duration // -idle
	jsonPath string        // -json
	markdown bool          // -markdown
	keep     bool          // -keep

	peers       bool   // -peers: the peers table instead of the rest
	peersPython string // -peers-python; empty means choosePeerPython decides
	peerEdits   int    // -peer-edits
}

// parseConfig reads the flags.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("hotload-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.python, "python", "", "the Python to run: `CMD` (default "+debianPython+" if it can import numpy and pandas, else python3 on PATH)")
	fs.IntVar(&c.saves, "saves", minSaves, fmt.Sprintf("time `N` saves of a trivial module (at least %d)", minSaves))
	fs.IntVar(&c.cold, "cold", 20, "time `N` cold runs of script_with_deps.py")
	fs.IntVar(&c.deaths, "deaths", 20, "crash the runtime `N` times")
	fs.DurationVar(&c.idle, "idle", 10*time.Second, "measure wake-ups over `D` of no activity")
	fs.StringVar(&c.jsonPath, "json", filepath.Join(os.TempDir(), "hotload-bench.json"), "write the results as JSON to `PATH`")
	fs.BoolVar(&c.markdown, "markdown", false, "also print the tables as Markdown, for the README")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary folder (workspaces, server logs)")
	fs.BoolVar(&c.peers, "peers", false, "instead of the rest, run the same edits with hotload, jurigged, IPython's %autoreload and hmr, installed into a throw-away virtual environment (a few minutes)")
	fs.StringVar(&c.peersPython, "peers-python", "", "the Python 3.12 or later the peers and hotload run on with -peers: `CMD` (default python3.13 or python3.12 from PATH, else pyenv's)")
	fs.IntVar(&c.peerEdits, "peer-edits", defaultPeerEdits, "with -peers, time `N` edits per tool and scenario (at least 10, for a p90)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: go run ./cmd/hotload-bench [flags]\n\nMeasures the hotload server over stdio, as an editor runs it. Run it from the repository.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	switch {
	case fs.NArg() > 0:
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.saves < minSaves:
		return config{}, fmt.Errorf("-saves %d: want at least %d, for a p99", c.saves, minSaves)
	case c.cold < 1 || c.deaths < 1:
		return config{}, errors.New("-cold and -deaths must be at least 1")
	case c.idle < time.Second:
		return config{}, fmt.Errorf("-idle %v: want at least 1s", c.idle)
	case c.peerEdits < 10:
		return config{}, fmt.Errorf("-peer-edits %d: want at least 10, for a p90", c.peerEdits)
	}
	return c, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case interrupted:
		fmt.Fprintln(os.Stderr, "hotload-bench: interrupted")
		os.Exit(1)
	default:
		fmt.Fprintf(os.Stderr, "hotload-bench: %v\n", err)
		os.Exit(1)
	}
}

// bench is one run's setup, shared by the measurements.
type bench struct {
	cfg    config
	tmp    string // the run's temporary folder
	bin    string // the server binary
	python pythonInfo
	deps   deps
	began  time.Time
	load   string // the load average at the start
	stderr io.Writer
}

// progress tells the user what runs now: the whole run takes a minute.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.stderr, "hotload-bench: [%5.1f s] %s\n", time.Since(b.began).Seconds(), fmt.Sprintf(format, args...))
}

// run runs the benchmark and reports its results.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg, began: time.Now(), stderr: stderr, load: readLoad()}
	root, err := findRoot(ctx)
	if err != nil {
		return err
	}
	if b.tmp, err = os.MkdirTemp("", "hotload-bench-"); err != nil {
		return fmt.Errorf("create temporary folder: %w", err)
	}
	defer func() {
		if err != nil || cfg.keep {
			fmt.Fprintf(stderr, "hotload-bench: kept %s (server logs: server*.log)\n", b.tmp)
			return
		}
		_ = os.RemoveAll(b.tmp) // a leftover temporary folder harms nobody
	}()

	b.progress("building the server")
	if b.bin, err = buildServer(ctx, root, b.tmp); err != nil {
		return err
	}
	if cfg.peers {
		r := &Report{Version: reportVersion, Started: b.began, Load: Load{Start: b.load}}
		if err := peersOnly(ctx, b, r, stdout); err != nil {
			return err
		}
		r.WallSeconds = time.Since(b.began).Seconds()
		if err := r.writeJSON(cfg.jsonPath); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwhole run %.0f s; JSON: %s\n", r.WallSeconds, cfg.jsonPath)
		return nil
	}
	if b.python, err = choosePython(ctx, cfg.python); err != nil {
		return err
	}
	depsDir := filepath.Join(b.tmp, "deps")
	if err := os.Mkdir(depsDir, 0o755); err != nil {
		return fmt.Errorf("create deps folder: %w", err)
	}
	if b.deps, err = writeDeps(depsDir, !b.python.hasNumpyPandas()); err != nil {
		return err
	}
	if b.deps.Synthetic {
		b.progress("%s cannot import numpy and pandas: using the synthetic slowdep instead (apt-get install python3-numpy python3-pandas for the real thing)", b.python.Path)
	}
	r := &Report{
		Version: reportVersion,
		Started: b.began,
		Machine: describeMachine(b.bin, b.python),
		Settings: Settings{
			Deps: b.deps.Modules, Synthetic: b.deps.Synthetic,
			ColdRuns: cfg.cold, Saves: cfg.saves, DiagnosticSaves: diagnosticSaves,
			Deaths: cfg.deaths, ScaleSaves: scaleSaves, IdleSeconds: cfg.idle.Seconds(),
		},
	}

	b.progress("cold: %d runs of %s %s", cfg.cold, b.python.Path, b.deps.script())
	if r.Cold, err = runCold(ctx, b.python.Path, b.deps.script(), cfg.cold); err != nil {
		return err
	}
	if err := runMainSession(ctx, b, r); err != nil {
		return err
	}
	if err := runFreshSession(ctx, b, r); err != nil {
		return err
	}
	if r.SaveToMessage.P50Ms > 0 {
		r.ColdOverWarm = r.Cold.P50Ms / r.SaveToMessage.P50Ms
	}
	if r.Fresh.Paced != nil && r.Fresh.Paced.P50Ms > 0 {
		r.Fresh.ColdOverPaced = r.Cold.P50Ms / r.Fresh.Paced.P50Ms
	}
	r.WallSeconds = time.Since(b.began).Seconds()
	r.Load = Load{Start: b.load, End: readLoad()}

	fmt.Fprintln(stdout)
	if err := printTable(stdout, r); err != nil {
		return err
	}
	if cfg.markdown {
		fmt.Fprintln(stdout)
		if err := printMarkdown(stdout, r); err != nil {
			return err
		}
	}
	if err := r.writeJSON(cfg.jsonPath); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nno Python left behind (runtimes %v gone); whole run %.0f s; JSON: %s\n", r.Cleanup.RuntimePids, r.WallSeconds, cfg.jsonPath)
	return nil
}
