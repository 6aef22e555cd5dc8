package lsp

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The scenarios in testdata/scenarios/ are real-world edits made as a new
// user makes them: open a project, save a file, edit it, save again, and
// look at what the program does. Each is a txtar archive; its comment says
// what happens, one directive a line:
//
//	load FILE                 save FILE as it is (it loads, with what it imports)
//	do FILE: CODE             run CODE in FILE's module (the fresh run runs it
//	                          too, after loading); \n in CODE is a new line
//	save FILE VARIANT         save FILE with VARIANT's content (a .v2.py beside it)
//	save FILE VARIANT fails   the same, and the save is rolled back with an error
//	check FILE: EXPR          EXPR in FILE's module gives what a fresh run of
//	                          the final files gives
//	stale FILE: EXPR => REPR  EXPR gives REPR, which a fresh run would not:
//	                          allowed only with a warn directive saying so
//	warn FILE:LINE: TEXT      a Warning diagnostic on that line contains TEXT
//	needs PKG ...             both runs use the test virtual environment's
//	                          Python, which must import PKG (skips without it)
//	python X.Y                the code needs Python X.Y or later (skips under
//	                          an older one; make test-pythons runs it under
//	                          the newer ones)
//
// A scenario with no warn directive must come out fully right: every check
// agrees with a fresh run and no Warning is published. A scenario with warn
// directives is right where it checks and warns where it does not: the
// editor names the object, file and line of what still runs old code. No
// scenario may be silently wrong: a check that disagrees with the fresh
// run fails the test.
//
// The fresh run is a new python3 that imports the loaded modules from the
// final files and evaluates the same expressions.

type scenario struct {
	name     string
	title    string
	steps    []scenarioStep
	checks   []scenarioCheck
	warnings []scenarioWarning
	files    []txtar.File
	needs    []string // packages the venv's Python must import; none: python3
	since    [2]int   // the oldest Python (major, minor) the code runs on; zero: any
	before   [2]int   // the first Python (major, minor) whose answer differs (another scenario has it); zero: none
	python   string   // the Python both runs use; "" is python3 on PATH
}

type scenarioStep struct {
	file, variant string // variant empty: save the file as it is
	fails         bool
	code          string // for a do directive: no save
}

type scenarioCheck struct {
	file, expr string
	stale      string // the expected repr of a stale directive; "" for check
}

type scenarioWarning struct {
	file string
	line int // 1-based
	text string
}

func parseScenario(t *testing.T, path string) scenario {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ar := txtar.Parse(data)
	sc := scenario{name: strings.TrimSuffix(filepath.Base(path), ".txtar"), files: ar.Files}
	for i, line := range strings.Split(string(ar.Comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if sc.title == "" {
				sc.title = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			}
			continue
		}
		verb, rest, _ := strings.Cut(line, " ")
		bad := func() { t.Fatalf("%s:%d: cannot read %q", path, i+1, line) }
		switch verb {
		case "needs":
			sc.needs = strings.Fields(rest)
		case "python", "before-python":
			major, minor, ok := strings.Cut(rest, ".")
			var err1, err2 error
			version := &sc.since
			if verb == "before-python" {
				version = &sc.before
			}
			version[0], err1 = strconv.Atoi(major)
			version[1], err2 = strconv.Atoi(minor)
			if !ok || err1 != nil || err2 != nil {
				bad()
			}
		case "load":
			sc.steps = append(sc.steps, scenarioStep{file: rest})
		case "do":
			file, code, ok := strings.Cut(rest, ": ")
			if !ok {
				bad()
			}
			sc.steps = append(sc.steps, scenarioStep{file: file, code: strings.ReplaceAll(code, `\n`, "\n")})
		case "save":
			f := strings.Fields(rest)
			if len(f) < 2 || len(f) > 3 || (len(f) == 3 && f[2] != "fails") {
				bad()
			}
			sc.steps = append(sc.steps, scenarioStep{file: f[0], variant: f[1], fails: len(f) == 3})
		case "check", "stale":
			file, expr, ok := strings.Cut(rest, ": ")
			if !ok {
				bad()
			}
			c := scenarioCheck{file: file, expr: expr}
			if verb == "stale" {
				if c.expr, c.stale, ok = strings.Cut(expr, " => "); !ok {
					bad()
				}
			}
			sc.checks = append(sc.checks, c)
		case "warn":
			place, text, ok := strings.Cut(rest, ": ")
			file, num, ok2 := strings.Cut(place, ":")
			n, err := strconv.Atoi(num)
			if !ok || !ok2 || err != nil {
				bad()
			}
			sc.warnings = append(sc.warnings, scenarioWarning{file: file, line: n, text: text})
		default:
			bad()
		}
	}
	for _, c := range sc.checks {
		if c.stale != "" && len(sc.warnings) == 0 {
			t.Fatalf("%s: stale %q without a warn directive: that would be silently wrong", path, c.expr)
		}
	}
	return sc
}

// content returns the archive's file called name.
func (sc scenario) content(t *testing.T, name string) string {
	t.Helper()
	for _, f := range sc.files {
		if f.Name == name {
			return string(f.Data)
		}
	}
	t.Fatalf("scenario %s has no file %s", sc.name, name)
	return ""
}

// freshValues runs the final files in a new python3 and returns the repr
// of each check's expression in its module, or of the exception it raised.
func (sc scenario) freshValues(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	final := map[string]string{}
	for _, f := range sc.files {
		if !variantFile.MatchString(f.Name) {
			final[f.Name] = string(f.Data)
		}
	}
	for _, s := range sc.steps {
		if s.variant != "" {
			final[s.file] = sc.content(t, s.variant)
		}
	}
	for name, data := range final {
		writeFile(t, filepath.Join(dir, name), data)
	}
	var prog strings.Builder
	// A check may run statements before its expression, as an evaluation
	// in the editor may ("n = len(out); work(); out[n:]").
	prog.WriteString("import ast, importlib, sys\nsys.path.insert(0, '.')\n" +
		"def value(code, ns):\n" +
		"    tree = ast.parse(code)\n" +
		"    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None\n" +
		"    exec(compile(tree, '<check>', 'exec'), ns)\n" +
		"    return None if last is None else eval(compile(ast.Expression(last.value), '<check>', 'eval'), ns)\n")
	loaded := map[string]bool{}
	for _, s := range sc.steps {
		if !loaded[s.file] && s.code == "" {
			loaded[s.file] = true
			fmt.Fprintf(&prog, "importlib.import_module(%q)\n", scenarioModule(s.file))
		}
	}
	for _, s := range sc.steps {
		if s.code != "" {
			fmt.Fprintf(&prog, "exec(%q, importlib.import_module(%q).__dict__)\n", s.code, scenarioModule(s.file))
		}
	}
	for _, c := range sc.checks {
		fmt.Fprintf(&prog, "try:\n    print(repr(value(%q, importlib.import_module(%q).__dict__)))\nexcept Exception as e:\n    print(type(e).__name__)\n",
			c.expr, scenarioModule(c.file))
	}
	python := sc.python
	if python == "" {
		python = "python3"
	}
	cmd := exec.Command(python, "-B", "-c", prog.String())
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fresh run: %v\n%s", err, stderr.String())
	}
	values := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(values) < len(sc.checks) {
		t.Fatalf("fresh run printed %q, want %d values (stderr %s)", out, len(sc.checks), stderr.String())
	}
	return values[len(values)-len(sc.checks):]
}

// variantFile matches the versions of a file a scenario saves over it.
var variantFile = regexp.MustCompile(`\.v\d+\.py$`)

func scenarioModule(file string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(file, ".py"), "/__init__"), "/", ".")
}

// evaluate asks the editor's runtime for the check's expression and
// returns it as the fresh run prints it: its repr, or the exception's type.
func (c scenarioCheck) evaluate(t *testing.T, e *fakeEditor) string {
	t.Helper()
	var got evaluation
	if err := e.command("hotload.evaluate", &got, string(e.uri(c.file)), c.expr); err != nil {
		t.Fatal(err)
	}
	switch {
	case got.Value != nil:
		return *got.Value
	case got.Error != nil:
		return exceptionType(*got.Error)
	}
	return "None"
}

// choosePython sets the Python the scenario's runs use: the test virtual
// environment's when it needs packages (skipped without one, failed under
// CI), and skips the scenario when its python directive names a newer
// Python than that.
func (sc *scenario) choosePython(t *testing.T) {
	t.Helper()
	if len(sc.needs) > 0 {
		sc.python = pyruntimetest.VenvPython(t, sc.needs...)
	}
	sc.skipIfTooOld(t)
}

// skipIfTooOld skips the scenario when its python directive names a
// newer Python than the one its runs use, or its before-python directive
// one as old or older (a Python that answers otherwise: another scenario
// says how).
func (sc scenario) skipIfTooOld(t *testing.T) {
	t.Helper()
	if sc.since == [2]int{} && sc.before == [2]int{} {
		return
	}
	python := sc.python
	if python == "" {
		python = pyruntimetest.Python(t)
	}
	if sc.since != [2]int{} {
		check := fmt.Sprintf("import sys; sys.exit(sys.version_info < (%d, %d))", sc.since[0], sc.since[1])
		if err := exec.Command(python, "-c", check).Run(); err != nil {
			t.Skipf("the scenario's code needs Python %d.%d or later, which %s is not (%v); make test-pythons runs it under those",
				sc.since[0], sc.since[1], python, err)
		}
	}
	if sc.before != [2]int{} {
		check := fmt.Sprintf("import sys; sys.exit(sys.version_info >= (%d, %d))", sc.before[0], sc.before[1])
		if err := exec.Command(python, "-c", check).Run(); err != nil {
			t.Skipf("the scenario is the answer of Pythons before %d.%d, which %s is not (%v); a scenario of its own covers those",
				sc.before[0], sc.before[1], python, err)
		}
	}
}

// play runs the scenario's steps in a real server and returns the editor.
func (sc scenario) play(t *testing.T) *fakeEditor {
	t.Helper()
	var workspace strings.Builder
	for _, f := range sc.files {
		fmt.Fprintf(&workspace, "-- %s --\n%s", f.Name, f.Data)
	}
	e := newEditor(t, workspace.String())
	if sc.python != "" {
		e.initialize(map[string]any{"python": sc.python})
	} else {
		e.initialize(nil)
	}
	e.waitReady()
	for _, s := range sc.steps {
		if s.code != "" {
			var got evaluation
			if err := e.command("hotload.evaluate", &got, string(e.uri(s.file)), s.code); err != nil || got.Error != nil {
				t.Fatalf("do %s: %v %v", s.code, err, got.Error)
			}
			continue
		}
		content := sc.content(t, s.file)
		if s.variant != "" {
			content = sc.content(t, s.variant)
		} else if data, err := os.ReadFile(e.path(s.file)); err == nil {
			content = string(data)
		}
		module := e.moduleName(s.file)
		var msg protocol.ShowMessageParams
		for _, m := range e.saveAndWait(s.file, content) {
			if saveMessage(m, module) {
				msg = m
				break
			}
		}
		if s.fails {
			if msg.Type != protocol.MessageTypeError || !strings.Contains(msg.Message, "rolled back") {
				t.Fatalf("save %s: %q, want an error and a rollback", s.file, msg.Message)
			}
			continue
		}
		if msg.Type != protocol.MessageTypeInfo {
			t.Fatalf("save %s: %q", s.file, msg.Message)
		}
	}
	return e
}

// warnings returns the Warning diagnostics published for the scenario's files.
func (e *fakeEditor) warnings() map[string][]protocol.Diagnostic {
	e.mu.Lock()
	defer e.mu.Unlock()
	found := map[string][]protocol.Diagnostic{}
	for file, diags := range e.diagnostics {
		for _, d := range diags {
			if d.Severity == protocol.DiagnosticSeverityWarning {
				found[file] = append(found[file], d)
			}
		}
	}
	return found
}

func TestRealWorldEditScenarios(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	// Two at a time, as the unseen ones (see TestUnseenEditScenarios);
	// the summary is written once they all ended.
	passed := make([]bool, len(paths))
	scenarios := make([]scenario, len(paths))
	t.Cleanup(func() {
		var right, warned []string
		for i, sc := range scenarios {
			switch {
			case !passed[i]:
			case len(sc.warnings) == 0:
				right = append(right, sc.name)
			default:
				warned = append(warned, sc.name)
			}
		}
		t.Logf("%d scenarios: %d fully right, %d right where checked and warned where not, %d failed\nright: %s\nwarned: %s",
			len(paths), len(right), len(warned), len(paths)-len(right)-len(warned), strings.Join(right, " "), strings.Join(warned, " "))
	})
	for i, path := range paths {
		sc := parseScenario(t, path)
		scenarios[i] = sc
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			defer func() { passed[i] = !t.Failed() }()
			sc.choosePython(t)
			want := sc.freshValues(t)
			e := sc.play(t)
			for i, c := range sc.checks {
				value := c.evaluate(t, e)
				switch {
				case c.stale == "" && value != want[i]:
					t.Errorf("SILENTLY WRONG: %s: %s = %s, a fresh run gives %s", c.file, c.expr, value, want[i])
				case c.stale != "" && value != c.stale:
					t.Errorf("%s: %s = %s, want %s (stale, warned)", c.file, c.expr, value, c.stale)
				case c.stale != "" && value == want[i]:
					t.Errorf("%s: %s = %s as in a fresh run: make it a check", c.file, c.expr, value)
				}
			}
			got := e.warnings()
			for _, w := range sc.warnings {
				found := false
				for _, d := range got[w.file] {
					if int(d.Range.Start.Line)+1 == w.line && strings.Contains(message(d), w.text) {
						found = true
					}
				}
				if !found {
					t.Errorf("no Warning on %s:%d containing %q; warnings: %s", w.file, w.line, w.text, describeWarnings(got))
				}
			}
			if len(sc.warnings) == 0 && len(got) > 0 {
				t.Errorf("a scenario that must come out fully right has warnings: %s", describeWarnings(got))
			}
		})
	}
}

// exceptionType returns "NameError" for a traceback ending in "NameError: ...".
func exceptionType(traceback string) string {
	lines := strings.Split(strings.TrimSpace(traceback), "\n")
	kind, _, _ := strings.Cut(lines[len(lines)-1], ":")
	return kind
}

func describeWarnings(byFile map[string][]protocol.Diagnostic) string {
	var parts []string
	for file, diags := range byFile {
		for _, d := range diags {
			parts = append(parts, fmt.Sprintf("%s:%d: %s", file, d.Range.Start.Line+1, message(d)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}
