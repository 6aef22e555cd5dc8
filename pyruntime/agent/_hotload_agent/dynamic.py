"""Modules a module's run imported by a name computed at run time, that
its next run no longer imports.

`importlib.import_module("backends." + NAME)` with NAME changed from
"sqlite" to "memory": a fresh run never loads backends.sqlite, but run
again in place, the module left it loaded, as an attribute of its
package too, and what its import did elsewhere stays (a plugin that put
itself in a registry of another module). No `import` statement names
such a module, so hotload learns of it from the run: the user modules
that the module's own code imported for the first time as it ran (a
finder first on sys.meta_path sees the frame that asks), and that its
import statements do not name. The module's next run finds them gone
from sys.modules: the finder hands each back, the same module object,
when the run imports it again (nothing of it runs again), and so tells
which the run still imports. Those it does not are forgotten once the
save stands, when nothing else holds them, and a Warning on the line that
imports by name says so and that what their import did elsewhere stays
until a restart. A module that keeps what such an import returned
(`mod = __import__(name)`) counts as its importer: a save of that module
runs it again (importers.py). Costs a finder on sys.meta_path while a
module runs, asked only for modules not loaded yet.
"""

import importlib
import importlib.machinery
import linecache
import sys

# Where a module imports by a name computed at run time, to place the note.
DYNAMIC_IMPORTS = ("import_module", "__import__")

# importlib.import_module's file: its frame is the import system's.
IMPORTLIB = importlib.__file__


class Finder:
    """A finder, first on sys.meta_path while the module called name runs,
    that records the modules its own code imports for the first time (the
    frame that asks, below the import system's, is the module's), and
    gives back, untouched, each module it took out of sys.modules
    (taken): its spec, its attributes and its code stay as they were, and
    nothing runs."""

    def __init__(self, name, taken):
        self.name = name
        self.modules = taken  # name -> the module taken out
        self.asked = set()  # those of modules the run imported again
        self.requested = set()  # the modules the module's code imported for the first time

    def find_spec(self, name, path=None, target=None):
        if name in self.modules:
            self.asked.add(name)
            return importlib.machinery.ModuleSpec(name, self)
        frame = sys._getframe(1)
        while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                     or frame.f_code.co_filename == IMPORTLIB):
            frame = frame.f_back
        if frame is not None and frame.f_globals.get("__name__") == self.name:
            self.requested.add(name)
        return None

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
    """One run of the module called name, with its Finder."""

    def __init__(self, workspace, name):
        self.workspace, self.name = workspace, name
        taken = {}
        known = workspace.dynamic.get(name)
        # A module another one's import statement names is that one's
        # import, not one by name. Asked only here, as reload_order asks
        # (the answer is kept).
        importers = workspace.importers() if known else {}
        for other in sorted(known or ()):
            if other in sys.modules and not any(i != name for i in importers.get(other, ())):
                taken[other] = sys.modules.pop(other)
        self.finder = Finder(name, taken)
        sys.meta_path.insert(0, self.finder)

    def end(self, up, imports, file):
        """Puts back what the run did not import again and removes the
        finder; once the save stands, records what the run imported by
        name and forgets those it no longer imports (see the module's doc)."""
        finder, self.finder = self.finder, None  # the modules it held count as held (submodules.held_elsewhere)
        try:
            sys.meta_path.remove(finder)
        except ValueError:
            pass
        dropped = []
        for other, module in finder.modules.items():
            if other not in sys.modules:
                sys.modules[other] = module
            if other not in finder.asked:
                dropped.append(other)
        finder.modules = {}
        found = {m for m in finder.requested if m not in imports and m in sys.modules
                 and self.workspace.user_file(sys.modules.get(m)) is not None}
        up.on_commit(self.commit, up, found | finder.asked, dropped, file)

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
