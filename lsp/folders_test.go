package lsp

import (
	"os/exec"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// twoFolders is a workspace with two script folders that are not
// packages, each with its own tool.py, and a module at the workspace root
// that both folders' scripts use: `python a/main.py` and `python
// b/main.py` are two programs, each importing its own folder's tool.
const twoFolders = `
-- a/tool.py --
NAME = "a"
-- a/main.py --
from tool import NAME
count = 0
-- b/tool.py --
NAME = "b"
-- b/main.py --
import common
from tool import NAME
-- common.py --
import tool


def who():
    return tool.NAME
`

// freshValue runs file as `python FILE` would, from the workspace folder,
// and returns the repr of expr in its namespace.
func freshValue(t *testing.T, e *fakeEditor, file, expr string) string {
	t.Helper()
	folder := strings.SplitN(file, "/", 2)[0]
	prog := "import runpy, sys\nsys.path.insert(0, " + pyQuote(e.path(folder)) + ")\n" +
		"ns = runpy.run_path(" + pyQuote(e.path(file)) + ", run_name='fresh')\nprint(repr(eval(" + pyQuote(expr) + ", ns)))\n"
	cmd := exec.Command("python3", "-B", "-c", prog)
	cmd.Dir = e.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fresh run of %s: %v\n%s", file, err, out)
	}
	return strings.TrimSpace(string(out))
}

func pyQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// Each folder's scripts import their own folder's modules, as a fresh run
// of them would, whichever folder the runtime loaded first; the other
// folder's modules keep their state meanwhile.
func TestEachFolderImportsItsOwnNeighbours(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFolders)
	e.initialize(nil)
	e.waitReady()
	e.save("a/main.py", e.read("a/main.py"))
	e.awaitMessage(0, "main reloaded")
	e.evaluateIn("a/main.py", "count += 5")
	n := e.messageCount()
	e.save("b/main.py", e.read("b/main.py"))
	e.awaitMessage(n, "main reloaded")
	e.awaitLog("main: set aside a/main.py, a/tool.py: the folder of b/main.py has modules of the same names")

	for _, c := range []struct{ file, expr string }{
		{"b/main.py", "NAME"},
		{"b/main.py", "common.who()"},
		{"a/main.py", "NAME"},
	} {
		if got, want := e.evaluateIn(c.file, c.expr), freshValue(t, e, c.file, c.expr); got != want {
			t.Errorf("%s in %s = %s, want %s as a fresh run gives", c.expr, c.file, got, want)
		}
	}
	if got := e.evaluateIn("a/main.py", "count"); got != "5" {
		t.Errorf("count in a/main.py = %s after b/main.py ran, want 5: a's module lost its state", got)
	}

	n = e.messageCount()
	e.save("a/tool.py", "NAME = 'a2'\n")
	e.awaitMessage(n, "tool reloaded")
	for _, c := range []struct{ file, want string }{{"a/main.py", "'a2'"}, {"b/main.py", "'b'"}} {
		if got := e.evaluateIn(c.file, "NAME"); got != c.want {
			t.Errorf("after saving a/tool.py, NAME in %s = %s, want %s", c.file, got, c.want)
		}
	}
}

// A module both folders' scripts use, which imported one folder's module,
// keeps what it took when the other folder's runs: a Warning on its import
// says so, and stays until it runs again.
func TestASharedModuleThatKeepsTheOtherFoldersModuleIsNamed(t *testing.T) {
	t.Parallel()
	e := newEditor(t, twoFolders)
	e.initialize(nil)
	e.waitReady()
	e.save("a/main.py", "import common\nfrom tool import NAME\n")
	e.awaitMessage(0, "main reloaded")
	n := e.messageCount()
	e.save("b/main.py", e.read("b/main.py"))
	e.awaitMessage(n, "main reloaded")
	const text = "common: imported tool from a/tool.py; the files of b/ import their own tool now"
	e.awaitMessage(n, text)
	e.awaitDiagnostics("common.py", "the Warning on its import", func(ds []protocol.Diagnostic) bool {
		return len(ds) == 1 && ds[0].Range.Start.Line == 0 && strings.Contains(message(ds[0]), text)
	})
	if got := e.evaluateIn("b/main.py", "common.who()"); got != "'a'" {
		t.Errorf("common.who() = %s, want 'a', as the Warning says", got)
	}

	n = e.messageCount()
	e.save("common.py", e.read("common.py"))
	e.awaitMessage(n, "common reloaded")
	e.awaitDiagnostics("common.py", "no Warning once it ran again", func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
	if got, want := e.evaluateIn("b/main.py", "common.who()"), freshValue(t, e, "b/main.py", "common.who()"); got != want {
		t.Errorf("after saving common.py, common.who() = %s, want %s as a fresh run of b/main.py gives", got, want)
	}
}

// A save's message names the module that ran: the one user code loaded
// the file as (app.utils, through a namespace package), not a module
// called utils, which nothing loaded.
func TestASavesMessageNamesTheModuleThatRan(t *testing.T) {
	t.Parallel()
	e := newEditor(t, `
-- app/utils.py --
LIMIT = 1
-- app/main.py --
from app.utils import LIMIT
`)
	e.initialize(nil)
	e.waitReady()
	e.save("app/main.py", e.read("app/main.py"))
	e.awaitMessage(0, "reloaded in")
	n := e.messageCount()
	e.save("app/utils.py", "LIMIT = 2\n")
	msg := e.awaitMessage(n, "reloaded in")
	if !strings.HasPrefix(msg.Message, "app.utils reloaded in ") || !strings.HasSuffix(msg.Message, "(and main)") {
		t.Errorf("message = %q, want `app.utils reloaded in … (and main)`: app/main.py, saved as main, imports LIMIT", msg.Message)
	}
}
