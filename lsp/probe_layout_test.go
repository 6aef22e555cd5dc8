package lsp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The probes of project layout and of what editors and git do to files:
// files renamed, deleted, turned from module to package, rewritten on disk
// by a checkout with one save after. Each compares what the runtime
// answers with a fresh run of the files as they end (probeFresh).

// layoutCheck compares expr in rel's module with a fresh run's.
func layoutCheck(t *testing.T, e *fakeEditor, rel, expr string, env ...string) {
	t.Helper()
	probeCompare(t, e, rel+": "+expr, e.evalOrError(rel, expr), probeFresh(t, e.dir, "", e.moduleName(rel), expr, env...))
}

func move(t *testing.T, e *fakeEditor, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(e.path(to)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(e.path(from), e.path(to)); err != nil {
		t.Fatal(err)
	}
}

func TestProbeLayoutRenamedModuleImporterSaved(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- main.py --\nfrom utils import f\n\n\ndef run():\n    return f()\n-- utils.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("main.py", e.read("main.py"))
	move(t, e, "utils.py", "tools.py")
	e.saveAndWait("main.py", "from tools import f\n\n\ndef run():\n    return f()\n")
	layoutCheck(t, e, "main.py", "run()")
	layoutCheck(t, e, "main.py", "'utils' in __import__('sys').modules")
}

func TestProbeLayoutDeletedModuleLazilyImported(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- main.py --\ndef run():\n    import utils\n    return utils.f()\n\n\nFIRST = run()\n-- utils.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("main.py", e.read("main.py"))
	if err := os.Remove(e.path("utils.py")); err != nil {
		t.Fatal(err)
	}
	e.saveAndWait("main.py", "def run():\n    import utils\n    return utils.f()\n\n\nFIRST = None\n")
	layoutCheck(t, e, "main.py", "run()")
}

func TestProbeLayoutModuleBecomesPackage(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- main.py --\nimport util\n\nV = util.f()\n-- util.py --\ndef f():\n    return 'module'\n", nil)
	e.saveAndWait("main.py", e.read("main.py"))
	move(t, e, "util.py", "util/__init__.py")
	writeFile(t, e.path("util/extra.py"), "X = 'extra'\n")
	e.saveAndWait("util/__init__.py", "from .extra import X\n\n\ndef f():\n    return 'package'\n")
	layoutCheck(t, e, "main.py", "V")
	layoutCheck(t, e, "main.py", "util.f(), util.X")
	layoutCheck(t, e, "main.py", "hasattr(util, '__path__')")
}

func TestProbeLayoutPackageBecomesModule(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- main.py --\nimport util\n\nV = util.f()\n-- util/__init__.py --\nfrom .core import f\n-- util/core.py --\ndef f():\n    return 'package'\n", nil)
	e.saveAndWait("main.py", e.read("main.py"))
	if err := os.RemoveAll(e.path("util")); err != nil {
		t.Fatal(err)
	}
	e.saveAndWait("util.py", "def f():\n    return 'module'\n")
	layoutCheck(t, e, "main.py", "V")
	layoutCheck(t, e, "main.py", "util.f()")
	layoutCheck(t, e, "main.py", "hasattr(util, '__path__')")
	layoutCheck(t, e, "main.py", "'util.core' in __import__('sys').modules")
}

// A checkout rewrites a module and its importer; the editor reloads the
// importer's buffer and the user saves it.
func TestProbeLayoutCheckoutTwoFilesImporterSaved(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nfrom lib import RATE\n\nTOTAL = RATE * 2\n-- lib.py --\nRATE = 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	writeFile(t, e.path("lib.py"), "RATE = 5\n")
	e.saveAndWait("app.py", "from lib import RATE\n\nTOTAL = RATE * 3\n")
	layoutCheck(t, e, "app.py", "TOTAL")
}

// The checkout rewrites a module and its importer; the user saves the module.
func TestProbeLayoutCheckoutTwoFilesModuleSaved(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nfrom lib import RATE\n\nTOTAL = RATE * 2\n-- lib.py --\nRATE = 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	writeFile(t, e.path("app.py"), "from lib import RATE\n\nTOTAL = RATE * 3\n")
	e.saveAndWait("lib.py", "RATE = 5\n")
	layoutCheck(t, e, "app.py", "TOTAL")
}

// The checkout rewrites a module two imports down; the top one is saved.
func TestProbeLayoutCheckoutDeepDependency(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nimport mid\n\nV = mid.W\n-- mid.py --\nimport low\n\nW = low.X + 1\n-- low.py --\nX = 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	writeFile(t, e.path("low.py"), "X = 10\n")
	e.saveAndWait("app.py", "import mid\n\nV = mid.W * 100\n")
	layoutCheck(t, e, "app.py", "V")
	layoutCheck(t, e, "app.py", "mid.W")
}

// The checkout rewrites an importer the saved module does not reach: a
// sibling that imports the saved file.
func TestProbeLayoutCheckoutSiblingImporter(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nimport a\nimport b\n-- a.py --\nimport lib\n\nA = lib.K\n-- b.py --\nimport lib\n\nB = lib.K\n-- lib.py --\nK = 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	writeFile(t, e.path("b.py"), "import lib\n\nB = lib.K * 7\n")
	e.saveAndWait("lib.py", "K = 2\n")
	layoutCheck(t, e, "app.py", "a.A, b.B")
}

// An unsaved buffer of a dependency: the runtime runs what is on disk.
func TestProbeLayoutUnsavedDependencyBuffer(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nfrom lib import RATE\n\nTOTAL = RATE * 2\n-- lib.py --\nRATE = 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	e.open("lib.py")
	e.change("lib.py", "RATE = 99\n")
	e.saveAndWait("app.py", "from lib import RATE\n\nTOTAL = RATE * 3\n")
	layoutCheck(t, e, "app.py", "TOTAL")
}

// A project with both its root and src/ on sys.path: pkg.mod is also
// imported as src.pkg.mod (an editor's auto-import).
func TestProbeLayoutSrcTwoNames(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nimport pkg.mod\nfrom src.pkg import mod as m2\n-- src/pkg/__init__.py --\n-- src/pkg/mod.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	e.saveAndWait("src/pkg/mod.py", "def f():\n    return 2\n")
	layoutCheck(t, e, "app.py", "pkg.mod.f(), m2.f()", "PYTHONPATH=src")
}

// A package folder renamed (git mv pkg pkg2) and its importer saved.
func TestProbeLayoutPackageRenamed(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nfrom pkg.core import f\n\nV = f()\n-- pkg/__init__.py --\n-- pkg/core.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	move(t, e, "pkg", "pkg2")
	e.saveAndWait("app.py", "from pkg2.core import f\n\nV = f()\n")
	layoutCheck(t, e, "app.py", "V")
	layoutCheck(t, e, "app.py", "sorted(m for m in __import__('sys').modules if m.startswith('pkg'))")
}

// A plugin file deleted from a folder whose __init__ imports what it lists.
func TestProbeLayoutPluginFileDeleted(t *testing.T) {
	t.Parallel()
	init := "import importlib, pkgutil\n\nREGISTRY = {}\nfor info in pkgutil.iter_modules(__path__):\n    importlib.import_module(__name__ + '.' + info.name)\n"
	plugin := func(n string) string { return "from . import REGISTRY\n\nREGISTRY['" + n + "'] = True\n" }
	e := startProbe(t, "-- app.py --\nimport plugins\n-- plugins/__init__.py --\n"+init+"-- plugins/a.py --\n"+plugin("a")+"-- plugins/b.py --\n"+plugin("b"), nil)
	e.saveAndWait("app.py", e.read("app.py"))
	if err := os.Remove(e.path("plugins/b.py")); err != nil {
		t.Fatal(err)
	}
	e.saveAndWait("plugins/__init__.py", init+"# edited\n")
	layoutCheck(t, e, "app.py", "sorted(plugins.REGISTRY)")
	layoutCheck(t, e, "app.py", "'plugins.b' in __import__('sys').modules")
}

// A plugin file added to that folder, then its package saved.
func TestProbeLayoutPluginFileAdded(t *testing.T) {
	t.Parallel()
	init := "import importlib, pkgutil\n\nREGISTRY = {}\nfor info in pkgutil.iter_modules(__path__):\n    importlib.import_module(__name__ + '.' + info.name)\n"
	plugin := func(n string) string { return "from . import REGISTRY\n\nREGISTRY['" + n + "'] = True\n" }
	e := startProbe(t, "-- app.py --\nimport plugins\n-- plugins/__init__.py --\n"+init+"-- plugins/a.py --\n"+plugin("a"), nil)
	e.saveAndWait("app.py", e.read("app.py"))
	writeFile(t, e.path("plugins/c.py"), plugin("c"))
	e.saveAndWait("plugins/__init__.py", init+"# edited\n")
	layoutCheck(t, e, "app.py", "sorted(plugins.REGISTRY)")
}

// A namespace folder gets an __init__.py that re-exports a function.
func TestProbeLayoutInitAdded(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- main.py --\nfrom app.utils import f\n\nV = f()\n-- app/utils.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("main.py", e.read("main.py"))
	e.saveAndWait("app/__init__.py", "from .utils import f\n\nNAME = 'app'\n")
	e.saveAndWait("app/utils.py", "def f():\n    return 2\n")
	layoutCheck(t, e, "main.py", "V")
	layoutCheck(t, e, "main.py", "__import__('app').NAME, __import__('app').f()")
}

// A package's __init__.py deleted: the folder is a namespace package.
func TestProbeLayoutInitRemoved(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- main.py --\nimport app.utils\n\nV = app.utils.f()\n-- app/__init__.py --\nNAME = 'app'\n-- app/utils.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("main.py", e.read("main.py"))
	if err := os.Remove(e.path("app/__init__.py")); err != nil {
		t.Fatal(err)
	}
	e.saveAndWait("main.py", "import app.utils\n\nV = app.utils.f() + 1\n")
	layoutCheck(t, e, "main.py", "V")
	layoutCheck(t, e, "main.py", "hasattr(app, 'NAME')")
}

// A data file of a package, read with importlib.resources, rewritten on disk.
func TestProbeLayoutPackageResourceRewritten(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nfrom pkg import prompts\n-- pkg/__init__.py --\n-- pkg/greeting.txt --\nhello\n-- pkg/prompts.py --\nfrom importlib import resources\n\nTEXT = resources.files(__package__).joinpath('greeting.txt').read_text().strip()\n", nil)
	if out, err := exec.Command("python3", "-c", "import sys; sys.exit(sys.version_info < (3, 9))").CombinedOutput(); err != nil {
		t.Skipf("importlib.resources.files needs Python 3.9: %v %s", err, out)
	}
	e.saveAndWait("app.py", e.read("app.py"))
	n := e.messageCount()
	writeFile(t, e.path("pkg/greeting.txt"), "howdy\n")
	e.awaitMessage(n, "greeting.txt changed")
	layoutCheck(t, e, "app.py", "prompts.TEXT")
}

// A namespace package split between the workspace folder and src/.
func TestProbeLayoutNamespaceAcrossRoots(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nimport ns.a\nimport ns.b\n\nV = ns.a.X + ns.b.Y\n-- ns/a.py --\nX = 1\n-- src/ns/b.py --\nY = 10\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	e.saveAndWait("src/ns/b.py", "Y = 20\n")
	e.saveAndWait("ns/a.py", "X = 2\n")
	layoutCheck(t, e, "app.py", "V", "PYTHONPATH=src")
	layoutCheck(t, e, "app.py", "ns.b.Y, ns.a.X", "PYTHONPATH=src")
}

// A module saved with a syntax error, then put back by a checkout (on
// disk, no save), and its importer saved.
func TestProbeLayoutFailedSaveRevertedByCheckout(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nfrom lib import RATE\n\nTOTAL = RATE * 2\n-- lib.py --\nRATE = 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	e.saveAndWait("lib.py", "RATE = (2\n")
	writeFile(t, e.path("lib.py"), "RATE = 1\n")
	e.saveAndWait("app.py", "from lib import RATE\n\nTOTAL = RATE * 3\n")
	layoutCheck(t, e, "app.py", "TOTAL")
}

// A submodule a package serves lazily (__getattr__ imports it by name)
// renamed, and the package saved to serve the new one.
func TestProbeLayoutLazySubmoduleRenamed(t *testing.T) {
	t.Parallel()
	init := "import importlib\n\n_ALIASES = {'fast': '%s'}\n\n\ndef __getattr__(name):\n    if name in _ALIASES:\n        return importlib.import_module('.' + _ALIASES[name], __name__)\n    raise AttributeError(name)\n"
	e := startProbe(t, "-- app.py --\nimport pkg\n\n\ndef who():\n    return pkg.fast.NAME\n-- pkg/__init__.py --\n"+
		strings.Replace(init, "%s", "speedy", 1)+"-- pkg/speedy.py --\nNAME = 'speedy'\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	if got := e.evalOrError("app.py", "who()"); got != "'speedy'" {
		t.Fatalf("who() = %s", got)
	}
	move(t, e, "pkg/speedy.py", "pkg/quick.py")
	writeFile(t, e.path("pkg/quick.py"), "NAME = 'quick'\n")
	e.saveAndWait("pkg/__init__.py", strings.Replace(init, "%s", "quick", 1))
	layoutCheck(t, e, "app.py", "who()")
	layoutCheck(t, e, "app.py", "'pkg.speedy' in __import__('sys').modules")
}

// A try-import whose fast module is deleted: the importer's next save
// takes the fallback, as a fresh run does.
func TestProbeLayoutTryImportModuleDeleted(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\ntry:\n    from fastimpl import compute\nexcept ImportError:\n    from slowimpl import compute\n\nV = compute()\n-- fastimpl.py --\ndef compute():\n    return 'fast'\n-- slowimpl.py --\ndef compute():\n    return 'slow'\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	if err := os.Remove(e.path("fastimpl.py")); err != nil {
		t.Fatal(err)
	}
	e.saveAndWait("app.py", e.read("app.py")+"\nW = 1\n")
	layoutCheck(t, e, "app.py", "V, compute.__module__")
}

// The project moves to a src layout while the server runs: src/ is made
// and the package moved into it.
func TestProbeLayoutMovedToSrc(t *testing.T) {
	t.Parallel()
	e := startProbe(t, "-- app.py --\nimport pkg.core\n\nV = pkg.core.f()\n-- pkg/__init__.py --\n-- pkg/core.py --\ndef f():\n    return 1\n", nil)
	e.saveAndWait("app.py", e.read("app.py"))
	move(t, e, "pkg", "src/pkg")
	e.saveAndWait("src/pkg/core.py", "def f():\n    return 2\n")
	e.saveAndWait("app.py", "import pkg.core\n\nV = pkg.core.f() * 10\n")
	layoutCheck(t, e, "app.py", "V", "PYTHONPATH=src")
	layoutCheck(t, e, "app.py", "pkg.core.__name__", "PYTHONPATH=src")
}
