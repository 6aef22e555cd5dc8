package pyruntime

import (
	"testing"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// Regression (Python 3.14, PEP 649/749): annotations are evaluated only when
// read. An in-place update read them, so a function whose annotations name
// what is imported only under `if TYPE_CHECKING:` was never updated ("could
// not be updated in place (NameError: name 'Decimal' is not defined)" on
// every save), and a dataclass naming itself unquoted (`left: Tree | None`)
// was rebuilt on its first re-save: its fields' types were a forward
// reference the first time and the class itself the next.
func TestReloadLeavesLazyAnnotationsUnevaluated(t *testing.T) {
	if !pyruntimetest.AtLeast(t, 3, 14) {
		t.Skip("the fixture needs lazy annotations (Python 3.14+): before, its unquoted names raise NameError; make test-pythons runs it under 3.14 and 3.15")
	}
	dir := project(t, "annotations")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "holder", Request{})
	// The annotations as written, which reading does not evaluate.
	const asWritten = "__import__('annotationlib').get_annotations(total, format=__import__('annotationlib').Format.STRING)"
	cases := []evalCase{
		// holder's references to version 1's function and class run the new code.
		{"total(2, 3)", "6", "7"},
		{"total is prices.total", "True", "True"},
		{"tree.size()", "2", "110"},
		{"Tree is prices.Tree and isinstance(tree, prices.Tree)", "True", "True"},
		// The old function has the new annotations, still unevaluated, as a
		// fresh run of version 2 would.
		{asWritten, "{'price': 'Decimal', 'count': 'int', 'return': 'Decimal'}", "{'price': 'Decimal', 'count': 'float', 'return': 'Decimal'}"},
		{"[f.name for f in __import__('dataclasses').fields(Tree)]", "['value', 'left', 'right']", "['value', 'left', 'right']"},
		{"Tree.__annotations__['left'] == (Tree | None)", "True", "True"},
	}
	checkEvals(t, r, dir, "holder", cases, false)

	save(t, dir, "prices.v2.py", "prices.py")
	reply := mustReload(t, r, dir, "prices", Request{NoDependents: true})
	checkEvals(t, r, dir, "holder", cases, true)
	if len(reply.Notes) != 0 {
		t.Errorf("notes = %q, want none: both update in place", sortedNotes(reply.Notes))
	}

	// And on every later save.
	reply = mustReload(t, r, dir, "prices", Request{NoDependents: true})
	checkEvals(t, r, dir, "holder", cases, true)
	if len(reply.Notes) != 0 {
		t.Errorf("notes on the second save = %q, want none", sortedNotes(reply.Notes))
	}

	// A save that fails after its definitions ran puts version 2's
	// annotations back with its code.
	save(t, dir, "prices.broken.py", "prices.py")
	reply, _ = reloadIn(t, r, dir, "prices", Request{NoDependents: true})
	if reply.Error == nil || !reply.RolledBack {
		t.Fatalf("error = %+v, rolled back = %v; want the RuntimeError, rolled back", reply.Error, reply.RolledBack)
	}
	checkEvals(t, r, dir, "holder", cases, true)
}
