package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// runVersion prints "hotload <version>" to stdout.
func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hotload version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "usage: hotload version") }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badUsage(fs, "unexpected argument %q", fs.Arg(0))
	}
	info, ok := debug.ReadBuildInfo()
	_, err := fmt.Fprintf(stdout, "hotload %s\n", version(info, ok))
	return err
}

// version names the build described by info (ok is what
// debug.ReadBuildInfo returned): the main module's version when it was built
// as a module (go install …@v1.2.3), else the commit it was built from with
// "-dirty" if the tree had changes, else "devel".
func version(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	// 12 hex digits, as in Go's pseudo-versions: unique in any real history.
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
