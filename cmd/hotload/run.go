package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hotload-dev/hotload/reload"
)

// debounce is how long `hotload run` waits after a change for the next one
// before rerunning. Editors save in bursts of events a few milliseconds
// apart (truncate then write; or write a temporary file, rename it over the
// original, then set its mode), and formatters rewrite the file right after
// the save. 20 ms merges such a burst into one rerun and stays far below the
// ~100 ms at which a delay starts to feel like lag.
const debounce = 20 * time.Millisecond

// runOptions says what `hotload run` runs and how. File must be set.
type runOptions struct {
	// File is the Python file whose module runs; a relative path is taken
	// from the working directory.
	File string
	// Python is the command line that starts the interpreter. Nil means
	// look for one: a virtual environment in File's folder, else python3.
	Python []string
	// Preload names modules imported once, when the runtime starts.
	Preload []string
	// Fresh runs FILE in a new process forked from the preloaded one on
	// every change, so no state survives between runs.
	Fresh bool
	// Logger logs what hotload does; nil means no logging.
	Logger *zap.Logger
}

// runCommand parses the command line of `hotload run` and runs it.
// fileList is where the files to watch are listed, one per line; nil means
// every .py file under FILE's folder.
func runCommand(ctx context.Context, args []string, fileList io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hotload run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	python := fs.String("python", "", "start Python with `COMMAND`, split on spaces, such as \"uv run python\"\n(default: .venv or venv in FILE's folder, else python3)")
	preload := fs.String("preload", "", "import `MODULES` (comma-separated) once, when Python starts")
	fresh := fs.Bool("fresh", false, "on every change, run FILE in a new process forked from the preloaded one,\nso no state survives between runs (default: rerun in place, keeping state)")
	level := logLevel(zapcore.WarnLevel) // the summaries tell the story; info logs would repeat them
	fs.Var(&level, "log-level", "log at `LEVEL` and above: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: hotload run [flags] FILE.py

Run FILE's module in a warm Python, and again on every save of a .py file
under FILE's folder. A list of files on stdin, one per line, replaces what is
watched (FILE itself is always watched): find . -name '*.py' | hotload run lib.py
Ctrl-C stops it, with exit code 130.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return badUsage(fs, "missing FILE")
	case fs.NArg() > 1:
		if slices.ContainsFunc(fs.Args()[1:], func(a string) bool { return strings.HasPrefix(a, "-") }) {
			return badUsage(fs, "too many arguments (flags go before FILE)")
		}
		return badUsage(fs, "too many arguments: want one FILE, got %d", fs.NArg())
	}
	file := fs.Arg(0)
	if !strings.HasSuffix(file, ".py") {
		return badUsage(fs, "FILE must be a Python file ending in .py: %s", file)
	}
	switch info, err := os.Stat(file); {
	case err != nil:
		return badUsage(fs, "cannot run %s: %v", file, unwrapPathError(err))
	case info.IsDir():
		return badUsage(fs, "cannot run %s: it is a folder", file)
	}

	opts := runOptions{
		File:    file,
		Python:  strings.Fields(*python),
		Preload: splitList(*preload),
		Fresh:   *fresh,
		Logger:  newLogger(level, stderr, false),
	}
	return runFile(ctx, opts, fileList, stdout, stderr)
}

// runFile runs opts.File's module and reruns it whenever a watched file
// changes, until ctx is done; then it stops the runtime and returns nil.
// What is watched is the list of files read from fileList, one per line
// (see readFileList), or every .py file under File's folder if fileList is
// nil or lists nothing. The code's output goes to stdout, hotload's own
// lines to stderr. The error reports a runtime that cannot start, such as a
// missing interpreter.
func runFile(ctx context.Context, opts runOptions, fileList io.Reader, stdout, stderr io.Writer) error {
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	file, err := filepath.Abs(opts.File)
	if err != nil {
		return fmt.Errorf("run %s: %w", opts.File, err)
	}
	dir := filepath.Dir(file)

	// Read the list while Python starts; a pipe like `find` is done by then.
	type listResult struct {
		paths []string
		err   error
	}
	listc := make(chan listResult, 1)
	go func() {
		// Not waited for: a pipe that never closes keeps this goroutine
		// blocked in Read, which only ends with the process.
		paths, err := readFileList(fileList)
		listc <- listResult{paths, err}
	}()

	ctx, cancel := context.WithCancel(ctx)
	t := newTerm(stdout, stderr)
	var wg sync.WaitGroup // the first run and the watcher
	engine := reload.New(reload.Config{
		Folders:        []string{dir},
		Python:         opts.Python,
		Preload:        opts.Preload,
		Strategy:       strategy(opts.Fresh),
		OnResult:       t.Result,
		OnOutput:       func(_, text string) { t.Output(text) },
		StreamedOutput: -1, // a terminal shows all of it, as Python itself would
		OnRuntimeStart: t.Started,
		OnRuntimeExit: func(err error) {
			t.Noticef("runtime died (%v); started a fresh one", err)
		},
		Stderr: t.Stderr(),
		Logger: logger.Named("reload"),
	})
	defer func() {
		cancel()
		t.Close()
		_ = engine.Close() // always nil; it returns once the process is gone
		wg.Wait()
	}()

	if err := engine.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if why := reload.Explain(err); why != "" {
			return errors.New("cannot start Python. " + why)
		}
		return err
	}
	// Results are shown by OnResult, once per run even when several reruns
	// share one.
	firstDone := make(chan struct{})
	wg.Go(func() {
		defer close(firstDone)
		if _, err := engine.Reload(ctx, file); err != nil && ctx.Err() == nil {
			t.Noticef("%v", err)
		}
	})

	var list listResult
	select {
	case list = <-listc:
	case <-ctx.Done():
		return nil
	case <-firstDone:
		select {
		case list = <-listc:
		default:
			t.Noticef("waiting for stdin to end: it lists the files to watch (run with </dev/null to watch every .py file under %s)", dir)
			select {
			case list = <-listc:
			case <-ctx.Done():
				return nil
			}
		}
	}
	if list.err != nil {
		t.Noticef("%v; watching every .py file under %s", list.err, dir)
	}
	listed, missing := existingPaths(list.paths)
	if len(missing) > 0 {
		noticeMissing(t, missing, len(listed) == 0, dir)
	}
	set := newWatchSet(dir, file, listed)
	w, err := newWatcher(set, logger.Named("watch"))
	if err != nil {
		return err
	}
	defer w.Close()
	switch {
	case set.Files == nil:
		t.Noticef("watching %s under %s", plural(w.Files, ".py file"), dir)
	case slices.Contains(listed, file):
		t.Noticef("watching %s listed on stdin", plural(w.Files, "file"))
	default:
		t.Noticef("watching %s and %s listed on stdin", filepath.Base(file), plural(w.Files-1, "file"))
	}

	changed := make(chan string)
	wg.Go(func() { w.Run(ctx, changed) })
	timer := time.NewTimer(debounce)
	timer.Stop()
	var fire <-chan time.Time    // nil while no change waits
	pending := map[string]bool{} // files changed since the last rerun
	for {
		select {
		case <-ctx.Done():
			return nil
		case path := <-changed:
			pending[path] = true
			timer.Reset(debounce)
			fire = timer.C
		case <-fire:
			fire = nil
			rerun := refreshDependencies(ctx, engine, file, pending, t)
			clear(pending)
			if !rerun {
				continue // FILE re-ran as an importer of a changed module
			}
			if err := engine.Queue(file); err != nil {
				t.Noticef("%v", err)
			}
		}
	}
}

// missingShown is how many of the listed paths that do not exist a notice
// names; it counts the others.
const missingShown = 5

// noticeMissing names the paths listed on stdin that do not exist, which
// are not watched. When none of the listed paths exists (stdin was not a
// list of files, as in `echo input | hotload run lib.py`), every .py file
// under dir is watched, as without a list, and the notice says so.
func noticeMissing(t *term, missing []string, none bool, dir string) {
	wd, _ := os.Getwd() // "" names every path in full
	var names []string
	for _, p := range missing[:min(len(missing), missingShown)] {
		names = append(names, relPath(wd, p))
	}
	if len(missing) > missingShown {
		names = append(names, fmt.Sprintf("and %d more", len(missing)-missingShown))
	}
	what := "1 path that does not exist"
	if len(missing) > 1 {
		what = fmt.Sprintf("%d paths that do not exist", len(missing))
	}
	if none {
		t.Noticef("stdin lists %s: %s (it is read as the files to watch); watching every .py file under %s, as without a list", what, strings.Join(names, ", "), dir)
		return
	}
	t.Noticef("stdin lists %s, not watched: %s", what, strings.Join(names, ", "))
}

// refreshDependencies reloads each changed Python file that FILE's run has
// imported, so that FILE sees the new code rather than the module loaded
// before; files nothing has imported do not run. It reports whether FILE
// still needs to rerun: not when it changed itself nor when it re-ran
// already as an importer of a reloaded module.
func refreshDependencies(ctx context.Context, engine *reload.Engine, file string, changed map[string]bool, t *term) bool {
	mod, err := engine.Layout().ModuleFor(file)
	if err != nil {
		return true
	}
	rerun := changed[file]
	ranAsImporter := false
	for _, path := range slices.Sorted(maps.Keys(changed)) {
		if path == file || !strings.HasSuffix(path, ".py") {
			continue
		}
		res, err := engine.ReloadIfLoaded(ctx, path)
		if err != nil {
			if ctx.Err() == nil {
				t.Noticef("%v", err)
			}
			continue
		}
		if res.Skipped {
			rerun = true // a file nothing imports changed: rerun to show it is not used
			continue
		}
		ranAsImporter = ranAsImporter || (res.OK() && slices.Contains(res.Reloaded, mod.Name))
	}
	return rerun || !ranAsImporter
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var items []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// unwrapPathError drops the operation and path from err, which the caller
// has said already.
func unwrapPathError(err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func strategy(fresh bool) reload.Strategy {
	if fresh {
		return reload.Fresh
	}
	return reload.InPlace
}
