"""Starlette and FastAPI: routes, routers, exception handlers and middleware
follow a save as a fresh run would register them, on the app object the
server already holds.

- Before modules re-run, the routes whose endpoints they define, the
  exception handlers and middleware they added, and the routers they
  include are taken off the live apps and routers, so the re-run registers
  them again: a new route is served, a removed one is gone, an edited path
  or body model moves with the code. An app that has started accepts
  middleware again: its middleware stack is rebuilt on the next request.
- A module that makes its app or router again (`app = FastAPI()`,
  `router = APIRouter()`) gets the old object back with the new one's
  state, so uvicorn, a TestClient, or an app that included the router sees
  the new routes. The app keeps its `state` (what its lifespan set up), and
  what user modules that do not re-run added is carried over.
- Lifespan and startup handlers ran when the server started: if the save
  changes their code, a note says the change takes effect after a restart.
- FastAPI's cached OpenAPI schema is dropped, so /docs shows the new routes.
- A route a module that ran again registered took its body, parameter and
  response types from the classes the run made; the pydantic models among
  them the save dropped for the old ones it updated in place (pydantic.py),
  so the route's fields are pointed at the kept classes: a body arrives as
  an instance of the class the module binds.

Live apps and routers are those bound at module level in the user's
modules or in __main__, or served by a TestClient bound there (live.py); an
app's own router is found through it. An app a factory made that the
factory's module does not hold keeps what the factory registered on it; a
changed factory is noted.
"""

import ast
import copy
import dataclasses
import sys

from . import Adapter
from .live import factories, live_instances, made_in, note_factories, owner, served, touches
from .pydantic import kept_classes, mentions, swap
from ..update import code_same


def route_function(route):
    """The function a route runs (its endpoint), or None for a mount."""
    return getattr(route, "endpoint", None) if "endpoint" in getattr(route, "__dict__", {}) else None


def included_router(route):
    """The router a FastAPI include_router entry refers to, or None."""
    return route.__dict__.get("original_router") if hasattr(route, "__dict__") else None


def bump(up, router):
    """Marks a FastAPI router's routes as changed, so the caches keyed by
    their version (matching, OpenAPI) are built again."""
    version = router.__dict__.get("_routes_version")
    if isinstance(version, int):
        up.set_attr(router, "_routes_version", version + 1)


# Marks an app that took a new app's state after it had started serving: the
# new app's middleware stack is not built yet, but its startup code ran long ago.
STARTED = "_hotload_started"


def has_started(app):
    return app.__dict__.get("middleware_stack") is not None or bool(app.__dict__.get(STARTED))


def owned_middleware(middleware, owned):
    """Reports whether a Middleware entry's class or options are owned."""
    parts = [getattr(middleware, "cls", None)] + list(getattr(middleware, "args", ()))
    parts += list((getattr(middleware, "kwargs", None) or {}).values())
    return any(callable(p) and owned(p) for p in parts)


def startup_code(app):
    """The code objects of the functions app runs when the server starts and
    stops: on_startup and on_shutdown handlers and the lifespan, unwrapped."""
    router = app.__dict__.get("router")
    found = []
    todo = list(getattr(router, "on_startup", ()) or ()) + list(getattr(router, "on_shutdown", ()) or ())
    todo.append(getattr(router, "lifespan_context", None))
    seen = set()
    while todo:
        f = todo.pop()
        if f is None or id(f) in seen:
            continue
        seen.add(id(f))
        code = getattr(f, "__code__", None)
        inner = getattr(f, "__wrapped__", None)
        # A wrapper (@asynccontextmanager's helper) takes the name and module
        # of the function it wraps, but its code is the decorator's, which
        # no save changes: the function it wraps is the one compared.
        if code is not None and inner is None and owner(f) not in ("starlette.routing", "fastapi.routing", "contextlib"):
            found.append((f, code))
        todo.append(inner)
        for cell in getattr(f, "__closure__", None) or ():  # merged lifespans hold theirs in cells
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if callable(value):
                todo.append(value)
    return found


def state_keys(shape):
    """The names the module-level statements of shape's source set on an
    app's state (`app.state.motd = "hi"`)."""
    source = getattr(shape, "source", None)
    if not isinstance(source, bytes) or b".state." not in source:
        return set()
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return set()
    keys = set()
    for stmt in body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        for target in targets:
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute)
                    and target.value.attr == "state"):
                keys.add(target.attr)
    return keys


def middleware_calls(shape):
    """{class name: count} of the module-level `app.add_middleware(Cls, ...)`
    calls of shape's source."""
    source = getattr(shape, "source", None)
    if not isinstance(source, bytes) or b"add_middleware" not in source:
        return {}
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return {}
    calls = {}
    for stmt in body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_middleware" and call.args):
            first = call.args[0]
            name = first.id if isinstance(first, ast.Name) else getattr(first, "attr", None)
            if name:
                calls[name] = calls.get(name, 0) + 1
    return calls


def point_fields_at_kept(route, kept):
    """Points the FastAPI fields of a route (its dependant's parameters and
    body, its body and response fields: ModelField dataclasses holding a
    pydantic FieldInfo) that name a class the save dropped at the kept one,
    and makes their validators again. The route is one the save made."""
    classes = list(kept.values())
    if id(getattr(route, "response_model", None)) in kept:
        route.response_model = kept[id(route.response_model)]
    todo, seen = list(route.__dict__.values()), set()
    while todo:
        value = todo.pop()
        if value is None or isinstance(value, (str, int, type)) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, (list, tuple)):
            todo.extend(value)
        elif not dataclasses.is_dataclass(value):
            continue
        elif type(value).__name__ == "ModelField" and hasattr(value, "field_info"):
            info = value.field_info
            annotation = swap(getattr(info, "annotation", None), kept)
            if annotation is not info.annotation:
                info = copy.copy(info)
                info.annotation = annotation
                value.field_info = info
            if mentions(annotation, classes):
                # Its TypeAdapter was made by the run, from the new class's
                # schema (even when the core pointed the annotation at the
                # kept class since): made again from the kept one.
                value.__post_init__()
        else:  # a Dependant: its parameters, body and sub-dependencies
            todo.extend(getattr(value, f.name, None) for f in dataclasses.fields(value))


class StarletteAdapter(Adapter):
    module = "starlette"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.names = set()
        self.apps = []
        self.routers = []
        self.included = []  # (router, entry) include_router entries taken off
        self.started = {}  # id(app) -> (app, startup code before the save)
        self.replaced = []  # old apps that took a new app's state
        self.middleware = {}  # (module, id(app)) -> (app, its middleware just before that module ran)
        # (module, function) -> (an app that module-level function made,
        # held elsewhere, and its code before the save): an app factory.
        self.factories = {}
        self.rules = [(self.is_app_pair, self.update_app), (self.is_router_pair, self.update_router)]

    def carried(self):
        """A test for what user modules that do not re-run registered."""
        users = set(self.workspace.loaded()) if self.workspace is not None else set()
        users -= self.names
        return lambda f: f is not None and owner(f) in users

    # --- before a module re-runs ---------------------------------------------

    def before_run(self, up, module):
        """Takes off the live apps and routers what module registered, just
        before it re-runs, and lets started apps take middleware again."""
        applications = sys.modules.get("starlette.applications")
        routing = sys.modules.get("starlette.routing")
        if applications is None or routing is None:
            return
        name = module.__name__
        self.names.add(name)
        if not touches(module, ("starlette", "fastapi")):
            return
        owned = lambda f: f is not None and owner(f) == name  # noqa: E731
        testclient = sys.modules.get("starlette.testclient")
        kinds = (applications.Starlette, routing.Router) + ((testclient.TestClient,) if testclient else ())
        found = live_instances(self.workspace, kinds, [module])
        apps = served(found, applications.Starlette, "app")
        routers = [x for x in found if isinstance(x, routing.Router)]
        routers += [app.router for app in apps if not any(app.router is r for r in routers)]
        # An app a factory of module made, held elsewhere (by a TestClient):
        # the re-run does not call the factory again, so what it registered stays.
        held = {id(v) for v in module.__dict__.values()}
        made = {}  # id(app or its router) -> what of it module owns
        for app in apps:
            if id(app) not in held and any(made_in(route_function(r), module) for r in app.router.routes):
                for function, code in factories(module, type(app)):
                    self.factories.setdefault((name, function), (app, code))
                made[id(app)] = made[id(app.router)] = lambda f: owned(f) and made_in(f, module) is None
        for app in apps:
            if not any(app is a for a in self.apps) and has_started(app):
                # Code objects, not functions: a function updated in place
                # has the new code by the time the save ends.
                self.started[id(app)] = (app, startup_code(app))
        # The routers module binds: it may include them again.
        rebound = {id(v) for v in module.__dict__.values() if isinstance(v, routing.Router)}
        for router in routers:
            if not any(router is r for r in self.routers):
                self.routers.append(router)
                up.manage(router)
            self.take_off(up, router, rebound, made.get(id(router), owned))
        for app in apps:
            if not any(app is a for a in self.apps):
                self.apps.append(app)
                up.manage(app)
            mine = made.get(id(app), owned)
            handlers = {k: h for k, h in app.exception_handlers.items() if not mine(h)}
            if len(handlers) != len(app.exception_handlers):
                up.set_attr(app, "exception_handlers", handlers)
            overrides = app.__dict__.get("dependency_overrides")  # FastAPI's
            if isinstance(overrides, dict) and any(mine(f) for f in overrides.values()):
                up.set_attr(app, "dependency_overrides", {k: f for k, f in overrides.items() if not mine(f)})
            middleware = [m for m in app.user_middleware if not owned_middleware(m, mine)]
            if len(middleware) != len(app.user_middleware):
                up.set_attr(app, "user_middleware", middleware)
            if app.middleware_stack is not None:
                app.__dict__[STARTED] = True  # a mark that outlives the stack's rebuilding
                up.set_attr(app, "middleware_stack", None)
            self.middleware[(name, id(app))] = (app, list(app.user_middleware))

    def after_run(self, up, module):
        """Takes off the middleware of a library's class (CORSMiddleware)
        that module's version before added at module level to an app it
        does not make (`app.add_middleware(...)` in a module of its own):
        the run added what its new code adds, so an edited call does not
        add a second one and a deleted call's is gone."""
        calls = middleware_calls(up.previous.get(module.__name__))
        if not calls:
            return
        for (name, _), (app, before) in list(self.middleware.items()):
            if name != module.__name__:
                continue
            old = {id(m) for m in before}
            left = dict(calls)
            drop = set()
            for m in app.user_middleware:
                cls = getattr(getattr(m, "cls", None), "__name__", None)
                if id(m) in old and left.get(cls):
                    left[cls] -= 1
                    drop.add(id(m))
            if drop:
                up.set_attr(app, "user_middleware", [m for m in app.user_middleware if id(m) not in drop])

    def take_off(self, up, router, rebound, owned):
        kept = []
        for route in router.routes:
            inner = included_router(route)
            if inner is not None and id(inner) in rebound:
                self.included.append((router, route))
            elif not owned(route_function(route)):
                kept.append(route)
        if len(kept) != len(router.routes):
            up.set_attr(router, "routes", kept)
            bump(up, router)
        for hooks in ("on_startup", "on_shutdown"):
            value = router.__dict__.get(hooks)
            if isinstance(value, list) and any(owned(f) for f in value):
                up.set_attr(router, hooks, [f for f in value if not owned(f)])

    # --- an app or router made again -----------------------------------------

    def is_app_pair(self, up, old, new):
        applications = sys.modules.get("starlette.applications")
        return applications is not None and isinstance(old, applications.Starlette) and type(old) is type(new)

    def update_app(self, up, old, new, where):
        """Gives old the state of new, keeping old's lifespan state, plus the
        routes user modules that do not re-run added to old."""
        keep = self.carried()
        paths = {(getattr(r, "path", None), tuple(sorted(getattr(r, "methods", None) or ()))) for r in new.router.routes}
        for route in old.router.routes:
            key = (getattr(route, "path", None), tuple(sorted(getattr(route, "methods", None) or ())))
            if keep(route_function(route)) and key not in paths:
                new.router.routes.append(route)
        for key, handler in old.exception_handlers.items():
            if keep(handler) and key not in new.exception_handlers:
                new.exception_handlers[key] = handler
        state = new.__dict__
        state["state"] = old.__dict__.get("state", state.get("state"))
        if has_started(old):
            state[STARTED] = True
        state["middleware_stack"] = None
        up.set_attr(old, "__dict__", state)
        self.replaced.append(old)
        if isinstance(state.get("router"), object):
            bump(up, state["router"])
        return True

    def is_router_pair(self, up, old, new):
        routing = sys.modules.get("starlette.routing")
        return routing is not None and isinstance(old, routing.Router) and type(old) is type(new)

    def update_router(self, up, old, new, where):
        """Gives old the state of new, plus the routes user modules that do
        not re-run added to old; an app that included old serves them."""
        keep = self.carried()
        for route in old.routes:
            if keep(route_function(route)) and not any(r is route for r in new.routes):
                new.routes.append(route)
        state = new.__dict__
        version = old.__dict__.get("_routes_version")
        if isinstance(version, int) and isinstance(state.get("_routes_version"), int):
            # Caches compare versions for equality: the new count must be one
            # the old router never had.
            state["_routes_version"] = version + state["_routes_version"] + 1
        up.set_attr(old, "__dict__", state)
        return True

    # --- after the re-run ----------------------------------------------------

    def drop_state(self, up, app):
        """Takes off app.state what a re-run module's version before set at
        module level and its new one does not (`app.state.motd = ...`
        deleted): the app keeps its state across saves, for what its
        lifespan set up, where a fresh run starts without that."""
        values = getattr(app.__dict__.get("state"), "__dict__", {}).get("_state")
        if not isinstance(values, dict) or not values:
            return
        for name in self.names:
            module = sys.modules.get(name)
            if module is None or not any(v is app for v in module.__dict__.values()):
                continue
            gone = state_keys(up.previous.get(name)) - state_keys(up.sources.get(name, (None, None))[1])
            for key in sorted(gone & set(values)):
                up.on_undo(values.__setitem__, key, values[key])
                del values[key]


    def after_rerun(self, up, modules):
        kept = kept_classes(up)
        if kept:
            routers = self.routers + [app.router for app in self.apps]  # an app made again has the new one's router
            for router in {id(r): r for r in routers}.values():
                for route in router.routes:
                    if owner(route_function(route)) in self.names:
                        point_fields_at_kept(route, kept)
        for router, entry in self.included:
            inner = included_router(entry)
            if not any(included_router(r) is inner for r in router.routes):
                # Included by code that did not re-run: it stays included.
                router.routes.append(entry)
                bump(up, router)
        for app in self.apps:
            self.drop_state(up, app)
            if app.middleware_stack is not None:
                app.__dict__[STARTED] = True  # a mark that outlives the stack's rebuilding
                up.set_attr(app, "middleware_stack", None)
            if "openapi_schema" in app.__dict__ and app.openapi_schema is not None:
                up.set_attr(app, "openapi_schema", None)
        note_factories(up, self.factories, self.replaced)
        for app, before in self.started.values():
            known = {}
            for f, code in before:
                known.setdefault(getattr(f, "__qualname__", None), code)
            seen = set()
            for f, code in startup_code(app):
                name = getattr(f, "__qualname__", None)
                if owner(f) not in self.names or name in seen:
                    continue
                seen.add(name)
                if name not in known or not code_same(code, known[name]):
                    up.note("%s.%s" % (owner(f), name or "?"),
                            "startup and lifespan code runs when the server starts; this change takes effect "
                            "after a restart", f)
