package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/hotload-dev/hotload/pyruntime"
)

// runAgent writes the agent's Python source to stdout, for an app that
// lets hotload attach: hotload agent > hotload_agent.py.
func runAgent(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hotload agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: hotload agent > hotload_agent.py

Print hotload's agent, one Python file with no dependencies. A running app
that imports it and calls hotload_agent.serve() (or serve_in_thread()) lets
an editor attach to it with the setting attach = "/path/to/the/socket".
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badUsage(fs, "unexpected argument %q", fs.Arg(0))
	}
	_, err := io.WriteString(stdout, pyruntime.AgentSource())
	return err
}
