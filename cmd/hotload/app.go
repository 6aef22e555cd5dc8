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

// appStopWait bounds how long `hotload app` waits, after Ctrl-C, for the
// app to stop before it gives up and kills everything: a little more than
// the app's own grace period (pyruntime.DefaultAppStopGrace), after which
// the runtime kills it anyway.
const appStopWait = 6 * time.Second

// appOptions says what `hotload app` runs and how. Args must not be empty.
type appOptions struct {
	// Args are `python ARGS…`'s ARGS: a script and its arguments, -m
	// module …, or -c code ….
	Args []string
	// Dir is the working directory of the program and the folder whose .py
	// files are watched; empty means the current directory.
	Dir string
	// Python is the command line that starts the interpreter; nil means
	// look for one (a virtual environment in Dir, else python3).
	Python []string
	// Preload names modules imported once, in the zygote the app is forked
	// from, so starting the app again does not import them again.
	Preload []string
	// Fresh restarts the app on a save of a file it has loaded, in a new
	// process forked from the preloaded one, instead of patching it.
	Fresh bool
	// RestartOnExit starts the app again on the next save after it has
	// exited by itself; otherwise it stays stopped until hotload quits.
	RestartOnExit bool
	// Logger logs what hotload does; nil means no logging.
	Logger *zap.Logger
}

// appCommand parses the command line of `hotload app` and runs it.
func appCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hotload app", flag.ContinueOnError)
	fs.SetOutput(stderr)
	python := fs.String("python", "", "start Python with `COMMAND`, split on spaces, such as \"uv run python\"\n(default: .venv or venv in the current folder, else python3)")
	preload := fs.String("preload", "", "import `MODULES` (comma-separated) once, in the process the app is forked from")
	fresh := fs.Bool("fresh", false, "on a save of a file the app has loaded, restart the app in a new process forked\nfrom the preloaded one (default: patch the running app in place)")
	restart := fs.Bool("restart-on-exit", false, "after the app exits by itself, start it again on the next save")
	level := logLevel(zapcore.WarnLevel)
	fs.Var(&level, "log-level", "log at `LEVEL` and above: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: hotload app [flags] -- ARGS…

Run `+"`python ARGS…`"+` (a script and its arguments, or -m module …) as __main__ in
a warm Python, with its output here. Every save of a .py file under the
current folder that the program has imported is applied to it as it runs;
it is never restarted by a save. Ctrl-C stops it.

  hotload app -- game.py --level 3
  hotload app -- -m uvicorn main:app --port 8000
  hotload app -- -m flask --app app run
  hotload app -- manage.py runserver --noreload

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return badUsage(fs, "missing the program: hotload app [flags] -- script.py or -m module")
	}
	dir, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	return runApp(ctx, appOptions{
		Args:          fs.Args(),
		Dir:           dir,
		Python:        strings.Fields(*python),
		Preload:       splitList(*preload),
		Fresh:         *fresh,
		RestartOnExit: *restart,
		Logger:        newLogger(level, stderr, false),
	}, stdout, stderr)
}

// runApp runs the app until ctx is done, applying saves to it, then stops
// it (SIGINT, as Ctrl-C would) and the runtime, and returns nil. The app's
// output goes to stdout and stderr as it writes it (through hotload, so
// not to a terminal: programs that need one, such as curses, do not run),
// hotload's own lines to stderr. The error reports an app that cannot
// start at all.
func runApp(ctx context.Context, opts appOptions, stdout, stderr io.Writer) error {
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	t := newTerm(stdout, stderr)
	t.loaded = true                       // the app imports its modules itself: every save is a reload
	exits := make(chan reload.AppExit, 8) // read at once by the loop below
	engine := reload.New(reload.Config{
		Folders:        []string{dir},
		Python:         opts.Python,
		Preload:        opts.Preload,
		Strategy:       strategy(opts.Fresh),
		OnResult:       t.Result,
		OnOutput:       func(_, text string) { t.Output(text) },
		OnAppOutput:    t.OutputTo,
		StreamedOutput: -1, // a terminal shows all of it, as Python itself would
		OnAppExit: func(x reload.AppExit) {
			select {
			case exits <- x:
			default: // the loop has returned: nobody is told any more
			}
		},
		OnAppRestart: func(path string, pid int, err error) {
			if err != nil {
				t.Noticef("restarting the app for %s: %v", relPath(dir, path), err)
				return
			}
			t.Noticef("restarted the app for %s (pid %d)", relPath(dir, path), pid)
		},
		Stderr: t.Stderr(),
		Logger: logger.Named("reload"),
	})
	var wg sync.WaitGroup
	defer func() {
		t.Close()
		_ = engine.Close() // always nil; it returns once every process is gone
		wg.Wait()
	}()
	if err := engine.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	start := func() error {
		pid, err := engine.StartApp(ctx, opts.Args)
		if err != nil {
			return err
		}
		t.Noticef("running python %s (pid %d); saves of the .py files it imports under %s apply to it", strings.Join(opts.Args, " "), pid, dir)
		return nil
	}
	if err := start(); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		var appErr *reload.AppError
		if errors.As(err, &appErr) {
			return errors.New(strings.TrimPrefix(appErr.Error(), "pyruntime: "))
		}
		return err
	}

	w, err := newWatcher(newWatchSet(dir, "", nil), logger.Named("watch"))
	if err != nil {
		return err
	}
	defer w.Close()
	changed := make(chan string)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	wg.Go(func() { w.Run(watchCtx, changed) })
	timer := time.NewTimer(debounce)
	timer.Stop()
	var fire <-chan time.Time    // nil while no change waits
	pending := map[string]bool{} // files changed since the last batch
	exited := false              // the app ended by itself and was not started again
	for {
		select {
		case <-ctx.Done():
			if engine.AppPid() != 0 {
				t.Noticef("stopping the app (Ctrl-C again kills it at once)")
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appStopWait)
				_ = engine.StopApp(stopCtx) // it ends either way: killed if it does not stop
				cancel()
			}
			return nil
		case x := <-exits:
			if x.Stopped {
				continue
			}
			exited = true
			what := "Ctrl-C quits; with --restart-on-exit a save starts it again"
			if opts.RestartOnExit {
				what = "a save starts it again"
			}
			t.Noticef("the app %s; %s", x.Status(), what)
		case path := <-changed:
			pending[path] = true
			timer.Reset(debounce)
			fire = timer.C
		case <-fire:
			fire = nil
			paths := slices.Sorted(maps.Keys(pending))
			clear(pending)
			if engine.AppPid() == 0 {
				if !opts.RestartOnExit {
					if exited {
						t.Noticef("the app is not running, so %s is not applied (--restart-on-exit starts it again on a save)", relPath(dir, paths[0]))
						exited = false // said once per exit
					}
					continue
				}
				if err := start(); err != nil {
					t.Noticef("%v", strings.TrimPrefix(err.Error(), "reload: start app: pyruntime: "))
				}
				continue
			}
			for _, path := range paths {
				if _, err := engine.ReloadIfLoaded(ctx, path); err != nil && ctx.Err() == nil {
					t.Noticef("%v", err)
				}
			}
		}
	}
}

// relPath names path from dir when it lies there (a folder named like
// `..data` does).
func relPath(dir, path string) string {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
