"""Modules that a re-run's change of sys.path, or of its package's
`__path__`, puts elsewhere.

`sys.path.insert(0, "vendor_b")` where the version before inserted
"vendor_a", then `import helper`: a fresh run imports vendor_b/helper.py,
while the re-run takes from sys.modules the helper loaded from vendor_a.
The same for a package whose `__init__.py` now extends its `__path__`
with another folder, and its submodules. hotload cannot import such a
module again under the feet of what holds the old one: such a module that
nothing holds but the import system (a submodule imported by name when
needed) is forgotten once the save stands, so its next import loads the
file a fresh run would; for one that code holds, a Warning on the import
line (or the line that changed the path) names the file a fresh run would
load, and says to restart. Looked at only when the run
changed the set of sys.path entries or the package's `__path__`: a few
finder lookups then, none otherwise.
"""

import importlib.machinery
import linecache
import os
import sys
import types


def paths(namespace):
    """What the run of the module whose namespace this is may change:
    the set of sys.path entries and the package's `__path__`."""
    own = namespace.get("__path__")
    return frozenset(sys.path), tuple(own) if isinstance(own, list) else None


def fresh_path(namespace):
    """Gives a package about to run again the `__path__` a fresh import
    gives it, its own folder: what its previous run added (another folder,
    pkgutil.extend_path's) is not there in a fresh run. A new list: the old
    one is the namespace's copy from before the run, for a rollback."""
    own, file = namespace.get("__path__"), namespace.get("__file__")
    if isinstance(own, list) and isinstance(file, str) and os.path.basename(file) == "__init__.py":
        namespace["__path__"] = [os.path.dirname(file)]


def note_moved(up, name, shape, namespace, before):
    """Notes each module the module (name, its Shape and namespace) imports,
    or, for a package, each loaded submodule, that a fresh import would
    now find at another file, when the run changed the paths (before:
    paths()'s answer before the run)."""
    now = paths(namespace)
    if now == before or shape is None:
        return
    candidates, changed = set(), "sys.path"
    if now[0] != before[0]:
        candidates.update(shape.imports)
        candidates.update(shape.lazy_imports)
    if now[1] != before[1]:
        prefix = name + "."
        candidates.update(k for k in list(sys.modules) if k.startswith(prefix))
        changed = "__path__" if now[0] == before[0] else "sys.path and __path__"
    moved = []
    for target in sorted(candidates):
        loaded, found = loaded_file(target), fresh_file(target)
        if loaded is not None and found is not None and not same_file(loaded, found):
            moved.append((target, loaded, found))
    if moved:
        up.on_commit(forget_moved, up, name, shape, namespace.get("__file__"), changed, moved)


def forget_moved(up, name, shape, file, changed, moved):
    """Once the save stands, forgets each moved module (target, the file it
    was loaded from, the file a fresh run finds) that nothing but the
    import system and hotload holds, so its next import loads the file a
    fresh run would; notes the others, which code holds."""
    from .submodules import held_elsewhere  # it imports update, which imports this

    importers = up.workspace.importers() if up.workspace is not None else {}
    for target, loaded, found in moved:
        if target not in sys.modules:
            continue
        family = [target] + sorted(k for k in sys.modules if k.startswith(target + "."))
        free = up.workspace is not None and not any(
            i != name and i not in family for m in family for i in importers.get(m, ()))
        if free and not any(m in sys.modules and held_elsewhere(up, m) for m in family):
            up.workspace.forget(family)
            continue
        line = shape.import_line(target) or text_line(file, changed.split()[0])
        up.note(target, "a fresh run would import %s now that %s changed, but the runtime keeps the module it "
                "loaded from %s before: it still runs that file; restart the runtime to load the new one"
                % (shown(found), changed, shown(loaded)), (file, line) if file else None, until=name)


def loaded_file(name):
    module = sys.modules.get(name)
    if not isinstance(module, types.ModuleType):
        return None
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    return origin if isinstance(origin, str) and getattr(spec, "has_location", False) else None


def fresh_file(name):
    """The file the path finder finds name at now, or None."""
    parent, _, _ = name.rpartition(".")
    search = sys.path
    if parent:
        search = getattr(sys.modules.get(parent), "__path__", None)
        if search is None:
            return None
    try:
        spec = importlib.machinery.PathFinder.find_spec(name, list(search))
    except Exception:  # a finder of the path's that fails: no answer, as before
        return None
    origin = getattr(spec, "origin", None)
    return origin if isinstance(origin, str) and getattr(spec, "has_location", False) else None


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def shown(path):
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def text_line(file, word):
    """The first line of file that says word, else 1."""
    for number, line in enumerate(linecache.getlines(file), 1):
        if word in line:
            return number
    return 1
