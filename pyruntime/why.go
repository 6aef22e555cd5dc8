package pyruntime

import "strings"

// isFatalLine reports whether line is the one a dying Python writes about
// what killed it: faulthandler's report of a fatal signal (segmentation
// fault, abort, bus error) or CPython's own fatal error, or faulthandler's
// report of a Windows exception (access violation).
func isFatalLine(line string) bool {
	return strings.HasPrefix(line, "Fatal Python error: ") || strings.HasPrefix(line, "Windows fatal exception: ")
}

// tracebackMargin reports whether line starts a traceback, and the margin
// its exception's line has: none for a plain one, "  | " for an exception
// group's (Python 3.11+), whose top level Python prints within "  + " and
// "  | ".
func tracebackMargin(line string) (margin string, ok bool) {
	switch strings.TrimRight(line, " ") {
	case "Traceback (most recent call last):":
		return "", true
	case "  + Exception Group Traceback (most recent call last):":
		return "  | ", true
	}
	return "", false
}

// whyLine picks the line of a dying process's stderr that says why it
// died, for a one-line message; "" if stderr has nothing but blanks. In
// order:
//
//   - the last fatal error line ("Fatal Python error: Segmentation
//     fault"), which faulthandler follows with the frames of every thread
//     and a list of extension modules: the stack's last frame says where,
//     not why;
//   - the exception line of the last traceback ("ValueError: bad"), which
//     may be followed by notes and other output;
//   - else the last line that is not blank: what the process said last.
func whyLine(stderr string) string {
	lines := strings.Split(strings.ReplaceAll(stderr, "\r\n", "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if isFatalLine(lines[i]) {
			return strings.TrimSpace(lines[i])
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		margin, ok := tracebackMargin(lines[i])
		if !ok {
			continue
		}
		for _, line := range lines[i+1:] {
			if rest, ok := strings.CutPrefix(line, margin); ok && rest != "" && rest[0] != ' ' && rest[0] != '\t' {
				return strings.TrimSpace(rest)
			}
		}
		break // a traceback cut short: its exception line is not there
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if line := strings.TrimSpace(lines[i]); line != "" {
			return line
		}
	}
	return ""
}
