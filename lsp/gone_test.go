package lsp

import (
	"os"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// A module whose file is deleted, or renamed, cannot be imported by a fresh
// run: the next save that imports it says so, as a fresh run would, instead
// of running with the module still loaded or failing on hotload's own read.
func TestAModuleWhoseFileIsGoneIsNoLongerImported(t *testing.T) {
	t.Parallel()
	e := newEditor(t, `
-- main.py --
from utils import f


def run():
    return f()
-- utils.py --
def f():
    return 1
-- other.py --
X = 1
`)
	e.initialize(nil)
	e.waitReady()
	e.save("main.py", e.read("main.py"))
	e.awaitMessage(0, "main reloaded")
	if err := os.Remove(e.path("utils.py")); err != nil {
		t.Fatal(err)
	}

	n := e.messageCount()
	e.save("main.py", e.read("main.py")+"\nVERSION = 2\n")
	e.awaitMessage(n, "main: ModuleNotFoundError: No module named 'utils' (main.py:1)")
	e.awaitMessage(n, "utils: utils.py, its file, is gone (deleted or renamed since it ran), so it is no longer loaded")
	e.awaitDiagnostics("main.py", "the error on the import", func(ds []protocol.Diagnostic) bool {
		return len(ds) == 1 && ds[0].Range.Start.Line == 0 && strings.Contains(message(ds[0]), "No module named 'utils'")
	})

	n = e.messageCount()
	e.save("other.py", "import utils\n\nX = utils.f()\n")
	e.awaitMessage(n, "other: ModuleNotFoundError: No module named 'utils' (other.py:1)")
}
