"""Submodules a package's `__init__.py` stops importing.

`from . import backend_v1 as backend` in pkg/__init__.py loads
pkg.backend_v1 and makes it an attribute of pkg. When the saved
`__init__.py` imports backend_v2 instead, and nothing else imports
backend_v1, a fresh run never loads it: `pkg.backend_v1` is an
AttributeError and the name is not in sys.modules. Run again in place,
the package still had both, so code that reached for the old backend
kept running it. Once such a save stands, the submodule leaves
sys.modules and the package, unless something still uses it: another
loaded module's imports name it, or any object but the import system's
records and hotload's holds the module (a plugin table that imported it
by name at run time).
"""

import sys

from .update import NOWHERE


def forget_unimported(up, name, shape, previous):
    """Arranges for the submodules of package name that the version
    that ran before imported and the new one (shape) does not to be
    forgotten once the save stands (see the module's doc). Cheap when
    there are none: two sets compared."""
    prefix = name + "."
    dropped = sorted(n for n in previous.import_set - shape.import_set
                     if n.startswith(prefix) and "." not in n[len(prefix):])
    if dropped and up.workspace is not None:
        up.on_commit(forget_unused, up, name, dropped)


def forget_unused(up, name, dropped):
    """Forgets each of dropped (submodules of package name), with its own
    submodules, that nothing but the import system and hotload holds."""
    package = sys.modules.get(name)
    if package is None:
        return
    importers = up.workspace.importers()
    gone = []
    for sub in dropped:
        if sub not in sys.modules or package.__dict__.get(sub[len(name) + 1:]) is not sys.modules[sub]:
            continue  # not loaded, or the new code bound the name to something else
        family = [sub] + sorted(k for k in sys.modules if k.startswith(sub + "."))
        if any(i != name and i not in family for m in family for i in importers.get(m, ())):
            continue
        if any(m in sys.modules and held_elsewhere(up, m) for m in family):
            continue
        gone += family
    if not gone:
        return
    up.workspace.forget(gone)
    for sub in gone:
        if sub in up.displaced:
            package.__dict__[sub[len(name) + 1:]] = up.displaced[sub]
    up.note(name, "no longer imports %s, which nothing else imports: it left sys.modules, as a fresh run would "
            "not load it" % ", ".join(m for m in gone if m in dropped), NOWHERE)


def held_elsewhere(up, name):
    """Reports whether anything refers to the module loaded as name but
    sys.modules, its package, the namespaces' copies from before the save
    and the workspace's records of loaded modules. It counts references
    (sys.getrefcount) rather than looking for them, since hotload never
    walks the heap; the module is never held in a variable here, so the
    count is the holders' and getrefcount's argument. A holder it does
    not know of counts as a use, and keeps the submodule, as before."""
    return sys.getrefcount(sys.modules[name]) - 1 > known_references(up, name)


def known_references(up, name):
    """How many references to the module loaded as name sys.modules, its
    package, the copies from before the save and the workspace hold."""
    module = sys.modules[name]
    package = sys.modules.get(name.rpartition(".")[0])
    holders = [sys.modules, package.__dict__ if package is not None else {}]
    holders += [before for _, before in up.namespaces]
    known = up.workspace.references(name, module)
    for holder in holders:
        for value in holder.values():
            if value is module:
                known += 1
    return known
