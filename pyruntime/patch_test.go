package pyruntime

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The tests in this file cover what a reload of a loaded module does: update
// old objects in place, re-run importers, roll back, call hooks. Each uses a
// small project under testdata/<name>/ in which version 2 of a module sits
// beside version 1 (mymath.py, mymath.v2.py); a test copies the project to a
// temporary folder and copies a variant over the module to "save" it.

// project copies testdata/name into a new temporary folder and returns it.
func project(t testing.TB, name string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path) // path is under src
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// save copies the variant file over target in dir, as an editor's save
// would. Absolute names are taken as they are.
func save(t testing.TB, dir, variant, target string) {
	t.Helper()
	if !filepath.IsAbs(variant) {
		variant, target = filepath.Join(dir, variant), filepath.Join(dir, target)
	}
	data, err := os.ReadFile(variant)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// modulePath returns the file of dir's module, a plain module or a package's.
func modulePath(dir, module string) string {
	return filepath.Join(dir, strings.ReplaceAll(module, ".", string(filepath.Separator))+".py")
}

// reloadIn reloads dir's module with the options in req and returns the
// reply and the output; a failed call ends the test.
func reloadIn(t testing.TB, r *Runtime, dir, module string, req Request) (Reply, string) {
	t.Helper()
	req.Op, req.Module, req.Path = "reload", module, modulePath(dir, module)
	if req.PathEntry == "" {
		req.PathEntry = dir
	}
	var mu sync.Mutex
	var out strings.Builder
	reply, err := r.Call(context.Background(), req, func(ev Event) {
		mu.Lock()
		out.WriteString(ev.Text)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("reload %s: %v", module, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return reply, out.String()
}

// mustReload is reloadIn for a reload that must succeed.
func mustReload(t testing.TB, r *Runtime, dir, module string, req Request) Reply {
	t.Helper()
	reply, _ := reloadIn(t, r, dir, module, req)
	if reply.Error != nil {
		t.Fatalf("reload %s: %s", module, reply.Error.Text)
	}
	return reply
}

// eval returns the repr of code's value in dir's loaded module ("None" for
// None); an exception ends the test.
func eval(t testing.TB, r *Runtime, dir, module, code string) string {
	t.Helper()
	reply, err := r.Call(context.Background(), Request{Op: "evaluate", Module: module, Path: modulePath(dir, module), Code: code}, nil)
	if err != nil {
		t.Fatalf("evaluate %q: %v", code, err)
	}
	if reply.Error != nil {
		t.Fatalf("evaluate %q in %s: %s", code, module, reply.Error.Text)
	}
	if reply.Value == nil {
		return "None"
	}
	return *reply.Value
}

type evalCase struct{ code, before, after string }

// checkEvals evaluates each case's code in module and compares it with before
// or after.
func checkEvals(t *testing.T, r *Runtime, dir, module string, cases []evalCase, after bool) {
	t.Helper()
	for _, c := range cases {
		want := c.before
		if after {
			want = c.after
		}
		if got := eval(t, r, dir, module, c.code); got != want {
			t.Errorf("%s (after save: %v) = %s, want %s", c.code, after, got, want)
		}
	}
}

// sortedNotes returns the notes' texts, sorted.
func sortedNotes(notes []Note) []string {
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Text)
	}
	slices.Sort(texts)
	return texts
}

func TestReloadUpdatesOldReferences(t *testing.T) {
	t.Parallel()
	dir := project(t, "patch")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "holder", Request{})
	// holder keeps references to version 1's objects; holder itself is not
	// re-run, so only in-place updates can change what they do.
	cases := []evalCase{
		{"f(1)", "2", "3"},
		{"callbacks['f'](1)", "2", "3"},
		{"f is mymath.f", "True", "True"},
		{"with_defaults(0)", "11", "22"},
		{"decorated(2)", "4", "6"},
		{"decorated.__wrapped__(2)", "4", "6"},
		{"decorated is mymath.decorated", "True", "True"},
		{"scale(1)", "3", "40"},       // closure with the same free variables: new code, new k
		{"add(1)", "11", "11"},        // free variables changed: the old object runs the old code
		{"mymath.add(1)", "11", "16"}, // and the module has the new one
		// lru_cache is C code: the function it wraps is updated in place,
		// the wrapper kept and its cache emptied.
		{"cached(1)", "101", "201"},
		{"cached is mymath.cached", "True", "True"},
		{"bound()", "'hello ann'", "'hi ann'"},
		{"greeter.greet()", "'hello ann'", "'hi ann'"},
		{"version()", "1", "2"},
		{"kind()", "'Greeter v1'", "'Greeter v2'"},
		{"greeter.shout", "'ANN'", "'ann!'"},
		{"Greeter is mymath.Greeter and isinstance(greeter, mymath.Greeter)", "True", "True"},
	}
	checkEvals(t, r, dir, "holder", cases, false)

	save(t, dir, "mymath.v2.py", "mymath.py")
	reply := mustReload(t, r, dir, "mymath", Request{NoDependents: true})
	checkEvals(t, r, dir, "holder", cases, true)
	want := []string{
		"mymath.add: its free variables changed; existing references run the old code",
		// holder keeps version 1's add, which cannot take the new code; the
		// only scaler is the module's, updated in place: no note for it.
		"mymath.make_adder.<locals>.add: changed: the functions make_adder made before this save run the old code where they are kept other than at module level or in a class (an instance, a list, a callback); call make_adder again for new ones",
	}
	if got := sortedNotes(reply.Notes); !slices.Equal(got, want) {
		t.Errorf("notes = %q, want %q", got, want)
	}
	if !slices.Equal(reply.Reloaded, []string{"mymath"}) {
		t.Errorf("reloaded = %q, want [mymath]", reply.Reloaded)
	}
}

func TestReloadUpdatesClassesAndLiveInstances(t *testing.T) {
	t.Parallel()
	dir := project(t, "classes")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "app", Request{})
	cases := []evalCase{
		// Methods edited, removed and added, on the class live instances have.
		{"greeter.greet()", "'hello ann'", "'hi ann'"},
		{"isinstance(greeter, shapes.Greeter) and Greeter is shapes.Greeter", "True", "True"},
		{"hasattr(greeter, 'removed')", "True", "False"},
		{"hasattr(greeter, 'added') and greeter.added()", "False", "'added for ann'"},
		{"loud.greet()", "'HELLO BOB'", "'HI BOB'"},
		// A method added to a subclass uses zero-argument super().
		{"hasattr(loud, 'added') and loud.added()", "False", "'added for bob!'"},
		{"isinstance(loud, shapes.Greeter)", "True", "True"},
		// An instance the module itself makes after the class statement.
		{"isinstance(shapes.origin, Greeter)", "True", "True"},
		// A dataclass whose fields stay: in place.
		{"size.area()", "6", "60"},
		{"Size is shapes.Size and size == shapes.Size(2, 3)", "True", "True"},
		// A dataclass with a new field that has a default: updated in place;
		// the old instance reads the default from the class.
		{"Point is shapes.Point", "True", "True"},
		{"type(point) is Point and point == Point(1, 2)", "True", "True"},
		{"shapes.Point(1, 2), point", "(Point(x=1, y=2), Point(x=1, y=2))", "(Point(x=1, y=2, z=0), Point(x=1, y=2, z=0))"},
		// An enum whose members stay: in place, members keep their identity.
		{"mode.label()", "'on'", "'ON!'"},
		{"mode is shapes.Mode.ON", "True", "True"},
		// An enum with a new member at the end: in place too.
		{"Color is shapes.Color and color is Color.RED", "True", "True"},
		{"[c.name for c in Color]", "['RED', 'GREEN']", "['RED', 'GREEN', 'BLUE']"},
		// An enum with a renamed member: in place, the new member joins and
		// the old one leaves (a note says code may still hold it).
		{"Shade is shapes.Shade", "True", "True"},
		{"[s.name for s in Shade]", "['LIGHT', 'DARK']", "['LIGHT', 'DEEP']"},
		{"shade is Shade.LIGHT", "True", "True"},
		// Changed bases: given in place (the layout allows it), so a live
		// instance has the new ones.
		{"Child is shapes.Child", "True", "True"},
		{"isinstance(child, shapes.Other)", "False", "True"},
		// Changed slots and metaclass: new classes.
		{"Slotted is shapes.Slotted", "True", "False"},
		{"WithMeta is shapes.WithMeta", "True", "False"},
	}
	checkEvals(t, r, dir, "app", cases, false)

	save(t, dir, "shapes.v2.py", "shapes.py")
	reply := mustReload(t, r, dir, "shapes", Request{NoDependents: true})
	checkEvals(t, r, dir, "app", cases, true)
	want := []string{
		"shapes.Shade: member DARK removed: code that took it before this save still holds it, which a fresh run would not have",
		"shapes.Slotted: its __slots__ changed; existing instances still use the old class",
		"shapes.WithMeta: its metaclass changed; existing instances still use the old class",
	}
	if got := sortedNotes(reply.Notes); !slices.Equal(got, want) {
		t.Errorf("notes = %q, want %q", got, want)
	}
}

func TestReloadRerunsImporters(t *testing.T) {
	t.Parallel()
	type check struct{ module, code, want string }
	tests := []struct {
		name         string
		load         []string // modules loaded before the save
		save         string   // module saved, with its .v2.py if there is one
		noDependents bool
		wantReloaded []string
		checks       []check
	}{
		{
			name: "chain", load: []string{"c", "x"}, save: "a",
			// c imports b imports a; x and y do not import a.
			wantReloaded: []string{"a", "b", "c"},
			checks:       []check{{"b", "B", "12"}, {"c", "C", "112"}},
		},
		{
			name: "no dependents", load: []string{"c"}, save: "a", noDependents: true,
			wantReloaded: []string{"a"},
			checks:       []check{{"a", "CONST", "2"}, {"b", "B", "11"}, {"c", "C", "111"}},
		},
		{
			name: "cycle imports the saved module", load: []string{"x"}, save: "base",
			wantReloaded: []string{"base", "x", "y"},
			checks:       []check{{"x", "X", "2"}, {"y", "Y", "2"}},
		},
		{
			// y runs again unchanged: nothing x takes from it changed.
			name: "saved module in a cycle", load: []string{"x"}, save: "y",
			wantReloaded: []string{"y"},
		},
		{
			// pkg.sub imports .core; pkg's `from . import sub` imports
			// pkg.sub, and so does user's `from pkg import sub`. pkg only
			// binds the submodule, which stays the same module: it does
			// not re-run; user reads sub.Y, which changed.
			name: "relative imports", load: []string{"user"}, save: "pkg.core",
			wantReloaded: []string{"pkg.core", "pkg.sub", "user"},
			checks:       []check{{"user", "Z", "11"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := project(t, "importers")
			r := newRuntime(t, Config{})
			for _, m := range tt.load {
				mustReload(t, r, dir, m, Request{})
			}
			file := modulePath(dir, tt.save)
			if variant := strings.TrimSuffix(file, ".py") + ".v2.py"; fileExists(variant) {
				save(t, dir, variant, file)
			}
			reply := mustReload(t, r, dir, tt.save, Request{NoDependents: tt.noDependents})
			if !slices.Equal(reply.Reloaded, tt.wantReloaded) {
				t.Errorf("reloaded = %q, want %q", reply.Reloaded, tt.wantReloaded)
			}
			for _, c := range tt.checks {
				if got := eval(t, r, dir, c.module, c.code); got != c.want {
					t.Errorf("%s.%s = %s, want %s", c.module, c.code, got, c.want)
				}
			}
		})
	}
}

func TestReloadRerunsOnlyWorkspaceImporters(t *testing.T) {
	t.Parallel()
	dir := project(t, "roots")
	src := filepath.Join(dir, "src")
	r := newRuntime(t, Config{SysPath: []string{src, filepath.Join(dir, "scripts"), filepath.Join(dir, "site-packages")}})
	mustReload(t, r, src, "core", Request{})
	eval(t, r, src, "core", "import report, plugin")
	save(t, src, "core.v2.py", "core.py")

	// Only src is a workspace root (the reload's path entry): report, outside
	// it, and plugin, an installed package, keep their values.
	reply := mustReload(t, r, src, "core", Request{})
	if want := []string{"core"}; !slices.Equal(reply.Reloaded, want) {
		t.Errorf("reloaded = %q, want %q", reply.Reloaded, want)
	}
	if got := eval(t, r, src, "core", "(report.REPORT, plugin.PLUGIN)"); got != "(1, 1)" {
		t.Errorf("(REPORT, PLUGIN) = %s, want (1, 1)", got)
	}

	// With the project folder as a workspace root, report re-runs; plugin,
	// in site-packages, still does not.
	if _, err := r.Call(context.Background(), Request{Op: "setup", WorkspaceRoots: []string{dir}}, nil); err != nil {
		t.Fatal(err)
	}
	save(t, src, "core.v3.py", "core.py")
	reply = mustReload(t, r, src, "core", Request{})
	if want := []string{"core", "report"}; !slices.Equal(reply.Reloaded, want) {
		t.Errorf("reloaded = %q, want %q", reply.Reloaded, want)
	}
	if got := eval(t, r, src, "core", "(report.REPORT, plugin.PLUGIN)"); got != "(3, 1)" {
		t.Errorf("(REPORT, PLUGIN) = %s, want (3, 1)", got)
	}
}

func TestFailedSaveRollsBackEveryModule(t *testing.T) {
	t.Parallel()
	dir := project(t, "rollback")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "b", Request{})
	old := []evalCase{
		{"f_ref()", "'old f'", ""},
		{"a.f()", "'old f'", ""},
		{"f_ref is a.f", "True", ""},
		{"(a.CONST, CONST, B)", "(1, 1, 10)", ""},
		{"k.m()", "'old m'", ""},
		{"isinstance(k, a.K) and K is a.K", "True", ""},
		{"hasattr(k, 'extra')", "False", ""},
	}
	checkEvals(t, r, dir, "b", old, false)

	// a's new version runs, then b fails with a's new CONST: a goes back to
	// version 1, and so do the objects b holds.
	save(t, dir, "a.v2.py", "a.py")
	reply, _ := reloadIn(t, r, dir, "a", Request{})
	if reply.Error == nil || reply.Error.Type != "ZeroDivisionError" {
		t.Fatalf("error = %+v, want ZeroDivisionError", reply.Error)
	}
	if frames := reply.Error.Frames; len(frames) == 0 || filepath.Base(frames[len(frames)-1].File) != "b.py" {
		t.Errorf("frames = %+v, want the innermost in b.py", frames)
	}
	if !reply.RolledBack || len(reply.Reloaded) != 0 {
		t.Errorf("rolled_back = %v, reloaded = %q; want true and none", reply.RolledBack, reply.Reloaded)
	}
	checkEvals(t, r, dir, "b", old, false)

	// A syntax error in an importer: nothing runs at all.
	save(t, dir, "b.syntax.py", "b.py")
	reply, _ = reloadIn(t, r, dir, "a", Request{})
	if reply.Error == nil || reply.Error.Type != "SyntaxError" || filepath.Base(reply.Error.Syntax.File) != "b.py" || !reply.RolledBack {
		t.Fatalf("error = %+v, rolled_back = %v; want a SyntaxError in b.py, rolled back", reply.Error, reply.RolledBack)
	}
	checkEvals(t, r, dir, "b", old, false)

	// Once b is fixed, the same save goes through.
	save(t, dir, "b.v2.py", "b.py")
	reply = mustReload(t, r, dir, "a", Request{})
	if want := []string{"a", "b"}; !slices.Equal(reply.Reloaded, want) || reply.RolledBack {
		t.Errorf("reloaded = %q, rolled_back = %v; want %q and false", reply.Reloaded, reply.RolledBack, want)
	}
	checkEvals(t, r, dir, "b", []evalCase{
		{"f_ref()", "", "'new f'"},
		{"(a.CONST, CONST, B)", "", "(2, 2, 2)"},
		{"k.m(), k.extra()", "", "('new m', 'extra')"},
	}, true)

	// A first import that fails leaves no module behind.
	reply, _ = reloadIn(t, r, dir, "fresh", Request{})
	if reply.Error == nil || reply.RolledBack {
		t.Errorf("error = %+v, rolled_back = %v; want an error, not rolled back", reply.Error, reply.RolledBack)
	}
	if got := eval(t, r, dir, "a", "import sys; 'fresh' in sys.modules"); got != "False" {
		t.Errorf("fresh in sys.modules = %s, want False", got)
	}
}

func TestTeardownAndAfterReloadHooks(t *testing.T) {
	t.Parallel()
	dir := project(t, "hooks")
	r := newRuntime(t, Config{})
	// A first import has no old code: no teardown.
	if _, out := reloadIn(t, r, dir, "svc", Request{}); out != "run v1\n" {
		t.Errorf("first import output = %q, want %q", out, "run v1\n")
	}

	// The old code's teardown runs before the new code; the hook after it.
	save(t, dir, "svc.v2.py", "svc.py")
	reply, out := reloadIn(t, r, dir, "svc", Request{AfterReload: "hooks:after"})
	if want := "teardown v1\nrun v2\nafter reload 1\n"; out != want || reply.Error != nil || reply.HookError != nil {
		t.Errorf("output = %q, error %+v, hook error %+v; want %q and no errors", out, reply.Error, reply.HookError, want)
	}

	// A hook that raises: the reload stands, the reply carries the error.
	reply, out = reloadIn(t, r, dir, "svc", Request{AfterReload: "hooks:broken"})
	if reply.Error != nil || !slices.Equal(reply.Reloaded, []string{"svc"}) {
		t.Errorf("error = %+v, reloaded = %q; want no error and [svc]", reply.Error, reply.Reloaded)
	}
	if e := reply.HookError; e == nil || e.Type != "RuntimeError" || e.Message != "hook failed" {
		t.Errorf("hook error = %+v, want RuntimeError: hook failed", e)
	} else if f := e.Frames; len(f) == 0 || filepath.Base(f[len(f)-1].File) != "hooks.py" {
		t.Errorf("hook error frames = %+v, want the innermost in hooks.py", f)
	}
	if want := "teardown v2\nrun v2\n"; out != want {
		t.Errorf("output = %q, want %q", out, want)
	}

	// A teardown that raises stops the reload before anything runs.
	save(t, dir, "svc.failing.py", "svc.py")
	mustReload(t, r, dir, "svc", Request{})
	save(t, dir, "svc.v2.py", "svc.py")
	reply, out = reloadIn(t, r, dir, "svc", Request{AfterReload: "hooks:after"})
	if e := reply.Error; e == nil || e.Message != "teardown failed" || !reply.RolledBack {
		t.Errorf("error = %+v, rolled_back = %v; want teardown failed, rolled back", e, reply.RolledBack)
	}
	// What the teardown did is not undone by the rollback: a note says so.
	if got := sortedNotes(reply.Notes); len(got) != 1 || !strings.Contains(got[0], "svc: its __hotload_teardown__ ran before the save failed and cannot be undone") {
		t.Errorf("notes = %q, want one saying the teardown cannot be undone", got)
	}
	if out != "" {
		t.Errorf("output = %q, want none: neither the module nor the hook runs", out)
	}
	if got := eval(t, r, dir, "svc", "__hotload_teardown__.__code__.co_consts"); !strings.Contains(got, "teardown failed") {
		t.Errorf("teardown after the failed save = %s, want the failing version still", got)
	}
}

// A reload must cost what the re-run modules cost, not what the heap holds:
// with every heap-walking function of gc and sys disabled, the full update
// (functions, classes, importers) still works.
func TestReloadDoesNotScanTheHeap(t *testing.T) {
	t.Parallel()
	dir := project(t, "patch")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "holder", Request{})
	eval(t, r, dir, "holder", `import gc, sys
def _heap_scan(*args, **kwargs):
    raise AssertionError("the reload scanned the heap")
gc.get_objects = gc.get_referrers = gc.get_referents = sys.getobjects = _heap_scan`)
	save(t, dir, "mymath.v2.py", "mymath.py")
	reply := mustReload(t, r, dir, "mymath", Request{})
	if want := []string{"mymath", "holder"}; !slices.Equal(reply.Reloaded, want) {
		t.Errorf("reloaded = %q, want %q", reply.Reloaded, want)
	}
	if got := eval(t, r, dir, "holder", "callbacks['f'](1), bound()"); got != "(3, 'hi ann')" {
		t.Errorf("after the reload = %s, want (3, 'hi ann')", got)
	}
}

func TestInterruptedSaveRollsBack(t *testing.T) {
	t.Parallel()
	dir := project(t, "interrupt")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "spin", Request{})
	save(t, dir, "base.v2.py", "base.py")
	done := make(chan Reply, 1)
	go func() {
		reply, _, err := reload(t, r, "base", filepath.Join(dir, "base.py"))
		if err != nil {
			t.Errorf("reload base: %v", err)
		}
		done <- reply
	}()
	// Interrupt spin, an importer, once base has re-run and spin spins.
	waitFile(t, filepath.Join(dir, "spin.py.spinning"))
	if ok, err := r.Interrupt(context.Background()); !ok || err != nil {
		t.Fatalf("Interrupt = %v, %v; want true", ok, err)
	}
	reply := <-done
	if reply.Error == nil || reply.Error.Type != "KeyboardInterrupt" || !reply.RolledBack {
		t.Fatalf("error = %+v, rolled_back = %v; want KeyboardInterrupt, rolled back", reply.Error, reply.RolledBack)
	}
	if got := eval(t, r, dir, "spin", "CONST, __import__('base').CONST"); got != "(1, 1)" {
		t.Errorf("CONST in spin and base = %s, want (1, 1)", got)
	}
}

// A save re-runs an importer only if what it takes from the saved module
// changed: a function body patched in place re-runs the importers that call
// it as they run, a changed constant those that read it (or call code that
// does), an unchanged save none.
func TestImportersRerunOnlyWhenWhatTheyTakeChanged(t *testing.T) {
	dir := project(t, "finegrained")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "all", Request{})
	for _, step := range []struct {
		variant string // saved over core.py; "" saves it unchanged
		want    []string
		checks  []evalCase
	}{
		{"", []string{"core"}, nil},
		// quiet only takes scaled, reads reads VALUE, later calls scaled
		// only when called: none re-runs. calls called it; star took all.
		{"core.body.py", []string{"core", "calls", "star"}, []evalCase{
			{"calls.T", "", "3"}, {"later.f()", "", "2"}, {"quiet.scaled(1)", "", "2"}, {"reads.V", "", "1"},
		}},
		// VALUE changed: reads reads it, calls called scaled, which reads it.
		{"core.const.py", []string{"core", "calls", "reads", "star"}, []evalCase{
			{"calls.T", "", "5"}, {"reads.V", "", "2"}, {"star.S", "", "2"}, {"later.f()", "", "3"},
		}},
	} {
		if step.variant != "" {
			save(t, dir, step.variant, "core.py")
		}
		reply := mustReload(t, r, dir, "core", Request{})
		if got := append([]string{reply.Reloaded[0]}, sortedStrings(reply.Reloaded[1:])...); !slices.Equal(got, step.want) {
			t.Errorf("save %q: reloaded = %q, want %q", step.variant, got, step.want)
		}
		checkEvals(t, r, dir, "all", step.checks, true)
	}
}

func sortedStrings(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// A save that fails after its code registered classes and functions puts
// the registries back as they were: the old class in place of the new one,
// the definition registered again once, the new objects gone.
func TestFailedSaveRollsBackRegistries(t *testing.T) {
	dir := project(t, "registries")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "app", Request{})
	old := []evalCase{
		{"sorted(Plugin.registry)", "['csv']", ""},
		{"Plugin.registry['csv'] is impl.CSV and isinstance(reader, impl.CSV)", "True", ""},
		{"reader.name()", "'csv v1'", ""},
		{"[f() for f in ITEMS]", "['task v1']", ""},
		{"ITEMS[0] is impl.task", "True", ""},
	}
	checkEvals(t, r, dir, "app", old, false)

	save(t, dir, "impl.failing.py", "impl.py")
	reply, _ := reloadIn(t, r, dir, "impl", Request{})
	if reply.Error == nil || reply.Error.Message != "broken" || !reply.RolledBack {
		t.Fatalf("error = %+v, rolled back %v; want RuntimeError: broken, rolled back", reply.Error, reply.RolledBack)
	}
	checkEvals(t, r, dir, "app", old, false)

	save(t, dir, "impl.v2.py", "impl.py")
	mustReload(t, r, dir, "impl", Request{})
	checkEvals(t, r, dir, "app", []evalCase{
		{"sorted(Plugin.registry)", "", "['csv']"},
		{"Plugin.registry['csv'] is impl.CSV and isinstance(reader, impl.CSV)", "", "True"},
		{"reader.name()", "", "'csv v2'"},
		{"[f() for f in ITEMS]", "", "['task v2']"},
		{"__import__('pickle').loads(__import__('pickle').dumps(ITEMS[0])) is impl.task", "", "True"},
	}, true)
}

// Notes say where the object they name is, so the editor can put them on
// its line.
func TestNotesCarryThePlaceOfTheObject(t *testing.T) {
	dir := project(t, "classes")
	r := newRuntime(t, Config{})
	mustReload(t, r, dir, "app", Request{})
	save(t, dir, "shapes.v2.py", "shapes.py")
	reply := mustReload(t, r, dir, "shapes", Request{NoDependents: true})
	lines := map[string]int{}
	for _, n := range reply.Notes {
		if filepath.Base(n.File) != "shapes.py" || n.Source == "" {
			t.Errorf("note %q at %q:%d (%q), want a line of shapes.py", n.Text, n.File, n.Line, n.Source)
		}
		name, _, _ := strings.Cut(n.Text, ":")
		lines[name] = n.Line
	}
	source, err := os.ReadFile(filepath.Join(dir, "shapes.py"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Split(string(source), "\n")
	for name, line := range lines {
		class := strings.TrimPrefix(name, "shapes.")
		if line < 1 || line > len(text) || !strings.HasPrefix(text[line-1], "class "+class) {
			t.Errorf("note about %s is on line %d, want its class statement", name, line)
		}
	}
	if len(lines) == 0 {
		t.Error("no notes")
	}
}
