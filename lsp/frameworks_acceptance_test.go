package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The acceptance set of issue 11: short real-world edits to programs built
// on the libraries people use every day, tried as a new user would, through
// the editor protocol: save the program's files, save an edit, evaluate
// what the program now does. Each scenario says what a fresh run of the new
// code would give; the outcome is
//
//   - right:  the running program gives exactly that;
//   - warned: it does not, and the editor showed a Warning (a note or a
//     warnings.warn) saying so;
//   - silent: it does not and nothing said so. hotload must never be.
//
// A session is a workspace under testdata/acceptance/NAME.txtar running in
// one runtime, as a user's does; its scenarios run in order, each editing
// its own part of the program. A file named "mod.py@ID" in the archive is
// the content scenario ID saves as mod.py.

type outcome string

const (
	right  outcome = "right"
	warned outcome = "warned"
	silent outcome = "silent"
)

// freshCheck evaluates code in file's module after the scenario's saves;
// fresh is its repr in a fresh run of the new code.
type freshCheck struct{ file, code, fresh string }

type editScenario struct {
	id, title string
	saves     []string // files saved, in order, each with the content of "file@id" ("file@other": that one)
	checks    []freshCheck
	want      outcome
}

type acceptanceSession struct {
	name      string   // testdata/acceptance/name.txtar
	packages  []string // what the venv's Python must import
	load      []string // files saved first, as a user starts the program
	scenarios []editScenario
}

// runAcceptance runs the sessions and reports each scenario's outcome in a
// table (go test -v shows it). A scenario whose outcome is not the one it
// wants fails, and so does one that is silently wrong.
func runAcceptance(t *testing.T, sessions []acceptanceSession) map[outcome]int {
	counts := map[outcome]int{}
	var table []string
	for _, s := range sessions {
		t.Run(s.name, func(t *testing.T) {
			python := pyruntimetest.VenvPython(t, s.packages...)
			archive, err := os.ReadFile(filepath.Join("testdata", "acceptance", s.name+".txtar"))
			if err != nil {
				t.Fatal(err)
			}
			workspace, edits := splitEdits(txtar.Parse(archive))
			e := newEditor(t, string(txtar.Format(workspace)))
			e.initialize(map[string]any{"python": python})
			e.waitReady()
			for _, file := range s.load {
				e.saveAndWait(file, e.read(file))
			}
			for _, sc := range s.scenarios {
				got, warning := e.runScenario(sc, edits)
				counts[got]++
				if len(warning) > 120 {
					warning = warning[:117] + "..."
				}
				table = append(table, fmt.Sprintf("| %s | %s | %s | %s |", sc.id, sc.title, got, warning))
				if got != sc.want {
					t.Errorf("%s (%s): %s, want %s", sc.id, sc.title, got, sc.want)
				}
			}
		})
	}
	t.Logf("scenario outcomes:\n| id | edit | outcome | the editor said |\n|---|---|---|---|\n%s\nright %d, warned %d, silent %d",
		strings.Join(table, "\n"), counts[right], counts[warned], counts[silent])
	return counts
}

// splitEdits separates the workspace's files from the scenarios' edits.
func splitEdits(a *txtar.Archive) (*txtar.Archive, map[string]string) {
	workspace := &txtar.Archive{}
	edits := map[string]string{}
	for _, f := range a.Files {
		if strings.Contains(f.Name, "@") {
			edits[f.Name] = string(f.Data)
		} else {
			workspace.Files = append(workspace.Files, f)
		}
	}
	return workspace, edits
}

func (e *fakeEditor) read(rel string) string {
	e.t.Helper()
	data, err := os.ReadFile(e.path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

// saveAndWait saves content as rel and waits for the reload's message;
// it returns the messages shown from the save on.
func (e *fakeEditor) saveAndWait(rel, content string) []protocol.ShowMessageParams {
	e.t.Helper()
	module := e.moduleName(rel)
	n := e.messageCount()
	e.save(rel, content)
	e.await(module+"'s reload", func() bool {
		for _, m := range e.shown[min(n, len(e.shown)):] {
			if saveMessage(m, module) {
				return true
			}
		}
		return false
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]protocol.ShowMessageParams(nil), e.shown[n:]...)
}

// saveMessage reports whether m is the message that ends a save of module:
// it reloaded, or an Error says why not. The Warning that lists a save's
// notes comes after that message, so the previous save's may come after the
// next save was sent. A reload names the module it ran, which is app.utils
// for the module utils when user code loaded the file through a namespace
// package.
func saveMessage(m protocol.ShowMessageParams, module string) bool {
	if ran, _, ok := strings.Cut(m.Message, " reloaded"); ok && !strings.Contains(ran, " ") && (ran == module || strings.HasSuffix(ran, "."+module)) {
		return true
	}
	return m.Type == protocol.MessageTypeError && strings.HasPrefix(m.Message, module+": ")
}

// runScenario saves the scenario's edits, evaluates its checks and says
// how the running program compares with a fresh run, and the first
// Warning (or Error) the editor showed, if any.
func (e *fakeEditor) runScenario(sc editScenario, edits map[string]string) (outcome, string) {
	e.t.Helper()
	n := e.messageCount()
	var saved []string
	for _, key := range sc.saves {
		if !strings.Contains(key, "@") {
			key += "@" + sc.id
		}
		content, ok := edits[key]
		if !ok {
			e.t.Fatalf("%s: no %s in the archive", sc.id, key)
		}
		file := key[:strings.IndexByte(key, '@')]
		e.saveAndWait(file, content)
		saved = append(saved, file)
	}
	same := true
	for _, c := range sc.checks {
		var got evaluation
		if err := e.command("hotload.evaluate", &got, string(e.uri(c.file)), c.code); err != nil {
			e.t.Fatalf("%s: evaluate %q: %v", sc.id, c.code, err)
		}
		value := "None"
		switch {
		case got.Error != nil:
			value = "raises " + lastLine(strings.TrimRight(*got.Error, "\n"))
		case got.Value != nil:
			value = *got.Value
		}
		if value != c.fresh {
			e.t.Logf("%s: %s: %s = %s; a fresh run gives %s", sc.id, c.file, c.code, value, c.fresh)
			same = false
		}
	}
	// The evaluations were answered after the reloads' messages were sent:
	// every Warning the saves caused is in by now.
	e.mu.Lock()
	defer e.mu.Unlock()
	warning := ""
	for _, m := range e.shown[n:] {
		if (m.Type == protocol.MessageTypeWarning || m.Type == protocol.MessageTypeError) && warning == "" {
			warning = m.Message
		}
	}
	for _, file := range saved {
		for _, d := range e.diagnostics[file] {
			if d.Severity == protocol.DiagnosticSeverityWarning && warning == "" {
				warning = message(d)
			}
		}
	}
	switch {
	case same:
		return right, warning
	case warning != "":
		return warned, warning
	default:
		return silent, ""
	}
}

var flaskSession = acceptanceSession{
	name: "flask", packages: []string{"flask"},
	load: []string{"server.py"},
	scenarios: []editScenario{
		{id: "F1", title: "Flask: edit a view of a running app", saves: []string{"hello.py"},
			checks: []freshCheck{{"server.py", "get('hello', '/')", "(200, 'Hello, world')"}}, want: right},
		{id: "F2", title: "Flask: add a route to a running app", saves: []string{"hello.py"},
			checks: []freshCheck{{"server.py", "get('hello', '/about')", "(200, 'About us')"}}, want: right},
		{id: "F3", title: "Flask: edit and add routes in a module that imports the app", saves: []string{"views.py"},
			checks: []freshCheck{{"server.py", "get('site', '/'), get('site', '/faq')", "((200, 'Welcome, anonymous'), (200, 'Questions'))"}}, want: right},
		{id: "F4", title: "Flask: edit a before_request hook", saves: []string{"views.py"},
			checks: []freshCheck{{"server.py", "n = len(views.calls); r = get('site', '/'); r, len(views.calls) - n", "((200, 'Welcome, guest'), 1)"}}, want: right},
		{id: "F5", title: "Flask: add a route to a blueprint", saves: []string{"catalog.py"},
			checks: []freshCheck{{"server.py", "get('site', '/catalog/7'), get('site', '/catalog/')", "((200, 'product 7'), (200, '3 products'))"}}, want: right},
		{id: "F6", title: "Flask: add a route to a blueprint an app factory registers", saves: []string{"orders.py"},
			checks: []freshCheck{{"server.py", "get('wsgi', '/orders/new', 'POST'), get('wsgi', '/orders/')", "((201, 'created'), (200, 'no orders yet'))"}}, want: right},
		{id: "F7", title: "Flask: change a route's path", saves: []string{"views.py"},
			checks: []freshCheck{{"server.py", "get('site', '/contact-us'), get('site', '/contact')[0]", "((200, 'Write to us'), 404)"}}, want: right},
	},
}

var fastAPISession = acceptanceSession{
	name: "fastapi", packages: []string{"fastapi", "httpx"},
	load: []string{"server.py"},
	scenarios: []editScenario{
		{id: "A1", title: "FastAPI: edit an endpoint", saves: []string{"api.py"},
			checks: []freshCheck{{"server.py", "call('GET', '/')", "(200, {'status': 'ok', 'version': 2})"}}, want: right},
		{id: "A2", title: "FastAPI: add an endpoint", saves: []string{"api.py"},
			checks: []freshCheck{{"server.py", "call('GET', '/health')", "(200, {'healthy': True})"}}, want: right},
		{id: "A3", title: "FastAPI: add a field to a request model", saves: []string{"schemas.py"},
			checks: []freshCheck{{"server.py", "call('POST', '/items', json={'name': 'pen', 'price': 2, 'tags': ['office']})",
				"(200, {'item': {'name': 'pen', 'price': 2.0, 'tags': ['office']}, 'currency': 'EUR'})"}}, want: right},
		{id: "A4", title: "FastAPI: add a route to an included router", saves: []string{"users.py"},
			checks: []freshCheck{{"server.py", "call('GET', '/users/3/orders')", "(200, {'id': 3, 'orders': []})"}}, want: right},
		{id: "A5", title: "FastAPI: edit a dependency", saves: []string{"settings.py"},
			checks: []freshCheck{{"server.py", "call('POST', '/items', json={'name': 'pen', 'price': 2})[1]['currency']", "'USD'"}}, want: right},
	},
}

var pydanticSession = acceptanceSession{
	name: "pydantic", packages: []string{"pydantic"},
	load: []string{"store.py"},
	scenarios: []editScenario{
		{id: "P1", title: "pydantic: edit a field validator", saves: []string{"models.py"},
			checks: []freshCheck{{"store.py", "User(name=' grace hopper ').name", "'Grace Hopper'"}}, want: right},
		{id: "P2", title: "pydantic: edit a method; a live instance runs it", saves: []string{"models.py"},
			checks: []freshCheck{{"store.py", "user.label()", "'ada, 36 years'"}}, want: right},
		// A fresh run would make user with the new field; the live one
		// cannot get it without a heap scan: a note says so.
		{id: "P3", title: "pydantic: add a field (a live instance exists)", saves: []string{"models.py"},
			checks: []freshCheck{
				{"store.py", "User(name='x', email='x@y').email", "'x@y'"},
				{"store.py", "'email' in user.model_dump()", "True"},
			}, want: warned},
		{id: "P4", title: "pydantic.v1: edit a validator", saves: []string{"legacy.py"},
			checks: []freshCheck{{"store.py", "Account(owner=' Carol ').owner", "'carol'"}}, want: right},
		{id: "P5", title: "pydantic.v1: add a field (a live instance exists)", saves: []string{"legacy.py"},
			checks: []freshCheck{
				{"store.py", "Account(owner='d').active", "True"},
				{"store.py", "'active' in account.dict()", "True"},
			}, want: warned},
	},
}

var sqlalchemySession = acceptanceSession{
	name: "sqlalchemy", packages: []string{"sqlalchemy"},
	load: []string{"app.py"},
	scenarios: []editScenario{
		{id: "S1", title: "SQLAlchemy: edit a model's method", saves: []string{"models.py"},
			checks: []freshCheck{
				{"app.py", "ada.display(), names()", "('LOVELACE, Ada', ['LOVELACE, Ada'])"},
				{"app.py", "session.add(Customer(first='Alan', last='Turing')); session.commit(); names()[-1]", "'TURING, Alan'"},
			}, want: right},
		{id: "S2", title: "SQLAlchemy: add a property to a model", saves: []string{"models.py"},
			checks: []freshCheck{{"app.py", "ada.initials", "'AL'"}}, want: right},
		// The table in the database has no email column: a fresh run that
		// does not migrate fails too. The class keeps its mapping and says so.
		{id: "S3", title: "SQLAlchemy: add a column", saves: []string{"models.py"},
			checks: []freshCheck{{"app.py", "hasattr(Customer, 'email')", "True"}}, want: warned},
		// A half-written save (a typo) fails and is rolled back; then the
		// fix goes through: the class and its registry are as they should be.
		{id: "S4", title: "SQLAlchemy: a save that fails, then its fix", saves: []string{"models.py@S4", "models.py@S2"},
			checks: []freshCheck{
				{"app.py", "session.add(Customer(first='Grace', last='Hopper')); session.commit(); names()[-1], ada.initials", "('HOPPER, Grace', 'AL')"},
				{"app.py", "import db; len(db.Base.registry.mappers), db.Base.metadata.tables['customers'] is Customer.__table__", "(1, True)"},
			}, want: right},
	},
}

var recordsSession = acceptanceSession{
	name: "records", packages: []string{"attrs"},
	load: []string{"state.py"},
	scenarios: []editScenario{
		{id: "D1", title: "dataclass: add a field with a default", saves: []string{"shapes.py"},
			checks: []freshCheck{{"state.py", "shapes.Box(1, 2, 3), box, box == shapes.Box(2, 3)", "(Box(w=1, h=2, depth=3), Box(w=2, h=3, depth=1.0), True)"}}, want: right},
		{id: "D2", title: "dataclass: add a method; a live instance has it", saves: []string{"shapes.py"},
			checks: []freshCheck{{"state.py", "box.volume()", "6.0"}}, want: right},
		// attrs.define makes slotted classes: a live instance has no room
		// for a new field, so it keeps the old class, and a note says so.
		{id: "D3", title: "attrs.define: add a field (a live instance exists)", saves: []string{"points.py"},
			checks: []freshCheck{
				{"state.py", "points.Vec(1, 2, 3)", "Vec(x=1, y=2, z=3)"},
				{"state.py", "vec, isinstance(vec, points.Vec)", "(Vec(x=1, y=2, z=0.0), True)"},
			}, want: warned},
		{id: "D4", title: "attr.s: add a field with a default", saves: []string{"points.py"},
			checks: []freshCheck{{"state.py", "pixel, pixel == points.Pixel(4, 5)", "(Pixel(x=4, y=5, color='black'), True)"}}, want: right},
		{id: "E1", title: "enum: add a member", saves: []string{"status.py"},
			checks: []freshCheck{{"state.py", "status.Status('archived'), first is status.Status.OPEN, len(status.Status)", "(<Status.ARCHIVED: 'archived'>, True, 3)"}}, want: right},
		{id: "E2", title: "enum: edit a method", saves: []string{"status.py"},
			checks: []freshCheck{{"state.py", "first.label(), status.Status.ARCHIVED.label()", "('Open', 'Archived')"}}, want: right},
		{id: "FT1", title: "functools.lru_cache: edit a cached function", saves: []string{"pricing.py"},
			checks: []freshCheck{{"state.py", "pricing.rate('IT')", "0.22"}}, want: right},
		{id: "FT2", title: "functools.partial: change its arguments", saves: []string{"pricing.py"},
			checks: []freshCheck{{"state.py", "book_price(10), pricing.french_price(10)", "(10.55, 10.55)"}}, want: right},
	},
}

var toolsSession = acceptanceSession{
	name: "tools", packages: []string{"click"},
	load: []string{"entry.py", "service.py", "report.py"},
	scenarios: []editScenario{
		{id: "C1", title: "click: edit a command, add an option", saves: []string{"cli.py"},
			checks: []freshCheck{{"entry.py", "run('greet', 'ada', '--shout')", "(0, 'HI ADA')"}}, want: right},
		{id: "C2", title: "click: add a command", saves: []string{"cli.py"},
			checks: []freshCheck{{"entry.py", "run('version')", "(0, '2.0')"}}, want: right},
		{id: "L1", title: "logging: a module that adds a handler, saved three times", saves: []string{"service.py", "service.py", "service.py"},
			checks: []freshCheck{{"service.py", "n = len(sink.getvalue()); work(); sink.getvalue()[n:], len(log.handlers)", "('[INFO] working\\n', 1)"}}, want: right},
		{id: "L2", title: "logging: change basicConfig's format", saves: []string{"report.py"},
			checks: []freshCheck{{"report.py", "n = len(out.getvalue()); run(); out.getvalue()[n:]", "'report: done\\n'"}}, want: right},
	},
}

var pandasSession = acceptanceSession{
	name: "pandas", packages: []string{"pandas"},
	load: []string{"analysis.py"},
	scenarios: []editScenario{
		{id: "PD1", title: "pandas: edit a DataFrame accessor", saves: []string{"geo.py"},
			checks: []freshCheck{{"analysis.py", "cities.geo.center(), pd.DataFrame.geo is geo.GeoAccessor", "((47.8, 9.4), True)"}}, want: right},
		{id: "PD2", title: "pandas: add a method to an accessor already used", saves: []string{"geo.py"},
			checks: []freshCheck{{"analysis.py", "cities.geo.bounds()", "(41.9, 52.52)"}}, want: right},
	},
}

var djangoSession = acceptanceSession{
	name: "django", packages: []string{"django"},
	load: []string{"site.py"},
	scenarios: []editScenario{
		{id: "DJ1", title: "Django: edit a view, add one", saves: []string{"blog/views.py"},
			checks: []freshCheck{{"site.py", "get('/')", "(200, 'HELLO')"}}, want: right},
		{id: "DJ2", title: "Django: add a URL pattern", saves: []string{"urls.py"},
			checks: []freshCheck{{"site.py", "get('/posts/%d/' % post.pk)", "(200, 'Hello')"}}, want: right},
		{id: "DJ3", title: "Django: edit a model's method", saves: []string{"blog/models.py"},
			checks: []freshCheck{{"site.py", "post.summary(), get('/posts/%d/' % post.pk)", "('Hello: First post', (200, 'Hello: First post'))"}}, want: right},
		// The table has no such column until a migration: the model keeps
		// its fields and says what to do.
		{id: "DJ4", title: "Django: add a model field", saves: []string{"blog/models.py"},
			checks: []freshCheck{{"site.py", "[f.name for f in Post._meta.fields]", "['id', 'title', 'body', 'published']"}}, want: warned},
	},
}

// TestFrameworkAcceptance runs the whole set: no scenario may be silently
// wrong, and at least 32 of them must come out right (issue 11). Run one
// session with -run 'TestFrameworkAcceptance/flask'; -v prints the table.
func TestFrameworkAcceptance(t *testing.T) {
	t.Parallel()
	sessions := []acceptanceSession{
		flaskSession, fastAPISession, pydanticSession, sqlalchemySession,
		recordsSession, toolsSession, pandasSession, djangoSession,
	}
	counts := runAcceptance(t, sessions)
	total := 0
	for _, s := range sessions {
		total += len(s.scenarios)
	}
	ran := counts[right] + counts[warned] + counts[silent]
	if ran == total && (counts[silent] > 0 || counts[right] < 32) {
		t.Errorf("%d of %d scenarios right, %d silently wrong; want at least 32 right and none silently wrong", counts[right], total, counts[silent])
	}
}
