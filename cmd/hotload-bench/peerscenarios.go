package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// peerImporters is how many modules import big.core in scenarios b and b2.
const peerImporters = 100

// peerHeapObjects is how many objects scenario a keeps alive: lists, which
// the garbage collector tracks, as most objects of a real program are.
const peerHeapObjects = 5_000_000

// scenario is one edit the bench makes in every tool, over and over.
type scenario struct {
	key   string // "a", "b", "b2", "c": the letter of issue 13's list (b2 is b read the other way)
	label string // what the table says
	// files are the workspace before the first edit, by path relative to it.
	files map[string]string
	// edited is the file each edit rewrites, and edit(k) its content at
	// edit k (k = 0 is the workspace as written).
	edited string
	edit   func(k int) string
	// want(k) is what the program observes once edit k has taken effect:
	// the probe's value, or the line the module prints.
	want func(k int) string
	// load is what hotload saves, in order, before the first timed edit,
	// to load what the peers' probe imports.
	load []string
	// hmrEntry is the file hmr runs: it imports the scenario's modules and
	// reports what it sees, so hmr re-runs it when they change.
	hmrEntry string
}

// areaSource is lib.py (and, in the main session, area.py) at edit k:
// area's body changes, and the module's
// last line shows its new result, as hotload's message does.
func areaSource(k int) string {
	return fmt.Sprintf("\"\"\"hotload-bench edits the body of area.\"\"\"\n\n\ndef area(w, h):\n    return w * h + %d\n\n\narea(2, 3)\n", k)
}

// valueSource is big/core.py at edit k.
func valueSource(k int) string {
	return fmt.Sprintf("\"\"\"core: hotload-bench edits VALUE; %d modules import it.\"\"\"\n\nVALUE = %d\n\nVALUE\n", peerImporters, k)
}

// importerSource is an importer of big.core: byName imports VALUE (`from
// big.core import VALUE`), so it sees a new VALUE only if it runs again;
// otherwise it reads big.core.VALUE when called.
func importerSource(i int, byName bool) string {
	if byName {
		return fmt.Sprintf("\"\"\"m%03d: imports VALUE by name.\"\"\"\nfrom big.core import VALUE\n\n\ndef value():\n    return VALUE\n", i)
	}
	return fmt.Sprintf("\"\"\"m%03d: reads big.core.VALUE.\"\"\"\nfrom big import core\n\n\ndef value():\n    return core.VALUE\n", i)
}

// importersScenario is b (byName) or b2.
func importersScenario(byName bool) scenario {
	s := scenario{
		key:    "b2",
		label:  "(b2) the same, importers read big.core.VALUE → importers see it",
		edited: "big/core.py",
		edit:   valueSource,
		want:   func(k int) string { return fmt.Sprint(k) },
		load:   []string{"loadall.py"},
		files: map[string]string{
			"big/__init__.py": "",
			"big/core.py":     valueSource(0),
			// Imports the importers without an import statement naming
			// them, so that it is not one of them.
			"loadall.py": fmt.Sprintf("import importlib\n\nmods = [importlib.import_module(\"big.m%%03d\" %% i) for i in range(%d)]\n", peerImporters),
			"entry.py": fmt.Sprintf("import importlib\n\nimport _peerprobe\n\n_mods = [importlib.import_module(\"big.m%%03d\" %% i) for i in range(%d)]\n"+
				"_peerprobe.observe(\"|\".join(sorted({str(m.value()) for m in _mods})))\n", peerImporters),
		},
		hmrEntry: "entry.py",
	}
	if byName {
		s.key = "b"
		s.label = fmt.Sprintf("(b) edit a constant in a module with %d importers (`from big.core import VALUE`) → importers see it", peerImporters)
	}
	for i := range peerImporters {
		s.files[fmt.Sprintf("big/m%03d.py", i)] = importerSource(i, byName)
	}
	return s
}

// peerScenarios are the rows of the peers table, in order.
func peerScenarios() []scenario {
	return []scenario{
		{
			key:    "a",
			label:  fmt.Sprintf("(a) edit one function, %s objects alive (in another module) → new behaviour", humanCount(peerHeapObjects)),
			edited: "lib.py",
			edit:   areaSource,
			want:   func(k int) string { return fmt.Sprint(6 + k) },
			load:   []string{"data.py", "lib.py"},
			files: map[string]string{
				"data.py":  fmt.Sprintf("\"\"\"%s objects alive for the whole session.\"\"\"\nobjects = [[] for _ in range(%d)]\n", humanCount(peerHeapObjects), peerHeapObjects),
				"lib.py":   areaSource(0),
				"entry.py": "import _peerprobe\nimport data\nimport lib\n\n_peerprobe.observe(lib.area(2, 3))\n",
			},
			hmrEntry: "entry.py",
		},
		importersScenario(true),
		importersScenario(false),
		{
			key:      "c",
			label:    "(c) edit a trivial module → its output",
			edited:   "trivial.py",
			edit:     func(k int) string { return fmt.Sprintf("print(%d)\n", k) },
			want:     func(k int) string { return fmt.Sprint(k) },
			load:     []string{"trivial.py"},
			files:    map[string]string{"trivial.py": "print(0)\n"},
			hmrEntry: "trivial.py",
		},
	}
}

// humanCount writes 5000000 as "5 M".
func humanCount(n int) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d M", n/1_000_000)
	}
	return fmt.Sprint(n)
}

// write creates the scenario's workspace in dir. Modification times are
// set an hour back: hotload parses again, on every save, files changed in
// the last two seconds, which a workspace just written would pay and a
// real one does not; the other tools do not look at them until an edit.
func (s scenario) write(dir string) error {
	past := time.Now().Add(-time.Hour)
	for rel, content := range s.files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write scenario %s: %w", s.key, err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return fmt.Errorf("write scenario %s: %w", s.key, err)
		}
		if err := os.Chtimes(path, past, past); err != nil {
			return fmt.Errorf("write scenario %s: %w", s.key, err)
		}
	}
	return nil
}
