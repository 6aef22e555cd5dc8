"""Modules a module's run imported by a name computed at run time, that
its next run no longer imports.

`importlib.import_module("backends." + NAME)` with NAME changed from
"sqlite" to "memory": a fresh run never loads backends.sqlite, but run
again in place, the module left it loaded, as an attribute of its
package too, and what its import did elsewhere stays (a plugin that put
itself in a registry of another module). No `import` statement names
such a module, so hotload learns of it from the run: the loaded user
modules that appeared in sys.modules while the module ran, and that its
source and the other loaded modules' imports do not name. The module's
next run finds them gone from sys.modules: a finder put first on
sys.meta_path hands each back, the same module object, when the run
imports it again (nothing of it runs again), and so tells which the run
still imports. Those it does not are forgotten once the save stands,
when nothing else holds them, and a Warning on the line that imports by
name says so and that what their import did elsewhere stays until a
restart. Costs a copy of sys.modules' names per run of a module.
"""

import importlib.machinery
import itertools
import linecache
import sys

# Where a module imports by a name computed at run time, to place the note.
DYNAMIC_IMPORTS = ("import_module", "__import__")


class Handback:
    """A finder and loader that gives back, when the import system asks
    for it, a module it took out of sys.modules, untouched: its spec, its
    attributes and its code stay as they were, and nothing runs."""

    def __init__(self, modules):
        self.modules = modules  # name -> the module taken out
        self.asked = set()

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        self.asked.add(name)
        return importlib.machinery.ModuleSpec(name, self)

    def create_module(self, spec):
        module = self.modules[spec.name]
        self._spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        try:
            module.__spec__ = self._spec  # the import system gave it this loader's spec
        except AttributeError:
            pass


class Watch:
    """One run of the module called name: how many modules sys.modules
    held before it, and the handback of the modules its previous run
    imported by name."""

    def __init__(self, workspace, name):
        self.workspace, self.name = workspace, name
        taken = {}
        known = workspace.dynamic.get(name)
        # A module another one's import statement names (one the module
        # imports imports it) is that one's import, not one by name. Asked
        # only here, as reload_order asks (the answer is kept): a first
        # import that loads modules parses no other module's source.
        importers = workspace.importers() if known else {}
        for other in sorted(known or ()):
            if other in sys.modules and not any(i != name for i in importers.get(other, ())):
                taken[other] = sys.modules.pop(other)
        self.handback = Handback(taken) if taken else None
        if self.handback is not None:
            sys.meta_path.insert(0, self.handback)
        # sys.modules keeps the order modules came in: those the run loads
        # come after these (a copy of every name would cost more).
        self.count = len(sys.modules)

    def end(self, up, imports, file):
        """Puts back what the run did not import again and removes the
        finder; once the save stands, records what the run imported by
        name and forgets those it no longer imports (see the module's doc)."""
        asked, dropped = set(), []
        if self.handback is not None:
            try:
                sys.meta_path.remove(self.handback)
            except ValueError:
                pass
            asked = self.handback.asked
            for other, module in self.handback.modules.items():
                if other not in sys.modules:
                    sys.modules[other] = module
                if other not in asked:
                    dropped.append(other)
            self.handback = None  # the modules it held count as held elsewhere (submodules.held_elsewhere)
        new = itertools.islice(sys.modules, self.count, None) if len(sys.modules) > self.count else ()
        found = {m for m in new if m not in imports and m != self.name and not self.name.startswith(m + ".")
                 and self.workspace.user_file(sys.modules.get(m)) is not None}
        up.on_commit(self.commit, up, (found | asked) - set(dropped), dropped, file)

    def commit(self, up, loaded, dropped, file):
        from .submodules import held_elsewhere  # it imports update, which imports this

        self.workspace.imported_by_name(self.name, frozenset(loaded))
        if not dropped:
            return
        importers = self.workspace.importers()
        gone = [m for m in dropped if m in sys.modules and not any(i != self.name for i in importers.get(m, ()))
                and not held_elsewhere(up, m)]
        if not gone:
            return
        self.workspace.forget(gone)
        line = next((n for n, text in enumerate(linecache.getlines(file) if file else (), 1)
                     if any(word in text for word in DYNAMIC_IMPORTS)), 1)
        up.note(self.name, "no longer imports %s, which its run before imported by name: it left sys.modules, as a "
                "fresh run would not load it; what its import did elsewhere (a plugin it registered in another "
                "module) stays until you restart the runtime" % ", ".join(gone),
                (file, line) if file else None, until=self.name)
