"""Finding a framework's live objects (apps, routers, groups) without a heap scan.

A web app or a command group that a save must update is bound at module
level somewhere in the user's code: in the module that made it, in the
modules that import it, or in __main__ (the program hotload runs, or the
app it is attached to). So the places to look are the namespaces of the
user's loaded modules and of __main__: a few thousand dictionary values at
most, never the heap.
"""

import os
import sys
import types

from ..update import code_same


def user_namespaces(workspace, modules=()):
    """Yields the namespace of each of the user's loaded modules, of __main__
    and of the modules given (those a save re-runs), once each."""
    seen = set()
    found = []
    if workspace is not None:
        found.extend(sys.modules.get(name) for name in workspace.loaded())
    found.append(sys.modules.get("__main__"))
    found.extend(modules)
    for module in found:
        namespace = getattr(module, "__dict__", None)
        if isinstance(namespace, dict) and id(namespace) not in seen:
            seen.add(id(namespace))
            yield namespace


def live_instances(workspace, kinds, modules=()):
    """Returns the objects of the types kinds bound at module level in
    user_namespaces, each once, in the order found."""
    seen = set()
    found = []
    for namespace in user_namespaces(workspace, modules):
        for value in list(namespace.values()):
            if isinstance(value, kinds) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
    return found


def owner(obj):
    """The module a registered function (or class) was defined in, looking
    through functools.partial, bound methods and functools.wraps; None if
    it has none."""
    for _ in range(8):  # deeper than any real wrapping
        module = getattr(obj, "__module__", None)
        inner = getattr(obj, "__wrapped__", None) or getattr(obj, "__func__", None) or getattr(obj, "func", None)
        if isinstance(module, str) and module not in ("functools", "builtins"):
            return module
        if inner is None:
            return None
        obj = inner
    return None


def binding_line(module, name):
    """(file, line) of the first module-level `name = ...` in module's
    source, for a note about what the name holds; None if not found."""
    file = getattr(module, "__file__", None)
    if not file:
        return None
    import linecache
    import re

    pattern = re.compile(r"%s\s*(:[^=]*)?=[^=]" % re.escape(name))
    for number, line in enumerate(linecache.getlines(file), 1):
        if pattern.match(line):
            return file, number
    return None


# Values that belong to no framework: a module of constants and plain
# functions is looked at in a few microseconds.
PLAIN = frozenset((int, float, complex, str, bytes, bool, type(None), tuple, list, dict, set, frozenset))


def touches(module, packages):
    """Reports whether module's namespace holds anything of the packages
    (top-level names): the package or one of its modules, or an object,
    function or class of theirs. A module that holds nothing of a framework
    registers nothing with it, so its adapter skips it: a save of plain
    code costs an adapter one look at that module's names."""
    prefixes = tuple(p + "." for p in packages)

    def of(name):
        return isinstance(name, str) and (name in packages or name.startswith(prefixes))

    for key, value in list(getattr(module, "__dict__", {}).items()):
        kind = type(value)
        if kind in PLAIN or key.startswith("__"):
            continue  # data, and the module's own dunders (its spec, loader, builtins)
        if kind is types.FunctionType or kind is types.BuiltinFunctionType:
            if of(getattr(value, "__module__", None)):
                return True
        elif kind is types.ModuleType:
            if of(value.__name__):
                return True
        elif isinstance(value, type):
            if of(kind.__module__) or any(of(c.__module__) for c in value.__mro__):
                return True
        elif any(of(c.__module__) for c in kind.__mro__):
            return True
    return False


def served(found, kind, attribute):
    """The objects of kind in found, and those the test clients in found
    serve (their attribute: `client = create_app().test_client()` holds the
    app a factory made), each once."""
    apps = []
    for value in found:
        app = value if isinstance(value, kind) else getattr(value, attribute, None)
        if isinstance(app, kind) and not any(app is a for a in apps):
            apps.append(app)
    return apps


def made_in(f, module):
    """The function of module's namespace whose call made f (a route an app
    factory defines: `create_app.<locals>.index`), or None."""
    qualname = getattr(f, "__qualname__", None)
    if not isinstance(qualname, str) or "<locals>" not in qualname or owner(f) != module.__name__:
        return None
    outer = module.__dict__.get(qualname.split(".<locals>", 1)[0])
    return outer if isinstance(outer, types.FunctionType) else None


def factories(module, cls):
    """(name, code) of module's own functions that name the class cls in
    their code: the app factories that may have made an app of cls."""
    names = {n for n, v in module.__dict__.items() if v is cls}
    return [(n, f.__code__) for n, f in module.__dict__.items()
            if isinstance(f, types.FunctionType) and owner(f) == module.__name__ and names & set(f.__code__.co_names)]


def note_factories(up, found, replaced):
    """Notes the factories in found ({(module, function): (app it made,
    its code before the save)}) whose code the save changed, for the apps
    not made again (replaced): such an app keeps what its factory gave it."""
    for (name, function), (app, code) in found.items():
        factory = getattr(sys.modules.get(name), function, None)
        if any(app is r for r in replaced) or not isinstance(factory, types.FunctionType):
            continue
        if not code_same(code, factory.__code__):
            up.note("%s.%s" % (name, function),
                    "changed: the app %s it made before this save keeps the routes, hooks and settings it "
                    "gave it, where a fresh run calls it again; make that app again (and a test client of "
                    "it) or restart the runtime" % describe(app), factory)


def describe(app):
    name = getattr(app, "name", None)  # Flask's
    return repr(name) if isinstance(name, str) else "(%s)" % type(app).__name__


def as_folders(dirs):
    """The folders dirs (paths or pathlib paths), each absolute as written
    and with its links resolved: a file named either way is found in it."""
    found = set()
    for d in dirs:
        found.add(os.path.normpath(os.path.abspath(str(d))))
        found.add(os.path.realpath(str(d)))
    return found


def lies_in(path, folders):
    """Whether the file at path, as written or with its links resolved,
    lies in one of folders (see as_folders)."""
    for p in {os.path.normpath(path), os.path.realpath(path)}:
        if any(p.startswith(os.path.join(f, "")) for f in folders):
            return True
    return False
