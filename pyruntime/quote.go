package pyruntime

import (
	"path/filepath"
	"strings"
)

// remoteArgs returns the arguments the server appends to the user's command
// line (the bootstrap and the agent mode), made ready for the program
// command runs. ssh joins the arguments after the host with spaces and hands
// the result to the remote user's shell, which would split the bootstrap
// apart, so for a command whose base name is "ssh" each argument is quoted
// for a POSIX shell. Other commands, docker exec among them, run their
// arguments without a shell and get them as they are.
//
// The user's own arguments (ssh options, host, remote interpreter) are left
// as given: they are written for the remote shell already.
func remoteArgs(command string, args []string) []string {
	if filepath.Base(command) != "ssh" {
		return args
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return quoted
}

// shellQuote returns s as one word of a POSIX shell: in single quotes, which
// keep everything literal (newlines, $, backslashes, double quotes). Each
// single quote in s closes the quoted part, adds an escaped quote (\') and
// opens a new quoted part.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
