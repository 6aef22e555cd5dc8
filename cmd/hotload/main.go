// Command hotload reloads Python modules in a warm interpreter on every save.
//
// It has two front ends on one engine (package reload): `hotload lsp` speaks
// the Language Server Protocol on stdin/stdout for editors, and `hotload run`
// reruns a file's module in the terminal; `hotload app` runs a program as
// __main__ and applies saves to it as it runs. `hotload agent` prints the agent for
// apps that let hotload attach; `hotload version` prints the version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	ctx, stop := signalContext()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the subcommand named by args[0] and returns the exit code: 0 on
// success, 2 on bad usage, 1 on any other error; `run` and `app`, the
// terminal's commands, stopped by a signal (Ctrl-C) give 128 plus its
// number, 130 for SIGINT, as a shell reports a program the signal ended,
// while `lsp` stopped by its editor ends well. --version and -v are
// "version"; --help, -h and "help" print the usage, "help COMMAND" the
// command's.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	var err error
	terminal := false // a command one stops with Ctrl-C
	switch cmd, rest := args[0], args[1:]; cmd {
	case "lsp":
		err = runLSP(ctx, rest, stdin, stdout, stderr)
	case "run":
		terminal = true
		err = runCommand(ctx, rest, fileListSource(stdin), stdout, stderr)
	case "app":
		terminal = true
		err = appCommand(ctx, rest, stdout, stderr)
	case "version", "--version", "-version", "-v", "-V":
		err = runVersion(rest, stdout, stderr)
	case "agent":
		err = runAgent(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		// Asked for, help goes to stdout (hotload help | less); "help
		// COMMAND" is "COMMAND -h".
		if len(rest) > 0 && rest[0] != "help" && !strings.HasPrefix(rest[0], "-") {
			return run(ctx, []string{rest[0], "-h"}, stdin, stdout, stderr)
		}
		printUsage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "hotload: unknown command %q\n\n", cmd)
		printUsage(stderr)
		return 2
	}
	switch sig, stopped := stoppedBy(ctx); {
	case err == nil && terminal && stopped:
		return sig.exitCode()
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2 // the message and the usage are printed already
	default:
		fmt.Fprintf(stderr, "hotload: %v\n", err)
		return 1
	}
}
