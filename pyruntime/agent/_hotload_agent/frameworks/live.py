"""Finding a framework's live objects (apps, routers, groups) without a heap scan.

A web app or a command group that a save must update is bound at module
level somewhere in the user's code: in the module that made it, in the
modules that import it, or in __main__ (the program hotload runs, or the
app it is attached to). So the places to look are the namespaces of the
user's loaded modules and of __main__: a few thousand dictionary values at
most, never the heap.
"""

import sys
import types


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
