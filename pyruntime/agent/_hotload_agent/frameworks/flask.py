"""Flask: routes, blueprints and request hooks follow a save as a fresh run
would register them, on the app object the server already holds.

- Before modules re-run, what they registered on the live apps (view
  functions and their URL rules, blueprints made in them, request hooks and
  error handlers) is taken off, and apps and blueprints accept setup again
  even after serving or being registered, so the re-run registers the new
  code: a new route is served, a removed one is gone, an edited path moves.
- A module that makes its app again (`app = Flask(__name__)`) gets the old
  app object back with the new app's state, so a server, a test client or
  an importer holding the old app serves the new routes. What user modules
  that do not re-run registered on the old app is carried over.
- A blueprint whose routes changed but that nobody registered again (an app
  factory that did not re-run registered it) is registered again on the
  live apps that have it, with the url_prefix its old rules show; where no
  live app has it, a note says its new routes wait for a restart.
- A route that was taken off and not registered again although its function
  is still there (added by code that did not re-run) is put back, with a
  note in case its decorator was what the save removed.

Live apps are those bound at module level in the user's modules or in
__main__, or served by a test client bound there (live.py). An app a
factory made that the factory's module does not hold keeps what the
factory registered on it; a changed factory is noted. Every change is undoable: containers are replaced by
filtered copies, never edited in place, and the originals come back on
rollback.
"""

import copy
import sys

from . import Adapter
from .live import as_folders, binding_line, factories, lies_in, live_instances, made_in, note_factories, owner, served, touches

# An app's or blueprint's registries of functions (flask.sansio.scaffold.Scaffold
# and App): {scope: [f]}, {scope: {code: {exception: f}}} or [f]. The scope is
# None for the app itself and a blueprint's name for a blueprint's hooks.
REGISTRIES = (
    "error_handler_spec", "before_request_funcs", "after_request_funcs", "teardown_request_funcs",
    "template_context_processors", "url_value_preprocessors", "url_default_functions",
    "teardown_appcontext_funcs", "shell_context_processors", "url_build_error_handlers",
)

# Where an old app keeps the new one whose state it took: the new app's JSON
# provider refers to its app by a weak proxy.
TWIN = "_hotload_replaced_app"


def without(value, drop, scopes=()):
    """A copy of a registry, nested dicts and lists, without the functions
    drop(f) is true of and without the scope keys in scopes (and theirs)."""
    if isinstance(value, dict):
        kept = copy.copy(value)  # a defaultdict keeps its factory
        for key, item in value.items():
            if in_scopes(key, scopes):
                del kept[key]
            elif isinstance(item, (dict, list)):
                kept[key] = without(item, drop)
            elif callable(item) and drop(item):
                del kept[key]
        return kept
    if isinstance(value, list):
        return [without(item, drop) if isinstance(item, (dict, list)) else item
                for item in value if isinstance(item, (dict, list)) or not (callable(item) and drop(item))]
    return value


def in_scopes(key, scopes):
    """Reports whether an endpoint or registry scope belongs to one of the
    blueprints named in scopes, nested ones included."""
    return isinstance(key, str) and any(key == s or key.startswith(s + ".") for s in scopes)


def rebuilt_map(url_map, rules):
    """A werkzeug Map configured as url_map, holding copies of rules."""
    fresh = copy.copy(url_map)
    fresh._matcher = type(url_map._matcher)(url_map.merge_slashes)
    fresh._rules_by_endpoint = {}
    fresh._remap = True
    fresh._remap_lock = url_map.lock_class()
    fresh.converters = dict(url_map.converters)
    for rule in rules:
        fresh.add(rule.empty())
    return fresh


def deferred_values(deferred):
    """The closure values of a blueprint's deferred setup function, by name."""
    code, cells = getattr(deferred, "__code__", None), getattr(deferred, "__closure__", None) or ()
    values = {}
    for name, cell in zip(getattr(code, "co_freevars", ()), cells):
        try:
            values[name] = cell.cell_contents
        except ValueError:
            pass
    return values


def blueprint_routes(bp):
    """The (rule, endpoint) pairs a blueprint's @bp.route calls recorded."""
    found = set()
    for deferred in getattr(bp, "deferred_functions", ()):
        values = deferred_values(deferred)
        if isinstance(values.get("rule"), str):
            view = values.get("view_func")
            found.add((values["rule"], values.get("endpoint") or getattr(view, "__name__", None)))
    return found


class Taken:
    """What the save took off one app: endpoints with their view functions
    and rules, and blueprints with their scoped hooks."""

    def __init__(self):
        self.endpoints = {}  # endpoint -> (view function, [rules])
        self.blueprints = {}  # registered name -> blueprint
        self.hooks = {}  # registry -> {scope: value} of the blueprints taken


class FlaskAdapter(Adapter):
    module = "flask"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.names = set()  # the modules this save re-ran so far
        self.apps = []  # the live apps found so far
        self.taken = {}  # id(app) -> Taken
        self.unlocked = []  # apps and blueprints to lock again: they had served or been registered
        self.replaced = []  # old apps that took a new app's state
        # (module, name, blueprint, its deferred functions now) for the
        # registered blueprints the re-running modules bind.
        self.blueprints = []
        self.routes = {}  # id(blueprint) -> its routes before the save
        # (module, function) -> (an app that module-level function made,
        # held elsewhere, and its code before the save): an app factory.
        self.factories = {}
        self.rules = [(self.is_app_pair, self.update_app)]

    # --- a template changed -------------------------------------------------

    def files_changed(self, paths):
        """Jinja's environment keeps each template it compiled and, unless
        auto_reload is on (TEMPLATES_AUTO_RELOAD, or debug), never looks at
        the file again. The cache of each live app (one a module binds, or
        the app of a test client one binds) whose template folders, its
        blueprints' too, hold a changed file is emptied."""
        emptied = []
        for app in live_apps(self.workspace, sys.modules["flask"].Flask, ()):
            env = app.__dict__.get("jinja_env")  # a cached_property: None until it renders
            cache = getattr(env, "cache", None)
            if cache is None or not cache:
                continue
            if any(lies_in(path, template_folders(app, env)) for path in paths):
                cache.clear()
                emptied.append("the template cache of Flask app %r" % app.name)
        return emptied

    # --- before the re-run ---------------------------------------------------

    def before_run(self, up, module):
        """Takes off the live apps what module registered, and lets apps and
        the blueprints it binds take setup again, just before it re-runs."""
        flask = sys.modules["flask"]
        name = module.__name__
        self.names.add(name)
        if not touches(module, ("flask",)):
            return
        for key, value in list(module.__dict__.items()):
            if (isinstance(value, flask.Blueprint) and value.__dict__.get("_got_registered_once")
                    and id(value) not in self.routes):
                self.routes[id(value)] = blueprint_routes(value)
                self.open_blueprint(up, module, key, value)
        for app in live_apps(self.workspace, flask.Flask, [module]):
            if not any(app is a for a in self.apps):
                self.apps.append(app)
                up.manage(app)
                if app.__dict__.get("_got_first_request"):
                    up.set_attr(app, "_got_first_request", False)
                    self.unlocked.append(app)
            if any(v is app for v in module.__dict__.values()):
                self.take_off(up, app, self.made_again(app, name), lambda f: owner(f) == name)
                continue
            # An app a factory of module made, held elsewhere: the re-run
            # does not call the factory again, so what it registered stays.
            if app.import_name == name or any(made_in(f, module) for f in app.view_functions.values()):
                for function, code in factories(module, type(app)):
                    self.factories.setdefault((name, function), (app, code))
            self.take_off(up, app, self.made_again(app, name), lambda f: owner(f) == name and made_in(f, module) is None)

    @staticmethod
    def made_again(app, module):
        """The names of app's blueprints that module makes."""
        return {name for name, bp in app.blueprints.items() if getattr(bp, "import_name", None) == module}

    def open_blueprint(self, up, module, name, bp):
        """Lets a registered blueprint take routes again, without those the
        re-running modules recorded on it before: a module may decorate it
        before the module that made it makes a new one."""
        mine = lambda f: owner(f) == module.__name__  # noqa: E731
        deferred = [d for d in bp.deferred_functions if not mine(deferred_values(d).get("view_func"))]
        up.set_attr(bp, "deferred_functions", deferred)
        for registry in REGISTRIES:
            value = bp.__dict__.get(registry)
            if value is not None:
                up.set_attr(bp, registry, without(value, mine))
        up.set_attr(bp, "_got_registered_once", False)
        up.manage(bp)
        self.unlocked.append(bp)
        self.blueprints.append((module, name, bp, list(deferred)))

    def take_off(self, up, app, scopes, owned):
        """Takes off app what a re-running module registered on it: the
        routes and hooks of the functions owned(f) is true of, and the
        blueprints named in scopes, with theirs."""
        taken = self.taken.setdefault(id(app), Taken())
        for name in scopes:
            taken.blueprints[name] = app.blueprints[name]
        endpoints = {e: f for e, f in app.view_functions.items()
                     if in_scopes(e, scopes) or (e != "static" and "." not in e and owned(f))}
        changes = {}
        for registry in REGISTRIES:
            value = app.__dict__.get(registry)
            if value is None:
                continue
            kept = without(value, owned, scopes)
            if kept != value:
                changes[registry] = kept
                if isinstance(value, dict):
                    taken.hooks.setdefault(registry, {}).update({s: v for s, v in value.items() if in_scopes(s, scopes)})
        if not endpoints and not scopes and not changes:
            return
        rules = list(app.url_map.iter_rules())
        for endpoint, view in endpoints.items():
            taken.endpoints[endpoint] = (view, [r for r in rules if r.endpoint == endpoint])
        up.set_attr(app, "url_map", rebuilt_map(app.url_map, [r for r in rules if r.endpoint not in endpoints]))
        up.set_attr(app, "view_functions", {e: f for e, f in app.view_functions.items() if e not in endpoints})
        if scopes:
            up.set_attr(app, "blueprints", {n: b for n, b in app.blueprints.items() if not in_scopes(n, scopes)})
        for registry, kept in changes.items():
            up.set_attr(app, registry, kept)

    # --- an app made again ---------------------------------------------------

    def is_app_pair(self, up, old, new):
        flask = sys.modules["flask"]
        return isinstance(old, flask.Flask) and type(old) is type(new) and old.import_name == new.import_name

    def update_app(self, up, old, new, where):
        """Gives old the state of new, plus what user modules that do not
        re-run had registered on old."""
        users = set(self.workspace.loaded()) if self.workspace is not None else set()
        carried = users - self.names

        def from_elsewhere(f):
            return owner(f) in carried

        moved = [e for e, f in old.view_functions.items()
                 if e not in new.view_functions and "." not in e and from_elsewhere(f)]
        for endpoint in moved:
            new.view_functions[endpoint] = old.view_functions[endpoint]
        for rule in old.url_map.iter_rules():
            if rule.endpoint in moved:
                new.url_map.add(rule.empty())
        for registry in REGISTRIES:
            merge_registry(getattr(old, registry, None), getattr(new, registry, None), from_elsewhere)
        state = new.__dict__
        state["_got_first_request"] = old.__dict__.get("_got_first_request", False)
        state[TWIN] = new
        up.set_attr(old, "__dict__", state)
        self.replaced.append(old)
        return True

    # --- after the re-run ----------------------------------------------------

    def after_rerun(self, up, modules):
        registered = []  # blueprints registered again on some app
        for app in self.apps:
            if any(app is r for r in self.replaced):
                continue  # all it has now, the re-run registered
            registered.extend(self.register_again(up, app))
            self.put_back(up, app)
        note_factories(up, self.factories, self.replaced)
        for obj in self.unlocked:
            flag = "_got_first_request" if isinstance(obj, sys.modules["flask"].Flask) else "_got_registered_once"
            up.set_attr(obj, flag, True)
        for module, name, bp, _ in self.blueprints:
            current = module.__dict__.get(name)
            if current is not bp and type(current) is type(bp) and not current.__dict__.get("_got_registered_once"):
                if not any(b is current for b in registered):
                    self.left_behind(up, module, name, bp, current)

    def register_again(self, up, app):
        """Registers again on app the blueprints whose routes this save
        changed and that the re-run did not register: a new blueprint in
        place of one its module made before, or an old one new routes were
        recorded on. Returns those registered."""
        taken = self.taken.get(id(app)) or Taken()
        done = []
        for module, name, bp, deferred in self.blueprints:
            current = module.__dict__.get(name)
            names = [n for n, b in list(taken.blueprints.items()) + list(app.blueprints.items()) if b is bp]
            if not names or "." in names[0]:
                continue  # not on this app, or nested in another blueprint
            registered_as = names[0]
            if current is bp and bp.deferred_functions == deferred:
                continue  # nothing recorded on it: its routes stand
            if current is not bp and (type(current) is not type(bp) or current.__dict__.get("_got_registered_once")):
                continue  # gone, or registered by the re-run
            if registered_as not in taken.blueprints:
                self.take_off(up, app, {registered_as}, lambda f: False)
                taken = self.taken[id(app)]
            if register_like(app, current, registered_as, self.routes[id(bp)], bp.url_prefix, taken):
                done.append(current)
        return done

    def put_back(self, up, app):
        """Puts back on app what was taken off it, is not registered again
        and whose code is still there: registered by code that did not re-run."""
        taken = self.taken.get(id(app))
        if taken is None:
            return
        back = []
        for name, bp in taken.blueprints.items():
            if name not in app.blueprints:
                app.blueprints[name] = bp
                for registry, scoped in taken.hooks.items():
                    getattr(app, registry).update(scoped)
                back.extend(e for e in taken.endpoints if in_scopes(e, {name}))
        for endpoint, (view, rules) in taken.endpoints.items():
            if endpoint in app.view_functions or in_scopes(endpoint, taken.blueprints):
                continue
            module = sys.modules.get(owner(view) or "")
            name = getattr(view, "__name__", None)
            if name is None or getattr(module, name, None) is not view:
                continue  # its function is gone: so is the route, as in a fresh run
            back.append(endpoint)
            where = ", ".join(sorted(rule.rule for rule in rules)) or "the endpoint %r" % endpoint
            up.note("%s.%s" % (module.__name__, name),
                    "still served at %s: this save did not register it again (registered by code that "
                    "did not re-run?); if you removed its route, restart the runtime" % where)
        for endpoint in back:
            view, rules = taken.endpoints[endpoint]
            app.view_functions[endpoint] = view
            for rule in rules:
                app.url_map.add(rule.empty())

    def left_behind(self, up, module, name, old, new):
        """A module made a new blueprint that nobody registered: the old one
        stays bound, as it is what the apps serve; if the routes differ, a
        note says so."""
        module.__dict__[name] = old  # the namespace is rolled back with the module
        if blueprint_routes(new) != self.routes[id(old)]:
            up.note("%s.%s" % (module.__name__, name),
                    "the blueprint %r is registered on an app by code that did not run again; its new "
                    "or removed routes take effect after a restart (edited views already run the new "
                    "code)" % old.name, binding_line(module, name))


def live_apps(workspace, kind, modules):
    """The live apps of kind (live.py), and those module-level test clients
    serve (`client = create_app().test_client()`: the client holds the app
    a factory made)."""
    test = sys.modules.get("werkzeug.test")
    return served(live_instances(workspace, (kind, test.Client) if test else kind, modules), kind, "application")


def template_folders(app, env):
    """The folders the Jinja loaders of app (its blueprints' too, and the
    environment's own if jinja_options set one) read templates from."""
    loaders = [app.jinja_loader] + [bp.jinja_loader for bp in app.iter_blueprints()] + [env.loader]
    return as_folders(folder for loader in loaders for folder in getattr(loader, "searchpath", None) or ())


def register_like(app, bp, name, routes, url_prefix, taken):
    """Registers bp on app as name, with the url_prefix that the rules made
    on app for routes, the old blueprint's, show (url_prefix: the old
    blueprint's own). Returns False, registering nothing, when they do not
    show it (a subdomain, a host, rules that disagree)."""
    prefix = None
    for deferred_rule, endpoint in routes:
        for rule in taken.endpoints.get("%s.%s" % (name, endpoint), (None, []))[1]:
            tail = deferred_rule.lstrip("/")
            if rule.subdomain or rule.host or not rule.rule.endswith(tail):
                return False
            found = rule.rule[:len(rule.rule) - len(tail)].rstrip("/")
            if prefix is not None and found != prefix:
                return False
            prefix = found
    if prefix is None:
        return False
    options = {}
    if prefix != (url_prefix or "").rstrip("/"):  # given to register_blueprint
        options["url_prefix"] = prefix
    if name != bp.name:
        options["name"] = name
    bp.register(app, options)
    return True


def merge_registry(old, new, keep):
    """Adds to the registry new the functions of old that keep(f) is true of
    and that new lacks."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key, item in old.items():
            if isinstance(item, (dict, list)):
                if key not in new:
                    new[key] = copy.copy(item)
                    new[key].clear()
                merge_registry(item, new[key], keep)
            elif callable(item) and keep(item) and key not in new:
                new[key] = item
    elif isinstance(old, list) and isinstance(new, list):
        for item in old:
            if callable(item) and keep(item) and item not in new:
                new.append(item)
