package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// errUsage marks a command line hotload cannot run. Whoever returns it has
// printed why, so the caller only exits with code 2.
var errUsage = errors.New("bad usage")

const usage = `hotload reruns Python modules in a warm interpreter on every save.

Usage:
  hotload lsp [flags]          speak the Language Server Protocol on stdin/stdout
  hotload run [flags] FILE.py  run FILE's module, and again on every save of a .py file
  hotload app [flags] -- ARGS  run "python ARGS" as __main__; saves apply to it as it runs
  hotload agent                print the agent, for apps that let hotload attach
  hotload version              print the version (also --version, -v)
  hotload help [COMMAND]       print this help, or a command's flags

Run "hotload help COMMAND" or "hotload COMMAND -h" for the flags of a command.
`

func printUsage(w io.Writer) { fmt.Fprint(w, usage) }

// parseFlags parses args into fs. A parse error has been printed by the flag
// package with the command's usage, so it is returned as errUsage; -h gives
// flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return err
	default:
		return fmt.Errorf("%w: %v", errUsage, err)
	}
}

// badUsage prints why the command line is wrong, and where help is, to the
// flag set's output, and returns errUsage.
func badUsage(fs *flag.FlagSet, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(fs.Output(), "%s: %s\nRun '%s -h' for usage.\n", fs.Name(), msg, fs.Name())
	return fmt.Errorf("%w: %s", errUsage, msg)
}
