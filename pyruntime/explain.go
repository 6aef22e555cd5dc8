package pyruntime

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// versionRefusal starts the line the bootstrap writes to stderr when the
// interpreter is older than 3.8, which the agent needs.
const versionRefusal = "hotload needs Python 3.8 or later; "

// pythonSetting names the places a user sets the interpreter.
const pythonSetting = "hotload's python setting (in the editor's settings or [tool.hotload] in pyproject.toml; --python for hotload run)"

// explainLines is how many of the last lines an interpreter wrote that an
// explanation quotes: the error itself, and a little of what led to it.
const explainLines = 6

// Explain says, in a user's words, what went wrong when hotload tried to
// start Python and what to do about it: a missing interpreter, one that is
// too old, a program that is not Python, one that failed as it started. It
// returns "" for any other error, which callers report as they did.
func Explain(err error) string {
	var notFound *NotFoundError
	if errors.As(err, &notFound) {
		if notFound.Setting != "" {
			return fmt.Sprintf("The configured Python, %q, cannot be run: %s. Point %s at Python 3.8 or later.", notFound.Setting, notFound.Reason, pythonSetting)
		}
		return fmt.Sprintf("No Python found: hotload tried %s. Install Python 3.8 or later, activate a virtual environment, or point %s at one.", strings.Join(notFound.Tried, ", "), pythonSetting)
	}
	var start *StartError
	if !errors.As(err, &start) {
		return ""
	}
	python := strings.Join(start.Argv, " ")
	var exit *ExitError
	var execErr *exec.Error
	switch {
	case errors.As(start.Err, &exit):
		if line, ok := refusal(exit.Stderr); ok {
			return fmt.Sprintf("%s. Point %s at a newer one.", line, pythonSetting)
		}
		what := fmt.Sprintf("exited with code %d", exit.Code)
		if exit.Signal != 0 {
			what = fmt.Sprintf("was killed by signal %d (%v)", int(exit.Signal), exit.Signal)
		}
		if said := lastLines(exit.Stderr, explainLines); said != "" {
			return fmt.Sprintf("Python (%s) %s as it started, saying:\n%s\nFix what it says, or point %s at another Python.", python, what, said, pythonSetting)
		}
		return fmt.Sprintf("%s %s as it started, without a word: it does not behave like Python. Point %s at Python 3.8 or later.", python, what, pythonSetting)
	case errors.As(start.Err, &execErr):
		return fmt.Sprintf("hotload cannot run %s: %v. Point %s at Python 3.8 or later.", python, execErr.Err, pythonSetting)
	}
	return ""
}

// refusal returns the bootstrap's version refusal from stderr, if it is there.
func refusal(stderr string) (string, bool) {
	for line := range strings.Lines(stderr) {
		if strings.HasPrefix(line, versionRefusal) {
			return strings.TrimSpace(line), true
		}
	}
	return "", false
}

// lastLines returns the last n non-blank lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
