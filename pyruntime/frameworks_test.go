package pyruntime

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// The tests in this file run real frameworks (the pinned versions of
// .ci/requirements-test.txt, from the test virtual environment) through
// the runtime: a small project per framework under testdata/frameworks/,
// each module's later versions beside it (views.v2.py), saved in turn as
// an editor would. Each step says what the running program must now do, as
// a fresh run of the new code would, and which notes the save must give.

// frameworkStep is one save: variant copied over target, then target's
// module reloaded.
type frameworkStep struct {
	variant, target string
	wantError       string   // the exception type the save must raise (rolled back), "" for none
	notes           []string // one substring per note the save must give, in any order
	warnings        []string // likewise for the warnings the code raised (warnings.warn)
	checks          []frameworkCheck
}

// frameworkCheck evaluates code in module and wants its repr.
type frameworkCheck struct{ module, code, want string }

type frameworkCase struct {
	name     string
	project  string   // under testdata/frameworks/
	packages []string // what the venv's Python must import
	load     []string // modules loaded, in order, before the first save
	checks   []frameworkCheck
	steps    []frameworkStep
}

func runFrameworkCases(t *testing.T, cases []frameworkCase) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			python := pyruntimetest.VenvPython(t, tt.packages...)
			dir := project(t, filepath.Join("frameworks", tt.project))
			r := newRuntime(t, Config{Python: []string{python}, Dir: dir})
			for _, m := range tt.load {
				mustReload(t, r, dir, m, Request{})
			}
			runFrameworkChecks(t, r, dir, "before any save", tt.checks)
			for i, step := range tt.steps {
				when := "after save " + step.variant
				save(t, dir, step.variant, step.target)
				module := strings.ReplaceAll(strings.TrimSuffix(step.target, ".py"), "/", ".")
				reply, out := reloadIn(t, r, dir, module, Request{})
				switch {
				case step.wantError == "" && reply.Error != nil:
					t.Fatalf("step %d (%s): %s: %s\n%s", i+1, step.variant, reply.Error.Type, reply.Error.Text, out)
				case step.wantError != "" && (reply.Error == nil || reply.Error.Type != step.wantError || !reply.RolledBack):
					t.Fatalf("step %d (%s): error %+v, rolled back %v; want %s, rolled back", i+1, step.variant, reply.Error, reply.RolledBack, step.wantError)
				}
				checkNotes(t, when, reply.Notes, step.notes)
				var warned []string
				for _, w := range reply.Warnings {
					warned = append(warned, w.Message)
				}
				checkTexts(t, when, "warning", warned, step.warnings)
				runFrameworkChecks(t, r, dir, when, step.checks)
			}
		})
	}
}

func runFrameworkChecks(t *testing.T, r *Runtime, dir, when string, checks []frameworkCheck) {
	t.Helper()
	for _, c := range checks {
		if got := eval(t, r, dir, c.module, c.code); got != c.want {
			t.Errorf("%s: %s: %s = %s, want %s", when, c.module, c.code, got, c.want)
		}
	}
}

// checkNotes wants one note per substring in want, each containing it.
func checkNotes(t *testing.T, when string, notes []Note, want []string) {
	t.Helper()
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Text)
	}
	checkTexts(t, when, "note", texts, want)
}

// checkTexts wants one text per substring in want, each containing it.
func checkTexts(t *testing.T, when, kind string, texts, want []string) {
	t.Helper()
	unmatched := slices.Clone(texts)
	for _, w := range want {
		i := slices.IndexFunc(unmatched, func(s string) bool { return strings.Contains(s, w) })
		if i < 0 {
			t.Errorf("%s: no %s says %q; %ss: %q", when, kind, w, kind, texts)
			continue
		}
		unmatched = slices.Delete(unmatched, i, i+1)
	}
	if len(unmatched) > 0 {
		t.Errorf("%s: unexpected %ss %q", when, kind, unmatched)
	}
}

func TestFlaskRoutesFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "routes, blueprints and apps made again", project: "flask", packages: []string{"flask"},
		load: []string{"main"},
		checks: []frameworkCheck{
			{"main", "get('app', '/'), get('app', '/new'), get('app', '/old')", "((200, 'index v1'), (404, 'not found v1'), (200, 'moved'))"},
			{"main", "get('wsgi', '/shop/'), get('single', '/')", "((200, 'items v1'), (200, 'hello v1'))"},
		},
		steps: []frameworkStep{
			{
				// Routes on an app that has served: edited, added, moved, and
				// the error handler edited.
				variant: "views.v2.py", target: "views.py",
				checks: []frameworkCheck{
					{"main", "get('app', '/'), get('app', '/new')", "((200, 'index v2'), (200, 'new'))"},
					{"main", "get('app', '/old'), get('app', '/renamed')", "((404, 'not found v2'), (200, 'moved'))"},
					{"main", "sorted(r.rule for r in application.app.url_map.iter_rules())", "['/', '/new', '/renamed', '/static/<path:filename>']"},
				},
			},
			{
				// A save that fails after registering routes: the app is as
				// it was after version 2.
				variant: "views.broken.py", target: "views.py", wantError: "RuntimeError",
				checks: []frameworkCheck{
					{"main", "get('app', '/'), get('app', '/broken'), get('app', '/new')", "((200, 'index v2'), (404, 'not found v2'), (200, 'new'))"},
					{"main", "len(list(application.app.url_map.iter_rules())), application.app.view_functions['index'] is views.index", "(4, True)"},
				},
			},
			{
				// A blueprint an app factory registered: registered again
				// on the live app with the same url_prefix.
				variant: "shop.v2.py", target: "shop.py",
				checks: []frameworkCheck{
					{"main", "get('wsgi', '/shop/'), get('wsgi', '/shop/cart')", "((200, 'items v2'), (200, 'cart'))"},
					{"main", "wsgi.app.blueprints['shop'] is __import__('shop').bp", "True"},
				},
			},
			{
				// The module makes a new app: the client's app serves it.
				variant: "single.v2.py", target: "single.py",
				checks: []frameworkCheck{
					{"main", "get('single', '/'), get('single', '/added')", "((200, 'hello v2'), (200, 'added'))"},
					{"main", "clients['single'].application is single.app", "True"},
				},
			},
		},
	}})
}

func TestFastAPIRoutesFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "routes, routers, handlers and body models", project: "fastapi", packages: []string{"fastapi", "httpx"},
		load: []string{"server"},
		checks: []frameworkCheck{
			{"server", "call('GET', '/'), call('GET', '/closed')", "((200, {'v': 1}, None), (503, {'error': 'closed v1'}, None))"},
			{"server", "call('GET', '/items/a'), call('DELETE', '/items/a')[0]", "((200, {'name': 'a', 'v': 1}, None), 405)"},
		},
		steps: []frameworkStep{
			{
				// The app's module makes a new app: uvicorn's (the client's)
				// serves its routes, exception handler and middleware.
				variant: "main.v2.py", target: "main.py",
				notes: []string{"main: removed shut"},
				checks: []frameworkCheck{
					{"server", "call('GET', '/'), call('GET', '/health')", "((200, {'v': 2}, '2'), (200, 'ok', '2'))"},
					{"server", "call('GET', '/closed')[:2]", "(404, {'detail': 'Not Found'})"},
					{"server", "client.app is main.app, sorted(client.get('/openapi.json').json()['paths'])", "(True, ['/', '/echo', '/health', '/items/{name}'])"},
				},
			},
			{
				// The router's module makes a new router: the app that
				// included it serves the new routes without main re-running.
				variant: "items.v2.py", target: "items.py",
				checks: []frameworkCheck{
					{"server", "call('GET', '/items/a'), call('DELETE', '/items/a')", "((200, {'name': 'a', 'v': 2}, '2'), (200, {'removed': 'a'}, '2'))"},
				},
			},
			{
				// Startup code ran when the server started: an edit to it
				// waits for a restart, and says so.
				variant: "main.v3.py", target: "main.py",
				notes:  []string{"main.load_cache: startup and lifespan code runs when the server starts; this change takes effect after a restart"},
				checks: []frameworkCheck{{"server", "call('GET', '/health')[:2]", "(200, 'ok')"}},
			},
			{
				// The body model gains a field: the route validates with it.
				variant: "models.v2.py", target: "models.py",
				notes: []string{"models.Item: new field 'qty'"},
				checks: []frameworkCheck{
					{"server", "call('POST', '/echo', json={'name': 'x', 'qty': 3})[:2]", "(200, {'name': 'x', 'qty': 3})"},
				},
			},
			{
				// A save that fails after making its app: the server's app is
				// as it was.
				variant: "main.broken.py", target: "main.py", wantError: "RuntimeError",
				checks: []frameworkCheck{
					{"server", "call('GET', '/broken')[0], call('GET', '/health')[:2], call('GET', '/')[:2]", "(404, (200, 'ok'), (200, {'v': 2}))"},
					{"server", "client.app is main.app, '/broken' in [getattr(r, 'path', None) for r in main.app.routes]", "(True, False)"},
				},
			},
		},
	}})
}

func TestSQLAlchemyMappedClassesFollowSaves(t *testing.T) {
	// The registry's name lookup, its mappers and the MetaData's tables
	// hold the classes the module holds, once.
	registry := "[r() is User for r in db.Base.registry._class_registry['User'].contents], " +
		"len(db.Base.registry.mappers), sorted(db.Base.metadata.tables), db.Base.metadata.tables['users'] is User.__table__"
	runFrameworkCases(t, []frameworkCase{
		{
			name: "declarative base in another module", project: "sqlalchemy", packages: []string{"sqlalchemy"},
			load:   []string{"app"},
			checks: []frameworkCheck{{"app", "live.greet(), add_and_greet('bob')", "('hello ann', ['hello ann', 'hello bob'])"}},
			steps: []frameworkStep{
				{
					// Every save was rejected: "Table 'users' is already defined".
					variant: "models.v2.py", target: "models.py",
					checks: []frameworkCheck{
						{"app", "live.greet(), add_and_greet('cy')", "('hi ann', ['hi ann', 'hi bob', 'hi cy'])"},
						{"app", "import db; " + registry, "([True], 2, ['addresses', 'users'], True)"},
						{"app", "session.scalars(select(User)).first() is live, live.addresses[0].user is live", "(True, True)"},
					},
				},
				{
					variant: "models.v3.py", target: "models.py",
					notes: []string{"models.User: its mapping changed (column 'age' added) and still maps the old way; " +
						"the database's table does not change with the code: migrate it, then restart the runtime"},
					checks: []frameworkCheck{
						{"app", "live.greet(), add_and_greet('dee')[-1], hasattr(User, 'age')", "('hi ann', 'hi dee', False)"},
					},
				},
				{
					// The rollback left Base.registry pointing at the rejected class.
					variant: "models.broken.py", target: "models.py", wantError: "RuntimeError",
					checks: []frameworkCheck{
						{"app", "live.greet(), add_and_greet('eve')[-1]", "('hi ann', 'hi eve')"},
						{"app", registry, "([True], 2, ['addresses', 'users'], True)"},
					},
				},
			},
		},
		{
			// extend_existing=True made the save pass and broke the class
			// (RecursionError).
			name: "base in the same module, extend_existing", project: "sqlalchemy", packages: []string{"sqlalchemy"},
			load:   []string{"one"},
			checks: []frameworkCheck{{"one", "note.shout()", "'FIRST'"}},
			steps: []frameworkStep{{
				variant: "one.v2.py", target: "one.py",
				checks: []frameworkCheck{
					{"one", "note.shout(), Note(text='x').shout(), session.scalars(select(Note)).one() is note", "('FIRST!', 'X!', True)"},
					{"one", "len(Base.registry.mappers), Base.metadata.tables['notes'] is Note.__table__", "(1, True)"},
				},
			}},
		},
		{
			name: "declarative_base() and Column", project: "sqlalchemy", packages: []string{"sqlalchemy"},
			load:   []string{"legacy"},
			checks: []frameworkCheck{{"legacy", "tag.show()", "'#a'"}},
			steps: []frameworkStep{{
				variant: "legacy.v2.py", target: "legacy.py",
				checks: []frameworkCheck{
					{"legacy", "tag.show(), Tag(label='b').show(), len(Base.registry.mappers)", "('tag:a', 'tag:b', 1)"},
					{"legacy", "session.add(Tag(label='c')); session.commit(); [t.show() for t in session.scalars(select(Tag))]", "['tag:a', 'tag:c']"},
				},
			}},
		},
	})
}

func TestPydanticModelsFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "validators, nested models and fields", project: "pydantic", packages: []string{"pydantic"},
		load: []string{"holder"},
		checks: []frameworkCheck{
			{"holder", "users.User(name=' cy '), user.greet()", "(User(name='cy', address=None), 'hello ann')"},
			{"holder", "orders.Order(ship_to={'city': 'paris'}), legacy.Account(owner=' dee ')", "(Order(ship_to=Address(city='Paris')), Account(owner='dee'))"},
		},
		steps: []frameworkStep{
			{
				variant: "users.v2.py", target: "users.py",
				checks: []frameworkCheck{
					{"holder", "users.User(name=' cy '), user.greet()", "(User(name='CY', address=None), 'hi ann')"},
					// orders did not run again: its compiled Address was rebuilt.
					{"holder", "orders.Order(ship_to={'city': 'paris'})", "Order(ship_to=Address(city='PARIS'))"},
				},
			},
			{
				variant: "users.v3.py", target: "users.py",
				notes: []string{"users.User: new field 'email': instances made before this save do not have it"},
				checks: []frameworkCheck{
					{"holder", "users.User(name='x', email='x@example.com').email, type(user) is users.User", "('x@example.com', True)"},
				},
			},
			{
				// pydantic.v1 refused every save: "duplicate validator function".
				variant: "legacy.v2.py", target: "legacy.py",
				checks: []frameworkCheck{{"holder", "legacy.Account(owner=' dee ')", "Account(owner='Dee')"}},
			},
			{
				// A failing save forgot the module's validator names, then put them back.
				variant: "legacy.broken.py", target: "legacy.py", wantError: "RuntimeError",
				checks: []frameworkCheck{{"holder", "legacy.Account(owner=' dee ')", "Account(owner='Dee')"}},
			},
			{
				variant: "legacy.v3.py", target: "legacy.py",
				notes: []string{"legacy.Account: new field 'active': instances made before this save do not have it"},
				checks: []frameworkCheck{
					{"holder", "legacy.Account(owner='eve'), account.dict()", "(Account(owner='Eve', active=True), {'owner': 'bob'})"},
				},
			},
		},
	}})
}

func TestAttrsAndDataclassFieldsFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "fields added to live classes", project: "records", packages: []string{"attrs"},
		load: []string{"holder"},
		checks: []frameworkCheck{
			{"holder", "point, point.norm(), size, size.area(), cube(2)", "(Point(x=-2), 2, Size(w=3), 9, 8)"},
		},
		steps: []frameworkStep{{
			variant: "records.v2.py", target: "records.py",
			notes: []string{
				// A Factory default cannot be shared: the live instance lacks it.
				"records.Point: new field 'tags' without a plain default",
				// attrs.define makes slotted classes: no room for a field.
				"records.Slotted: gained the field 'y', but it has __slots__ (attrs.define's default), so it cannot change in place",
			},
			checks: []frameworkCheck{
				// attrs made repr and == of the live instance raise.
				{"holder", "point.y, point.norm(), type(point) is records.Point", "(0, 2, True)"},
				{"holder", "records.Point(1, 2)", "Point(x=1, y=2, tags=[])"},
				{"holder", "size, size == records.Size(3), size.area(), type(size) is records.Size", "(Size(w=3, h=1), True, 3, True)"},
				{"holder", "slotted, type(slotted) is records.Slotted, records.Slotted(1, 2)", "(Slotted(x=-2), False, Slotted(x=1, y=2))"},
				{"holder", "cube(2), cube is records.cube", "(16, True)"},
				// A member inserted: the class keeps its members, in the new order.
				{"holder", "list(records.Priority), records.Priority(2), urgent is records.Priority.HIGH", "([<Priority.LOW: 1>, <Priority.MEDIUM: 2>, <Priority.HIGH: 3>], <Priority.MEDIUM: 2>, True)"},
			},
		}},
	}})
}

func TestClickCommandsFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "a group taken before the saves", project: "cli", packages: []string{"click"},
		load:   []string{"entry"},
		checks: []frameworkCheck{{"entry", "run('hello'), run('old'), run('stats')", "((0, 'hello v1 x1'), (0, 'old'), (0, 'stats v1'))"}},
		steps: []frameworkStep{
			{
				// The entry point ran the old body and never saw a new command.
				variant: "tool.v2.py", target: "tool.py",
				notes: []string{"tool: removed old"},
				checks: []frameworkCheck{
					{"entry", "run('hello'), run('bye'), run('old')[0]", "((0, 'hello v2 x2'), (0, 'bye'), 2)"},
					{"entry", "main is tool.cli, main.commands['hello'] is tool.hello, run('stats')", "(True, True, (0, 'stats v1'))"},
				},
			},
			{
				variant: "extra.v2.py", target: "extra.py",
				notes:  []string{"extra: removed stats"},
				checks: []frameworkCheck{{"entry", "run('report'), run('stats')[0], sorted(main.commands)", "((0, 'report v2'), 2, ['bye', 'hello', 'report'])"}},
			},
		},
	}})
}

func TestLoggingConfiguredOnceAcrossSaves(t *testing.T) {
	formats := "[h.formatter._fmt for h in log.handlers], [h.formatter._fmt for h in logging.getLogger().handlers]"
	runFrameworkCases(t, []frameworkCase{{
		name: "addHandler and basicConfig at import", project: "logs",
		load:   []string{"setup"},
		checks: []frameworkCheck{{"setup", formats, "(['svc v1 %(message)s'], ['v1 %(message)s'])"}},
		steps: []frameworkStep{
			// A handler more per save; basicConfig did nothing after the first run.
			{variant: "setup.py", target: "setup.py", checks: []frameworkCheck{{"setup", formats, "(['svc v1 %(message)s'], ['v1 %(message)s'])"}}},
			{variant: "setup.v2.py", target: "setup.py", checks: []frameworkCheck{{"setup", formats, "(['svc v2 %(message)s'], ['v2 %(message)s'])"}}},
			{
				variant: "setup.v3.py", target: "setup.py", notes: []string{"setup: removed handler"},
				checks: []frameworkCheck{{"setup", formats, "([], ['v3 %(message)s'])"}},
			},
		},
	}})
}

func TestPandasAccessorsFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "register_dataframe_accessor", project: "accessors", packages: []string{"pandas"},
		load:   []string{"analysis"},
		checks: []frameworkCheck{{"analysis", "frame.geo.center()", "4.0"}},
		steps: []frameworkStep{{
			// Each save warned that the accessor overrides an attribute, and
			// DataFrame.geo made a class other than geo.Geo.
			variant: "geo.v2.py", target: "geo.py",
			checks: []frameworkCheck{
				{"analysis", "frame.geo.center(), pd.DataFrame({'x': [1.0, 5.0, 6.0]}).geo.center()", "(2.0, 5.0)"},
				{"analysis", "pd.DataFrame.geo is geo.Geo, type(frame.geo) is geo.Geo", "(True, True)"},
			},
		}},
	}})
}

func TestDjangoViewsURLsAndModelsFollowSaves(t *testing.T) {
	runFrameworkCases(t, []frameworkCase{{
		name: "views, URL conf, models and admin", project: "django", packages: []string{"django"},
		load:   []string{"site"},
		checks: []frameworkCheck{{"site", "get('/'), article.headline()", "((200, 'articles: 1'), 'FIRST')"}},
		steps: []frameworkStep{
			{
				variant: "blog/views.v2.py", target: "blog/views.py",
				checks: []frameworkCheck{{"site", "get('/')", "(200, '1 articles')"}},
			},
			{
				// The resolver kept the old patterns: the new path was a 404.
				variant: "urls.v2.py", target: "urls.py",
				checks: []frameworkCheck{{"site", "get('/latest/')", "(200, 'FIRST')"}},
			},
			{
				// Django warned "Model 'blog.article' was already registered"
				// and registered a second class.
				variant: "blog/models.v2.py", target: "blog/models.py",
				checks: []frameworkCheck{
					{"site", "article.headline(), get('/latest/'), Article.objects.create(title='two').headline()", "('FIRST!', (200, 'FIRST!'), 'TWO!')"},
					{"site", "apps.get_model('blog', 'Article') is Article, type(article) is Article", "(True, True)"},
				},
			},
			{
				variant: "blog/models.v3.py", target: "blog/models.py",
				notes: []string{"blog.models.Article: its fields changed (field 'slug' added) and the model keeps the old ones: " +
					"migrate the database (makemigrations, migrate) and restart the runtime"},
				checks: []frameworkCheck{{"site", "get('/'), [f.name for f in Article._meta.fields]", "((200, '2 articles'), ['id', 'title'])"}},
			},
			{
				// admin.register raised AlreadyRegistered.
				variant: "blog/admin.v2.py", target: "blog/admin.py",
				checks: []frameworkCheck{{"site", "admin.site._registry[Article].list_display", "['id', 'title']"}},
			},
			{
				// django.conf.settings kept the values it copied at start.
				variant: "settings.v2.py", target: "settings.py",
				notes: []string{"settings.INSTALLED_APPS: Django read this setting when it started: the new value takes effect after a restart"},
				checks: []frameworkCheck{{"site", "from django.conf import settings; from django.utils import timezone; " +
					"settings.SITE_NAME, str(timezone.get_current_timezone())", "('Journal', 'Europe/Paris')"}},
			},
		},
	}})
}
