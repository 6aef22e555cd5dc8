package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hotload-dev/hotload/lsp"
)

// runLSP serves the Language Server Protocol on stdin and stdout until the
// editor ends the session or ctx is done. Logs go to stderr or --log-file,
// never to stdout, which belongs to the protocol.
func runLSP(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, stderr io.Writer) error {
	fs := flag.NewFlagSet("hotload lsp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logFile := fs.String("log-file", "", "append logs to `FILE` instead of writing them to stderr")
	level := logLevel(zapcore.InfoLevel)
	fs.Var(&level, "log-level", "log at `LEVEL` and above: debug, info, warn or error (default info)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: hotload lsp [flags]\n\nServe the Language Server Protocol on stdin/stdout.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badUsage(fs, "unexpected argument %q", fs.Arg(0))
	}

	var logOut io.Writer = stderr
	json := false
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		defer f.Close()
		logOut, json = f, true
	}
	logger := newLogger(level, logOut, json)
	// Sync fails on terminals and pipes (EINVAL); there is nothing to flush there.
	defer func() { _ = logger.Sync() }()
	info, ok := debug.ReadBuildInfo()
	logger.Info("hotload lsp starting", zap.String("version", version(info, ok)), zap.Int("pid", os.Getpid()))

	if f, ok := stdin.(*os.File); ok {
		if polled := pollable(f); polled != f {
			defer polled.Close()
			stdin = polled
		}
	}
	rw := stdio{Reader: stdin, Writer: stdout}
	return lsp.Serve(ctx, rw, logger)
}
