"""Which importers of the modules a save ran must re-run, from their source.

A module that imports another holds what it took from it: names it bound
(`from m import x`) and values its own import-time code computed from it
(`TABLE = [m.scaled(i) for i in range(3)]`). After m ran again, with its
functions and classes updated in place, the importer must run again only
if what it holds could differ from what a fresh run would give it:

- a name it holds from m now refers to a different object or value, or
  was removed: it took the name (`from m import x`), or read it at import
  time (`X = m.x`), or its functions read it when called (`m.x` in a
  body) and may have kept what they read (functools.lru_cache, a dict:
  see keeps.py);
- code it runs at import time uses a name of m that is not plain data,
  while m's code changed in place (or its functions read a global that
  changed): what that code computed may differ now;
- it uses m as a whole (`from m import *`, m passed around) and anything
  in m changed;
- m's own imports changed.

An importer that does not re-run still calls, later, the code it uses of
m and reads the names its functions read when called: if those changed,
so did what the importer's own functions compute, for the modules that
import it in turn (the change is carried), and what its caches hold
(functools', or any wrapper that offers cache_clear) came from the old
code: they are emptied once the save stands, as a fresh run starts them
empty. A module global its functions fill by hand is the user's state:
the save notes the line that fills it instead (fills.py).
"""

import os
import sys
import types

from .rules import LRU_CACHE_WRAPPER, offers_cache_clear
from .shape import uses_of
from .update import Change, own_attr, plain


def decide(up, name, file, shape):
    """Reports whether module name (whose running version's source is
    shape, at file) must re-run after the modules of the save that ran
    before it. If not, notes its lines that use a name this save removed
    (a module that re-runs is noted from the source that ran: see
    note_removed), and carries an in-place change it calls into (see
    carry)."""
    carried = removed = False
    called = []  # (target, the names of its code the module's functions read), changed in place
    for target, change in changed_imports(up, name, shape):
        # The cached answers inline: a save asks for every importer.
        if target not in shape.import_set:
            # Imported by a name computed at run time (dynamic.py): what it
            # took, if it kept the module, cannot be read from its source.
            # A change matters only to code that used the module at import
            # (Shape.uses_beyond): a list of the modules (a plugin loader's)
            # still holds the same modules, with their names as they are
            # now and functions that run the new code.
            if shape.keeps_by_name and (change.graph or ((change.rebound or change.inplace) and shape.uses_beyond)):
                return True
            continue
        whole, names, early, held = shape.indexed.get(target) or index(shape, target)
        removed = removed or bool(change.removed)
        if change.graph or held & change.rebound or (whole and (change.rebound or change.inplace)):
            return True
        # Its functions read the new value when called, and keep nothing.
        carried = carried or bool(names & change.rebound)
        if change.inplace:
            code = up.code_names.get(target) or code_names(up, target)
            if early & code:
                return True
            if names & code:
                carried = True
                called.append((target, names & code))
    if removed:
        note_removed(up, name, file, shape)
    if carried:
        up.changes.setdefault(name, Change()).inplace = True
        empty_caches(up, name, shape)
        if called and shape.keeps:
            note_filled(up, name, file, shape, called)
    return False


def empty_caches(up, name, shape):
    """Empties, once the save stands, the caches of module name, at module
    level and in its classes: it does not run again, but what its
    functions compute changed. A cache is a functools one (lru_cache,
    cache), or a wrapper of one of the module's functions that offers
    cache_clear, as cachetools' cached does. A module makes such a cache
    only with a decorator or a call (shape.first_call); a functools cache
    it imported is the module's that made it."""
    if not shape.first_call:
        return
    namespace = getattr(sys.modules.get(name), "__dict__", {})
    for value in list(namespace.values()):
        if isinstance(value, type) and getattr(value, "__module__", None) == name:
            found = [getattr(v, "__func__", v) for v in list(vars(value).values())]
        else:
            found = [value]
        for cache in found:
            clear = cache_clear(cache, name)
            if clear is not None:
                up.on_commit(clear)


def cache_clear(value, name):
    """value's cache_clear if value is a cache of module name's (see
    empty_caches), else None. Read without running any __getattr__ of the
    value's: only an attribute its type defines, or its own."""
    if type(value) is LRU_CACHE_WRAPPER:
        return value.cache_clear
    wrapped = own_attr(value, "__wrapped__")
    if not isinstance(wrapped, types.FunctionType) or wrapped.__module__ != name or not offers_cache_clear(value):
        return None
    clear = getattr(value, "cache_clear", None)
    return clear if callable(clear) else None


def note_filled(up, name, file, shape, called):
    """Notes the lines where module name's functions fill a module global
    and read code a save changed: called is [(target, the names of
    target's code the module reads)]. The module does not run again, so
    the global keeps what they put there with the old code (fills.py)."""
    for fill in shape.fills:
        used = first_read(fill.reads, called)
        if used is not None:
            up.note("%s.%s" % (name, fill.name),
                    "may hold what %s computed through %s before this save: it keeps that until %s runs again; "
                    "save %s, or empty %s, to compute it anew" % (fill.function, used, name, os.path.basename(file), fill.name),
                    (file, fill.line), until=name)


def first_read(reads, called):
    """The first dotted name, in sorted order, of reads that reads one of
    called's names or an attribute of it; None if none does."""
    for dotted in sorted(reads):
        for target, names in called:
            prefix = target + "."
            if dotted.startswith(prefix) and dotted[len(prefix):].split(".", 1)[0] in names:
                return dotted
    return None


def carry(up, name, shape):
    """Marks module name as changed in place if it uses code of a module
    changed in place: what calling its own functions computes may differ
    too, for the modules that import it."""
    for target, change in changed_imports(up, name, shape):
        if not change.inplace:
            continue
        whole, names, _, _ = index(shape, target)
        if whole or names & code_names(up, target):
            up.changes.setdefault(name, Change()).inplace = True
            return


def changed_imports(up, name, shape):
    """[(target, its Change)] of the modules shape's module (name) imports
    that this save changed, in the order of shape.imports: fewer than the
    changes when a save reaches many modules, each of which may carry
    one."""
    changes = up.changes
    found = [(target, changes[target]) for target in shape.imports if target in changes and target != name]
    by_name = up.workspace.dynamic.get(name) if up.workspace is not None else None
    if by_name:  # imported by a name computed at run time (dynamic.py)
        # Looked up from the smaller side: a plugin loader may import
        # hundreds by name, and a save changes a few modules.
        if len(changes) < len(by_name):
            among = [t for t in changes if t in by_name]
        else:
            among = [t for t in by_name if t in changes]
        found += [(t, changes[t]) for t in sorted(among) if t != name and t not in shape.import_set]
    return found


def index(shape, target):
    """(whole, names, early, held) of what shape's module uses of target:
    whether it uses the module as a whole, the names it uses, those it
    uses at import time, and those it holds (see held); worked out once
    per shape and target."""
    known = shape.indexed.get(target)
    if known is None:
        whole, names = uses_of(shape, target)
        early = frozenset(k for k, use in names.items() if use.import_time)
        known = (whole is not None, frozenset(names), early, held(shape, target, names, early))
        shape.indexed[target] = known
    return known


def held(shape, target, names, early):
    """The names of module target that shape's module holds what it took
    of from import time: those it uses at import time (early), those it
    took by an import (it reads them through a name deeper than target's,
    Use.depth), and all it uses if its functions may keep what they read
    when called (shape.keeps)."""
    if not names or shape.keeps:
        return frozenset(names)
    depth = target.count(".") + 1
    prefix = target + "."
    taken = set(early)
    for dotted, use in shape.uses.items():
        if use.depth > depth and dotted.startswith(prefix):
            taken.add(dotted[len(prefix):].split(".", 1)[0])
    return frozenset(taken)


def code_names(up, target):
    """The names of module target whose values are not plain data (code,
    instances, containers): what import-time code may call into or read
    mutable state from. Worked out once per save and module."""
    known = up.code_names.get(target)
    if known is None:
        namespace = getattr(sys.modules.get(target), "__dict__", {})
        known = up.code_names[target] = frozenset(k for k, v in list(namespace.items()) if not plain(v))
    return known


def note_removed(up, name, file, shape):
    """Notes the lines of module name (shape: its source that runs, at
    file) that use a name this save removed from a module it imports:
    they raise when they run. Asked once the module's fate is known: a
    module that re-runs from a file that no longer uses the name is
    right. Not for a module with a module-level __getattr__ (PEP 562),
    which may serve the name: its uses then resolve as in a fresh run,
    whatever they give (it is not called to see: it may import)."""
    for target, change in changed_imports(up, name, shape):
        if not change.removed or "__getattr__" in getattr(sys.modules.get(target), "__dict__", {}):
            continue
        _, names = uses_of(shape, target)
        for key in sorted(change.removed.intersection(names)):
            up.note("%s.%s" % (target, key), "is no longer defined (this save removed it), and %s still uses it here: "
                    "this line raises when it runs" % name, (file, names[key].line), until=name)
