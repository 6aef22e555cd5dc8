"""The user's modules among the loaded ones, and which of them import which."""

import os
import sys
import sysconfig
import time
import types

from .files import file_version, read_source
from .folders import Folders
from .prepared import Prepared
from .shape import Shape, Trees
from .source import parse

# How recent a folder's mtime may be for files_gone to look at its files
# again whatever it was: a file deleted in the same tick of the clock that
# stamps folders (a few milliseconds) as the last look leaves it as it
# was. A second is far past any tick.
RACY_NS = 1_000_000_000


class Workspace:
    """The user's modules among the loaded ones, and which of them import which.

    A module is the user's when its file is under a workspace root (given at
    setup, or a reload's path_entry) and not under site-packages,
    dist-packages or the standard library. What a module imports and uses
    comes from the source of the version of it that runs (Ran): read when
    hotload ran it, or, for a module the user's code imported, when hotload
    first saw it loaded. Finding importers never looks at objects, and a
    save reads no file but the saved one's, its dependencies' (for a newer
    version on disk), those of the importers that re-run, and those of
    the modules whose save failed (to see whether they import a module
    the save runs).
    """

    def __init__(self):
        self.roots = ()  # absolute folders, each ending in os.sep
        # The paths add_roots was given: each is resolved once, not on
        # every save that names it (realpath reads each of its folders).
        self._added = set()
        stdlib = {sysconfig.get_paths().get(key) for key in ("stdlib", "platstdlib")}
        stdlib.add(os.path.dirname(os.__file__))
        self._stdlib = tuple(os.path.join(os.path.abspath(p), "") for p in stdlib if p)
        self._files = {}  # module name -> (module, its .py file if the user's, else None)
        # sys.modules as it was when loaded() last looked, and what it found.
        self._seen, self._found = None, {}
        # module name -> Ran: the version of its file that runs
        self.ran = {}
        # module name -> the loaded user modules its last run imported by a
        # name computed at run time (see dynamic.py)
        self.dynamic = {}
        # folder -> its mtime (ns) when files_gone last stated its files;
        # file -> its folder, worked out once
        self._folder_mtimes, self._folder_of = {}, {}
        # {module: [importers]} of the loaded user modules, and the loaded()
        # result and the number of changes to ran it was made from.
        self._importers, self._importers_of, self._changes = None, None, 0
        # {module that is not a loaded user module: [the loaded user modules
        # whose running version imports it]}, worked out with _importers.
        self._wanted = {}
        self._noted = None  # the loaded() result note_loaded last went through
        # The requests that ended (request_ended): what ran, or was found
        # loaded, in one came after what ran in those before it (Ran.since).
        self._requests = 0
        # (a loaded() result, {file: [the names it is loaded as]}) for loaded_as
        self._by_file = None
        # name -> None, or the Ran of its file as it was when behind last
        # read it: the modules a failed save tried to run (save_failed).
        self._failed = {}
        # (a loaded() result, {module: its place in it}) for first_imported
        self._first = None
        # ((name, its imports), _importers_of, order, order's set): the last reload_order
        # without stale modules, which the next save of name reuses while
        # the graph it was worked out from stands.
        self._order = None
        # The program's __main__ counts as a user's module (re-run as an
        # importer, its main guard left out) only while hotload runs it.
        self.include_main = False
        # The syntax trees the request that runs parsed (see Trees).
        self.trees = Trees()
        # Code compiled from the editor's text before a save (prepared.py).
        self.prepared = Prepared()
        # Which import root holds the module names several roots provide.
        self.folders = Folders()
        # {module name: {name: its function or class}} an evaluation bound
        # the name over with another definition (evaluated.py)
        self.evaluated_over = {}

    def add_roots(self, paths):
        if self._added.issuperset(paths):
            return
        self._added.update(paths)
        roots = list(self.roots)
        for path in paths:
            for variant in (os.path.abspath(path), os.path.realpath(path)):
                root = os.path.join(variant, "")
                if root not in roots:
                    roots.append(root)
        if len(roots) != len(self.roots):
            self.roots = tuple(roots)
            self._files, self._seen = {}, None

    def user_file(self, module):
        if not isinstance(module, types.ModuleType):
            return None
        return self.user_path(module.__dict__.get("__file__"))

    def user_path(self, file):
        """file, absolute, if it is a .py file of the workspace's (not of a
        library or the standard library's), else None."""
        if not isinstance(file, str) or not file.endswith(".py"):
            return None
        file = os.path.abspath(file)
        parts = file.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts or file.startswith(self._stdlib):
            return None
        return file if file.startswith(self.roots) else None

    def loaded(self):
        """Returns {name: file} for the loaded modules that are the user's."""
        # With numpy and pandas loaded, sys.modules holds hundreds of modules:
        # comparing it with a copy runs in C, ten times faster than a loop.
        # A save still runs it twice (605 modules: 20-45 us each back to
        # back, 110-150 us 300 ms after the last save; Python 3.11, this
        # project's 2-core VM). Comparing lists of its keys and values
        # instead, which reads the entries in order rather than looking
        # each key up, took 133-195 us there: no faster.
        if self._seen is not None and self._seen == sys.modules:
            return self._found
        self._seen = dict(sys.modules)
        files = self._files
        found = {}
        for name, module in self._seen.items():
            if name == "__main__" and not self.include_main:
                continue  # an attached app's program, not a module: never re-run
            known = files.get(name)
            if known is None or known[0] is not module:
                known = files[name] = (module, self.user_file(module))
            if known[1] is not None:
                found[name] = known[1]
        if len(files) > len(sys.modules) + 100:  # forget modules that were removed
            self._files = {n: k for n, k in files.items() if sys.modules.get(n) is k[0]}
        self._found = found
        return found

    def is_loaded(self, name):
        """Whether name is one of loaded()'s: the module sys.modules holds
        under name is the user's. A question about one module, answered
        without comparing all of sys.modules as loaded() does: an adapter
        asking it for each module a save runs would cost a save with 100
        importers and pandas loaded (770 modules) 0.9 ms back to back."""
        module = sys.modules.get(name)
        if module is None or (name == "__main__" and not self.include_main):
            return False
        known = self._files.get(name)
        if known is None or known[0] is not module:
            known = self._files[name] = (module, self.user_file(module))
        return known[1] is not None

    def loaded_as(self, path):
        """The names of the user modules loaded from the file at path, in
        order, as the last loaded() found them: a file in a folder without
        __init__.py is the module hotload names by the folder (`utils`)
        and, imported through the folder above as a namespace package, a
        second one (`app.utils`). Not loaded() again: every request ends
        with note_loaded, and a save's first call of it is costly."""
        found = self._found
        if self._by_file is None or self._by_file[0] is not found:
            index = {}
            for name, file in found.items():
                index.setdefault(file, []).append(name)
            self._by_file = (found, {file: sorted(names) for file, names in index.items()})
        return self._by_file[1].get(path, ())

    # --- what runs ---------------------------------------------------------------

    def ran_now(self, name, path, version, shape, code=None):
        """Records that the file at path, when it was version, ran as module
        name, as shape says; code is its (body, last) compiled with bind,
        kept to run it again while the file stays that version."""
        known, module = self.ran.get(name), sys.modules.get(name)
        if known is None or known.imports() != shape.imports:
            self._changes += 1
        loaded = known.loaded if known is not None and known.module is module else self._requests
        self.ran[name] = Ran(name, path, version, module, self.trees, shape=shape, code=code,
                             since=self._requests, loaded=loaded)
        self._failed.pop(name, None)

    def save_failed(self, names):
        """Remembers the modules a save that failed tried to run: their
        files may be newer than the versions that run, and a fresh run
        would run those files. A later save runs such a module again when
        its file imports a module that save runs (see behind)."""
        for name in names:
            self._failed.setdefault(name, None)

    def behind(self, files):
        """{name: the Ran of its file as it is now} of the modules a failed
        save tried to run that are still loaded (files: loaded()'s result)
        and whose file is still not the version that runs; forgets the
        others. One stat each: a save looks at these few, never at every
        loaded module, and reads a file again only when it changed."""
        found = {}
        for name, seen in list(self._failed.items()):
            known, path = self.ran.get(name), files.get(name)
            version = file_version(path) if path is not None else None
            if known is None or version is None or known.path != path or known.version == version:
                del self._failed[name]
                continue
            if seen is None or seen.version != version:
                try:
                    source, version = read_source(path)
                except OSError:
                    continue
                seen = self._failed[name] = Ran(name, path, version, sys.modules.get(name), self.trees, source=source)
            found[name] = seen
        return found

    def note_loaded(self):
        """Remembers the source of each user module loaded since the last
        call that hotload did not run itself (imported by the user's code),
        so that its first save knows what the version before it defined.
        Returns loaded()'s result."""
        files = self.loaded()
        if files is self._noted:
            return files  # sys.modules has not changed since the last call
        self._noted = files
        for name, file in files.items():
            known = self.ran.get(name)
            module = sys.modules.get(name)
            if known is not None and known.path == file and known.module is module:
                continue
            try:
                source, version = read_source(file)
            except OSError:
                continue
            self.ran[name] = Ran(name, file, version, module, self.trees, source=source, since=self._requests)
            self._changes += 1
        return files

    def request_ended(self):
        """note_loaded at the end of a request that may have run code; what
        runs, or is found loaded, after it came after what ran in it (see
        Ran.since). Returns loaded()'s result."""
        files = self.note_loaded()
        self._requests += 1
        return files

    def ran_back(self, name, known):
        """Puts back known, the Ran of module name before a run that was
        undone (None: it had none)."""
        if known is None:
            self.ran.pop(name, None)
        else:
            self.ran[name] = known
        self._changes += 1

    def ran_changed(self):
        """Says that modules left sys.modules or came back with their Ran
        records (folders.py): what imports what is worked out again."""
        self._changes += 1

    def previous_shape(self, name):
        """The Shape of the version of module name that runs; None if unknown."""
        known = self.ran.get(name)
        return None if known is None else known.shape_of()

    def importers(self):
        """{module: the loaded user modules whose running version imports it}."""
        # Not loaded() again: that compares all of sys.modules, and
        # note_loaded imports nothing.
        files = self.note_loaded()
        if self._importers is not None and self._importers_of == (files, self._changes):
            return self._importers
        importers, wanted = {}, {}
        for module in files:
            known = self.ran.get(module)
            for target in known.imports() if known is not None else ():
                if target != module:
                    (importers if target in files else wanted).setdefault(target, []).append(module)
        for module, targets in self.dynamic.items():  # imported by name (dynamic.py)
            for target in targets if module in files else ():
                if target in files and target != module and module not in importers.get(target, ()):
                    importers.setdefault(target, []).append(module)
        self._importers, self._importers_of, self._wanted = importers, (files, self._changes), wanted
        return importers

    def imported_by_name(self, name, loaded):
        """Records loaded, the loaded user modules module name's run
        imported by a name computed at run time (see dynamic.py)."""
        if self.dynamic.get(name, frozenset()) == loaded:
            return
        if loaded:
            self.dynamic[name] = loaded
        else:
            self.dynamic.pop(name, None)
        self._changes += 1  # importers() counts them

    def importers_of_new(self, name):
        """The loaded user modules whose running version imports module
        name, which is not loaded (as a user module): they ran without it
        (a try-import's fallback, a star import of local settings), or
        with the object it put in its place in sys.modules. Asked before
        its first run, of the modules loaded when the last request ended
        (the modules it imports come after it). A dictionary lookup while
        importers() is current; else a look at each loaded module's
        imports that parses none whose source does not name it."""
        files = self._found
        if self._importers is not None and self._importers_of == (files, self._changes):
            return list(self._wanted.get(name, ()))
        short = name.rpartition(".")[2].encode()
        found = []
        for module in files:
            known = self.ran.get(module)
            if module != name and known is not None and known.may_import(name, short):
                found.append(module)
        return found

    def ran_before_loaded(self, name):
        """The loaded user modules whose running version imports module
        name and ran before it was loaded by anything but a save of it (an
        evaluation, an import in the program or in another module's run):
        they ran without it, as those a first save re-runs did (see
        importers_of_new), and must run again on its next save, which is
        its first. A lookup in importers(), which a save works out anyway."""
        known = self.ran.get(name)
        if known is None:
            return []
        found = []
        for module in self.importers().get(name, ()):
            other = self.ran.get(module)
            if other is not None and other.since < known.loaded:
                found.append(module)
        return found

    def first_import_order(self, name, holders):
        """The order in which the loaded user modules re-run after module
        name's first run: holders (importers_of_new's) and the modules
        that import them, directly or not, each after the modules it
        imports, otherwise in the order a fresh run runs them (see
        reload_order)."""
        importers = self.importers()
        group = with_importers(set(holders), holders, importers)
        group.discard(name)
        first = self.first_imported(self._found)

        def imports_of(module):
            known = self.ran.get(module)
            found = known.imports() if known is not None else ()
            return tuple(found) + tuple(sorted(self.dynamic[module])) if module in self.dynamic else found

        edges = {m: sorted({t for t in imports_of(m) if t in group and t != m}, key=first) for m in group}
        order = []
        for component in strongly_connected(sorted(group, key=first), edges):
            order.extend(sorted(component, key=lambda m: (m not in holders, m)))
        return order

    def reload_order(self, name, path, new_imports):
        """Returns (order, stale, gone). gone are the loaded user modules
        name imports, directly or not, whose file no longer exists (deleted
        or renamed): they are in neither list, and what they import is not
        looked at. stale are the loaded user modules whose file changed
        since they last ran (a save that failed, an edit outside the
        editor) that a fresh run would run with the new code of those the
        save runs: those name imports, directly or not, and those whose
        last save failed and whose file imports a module of this save (a
        function renamed in two files, its importer saved first); the save
        runs them from their files. order is name, those, and the loaded
        user modules that import any of them directly or
        transitively, each after the modules it imports (a module that may
        re-run comes after every module it may need to see re-run), and
        otherwise in the order a fresh run runs them (see first_imported);
        in an import cycle, the modules that must run come first, then by
        name. new_imports are the modules name's new source imports."""
        importers = self.importers()
        files = self._found
        behind = self.behind(files) if self._failed else {}

        def imports_of(module):
            if module == name:
                return new_imports
            known = self.ran.get(module)
            found = known.imports() if known is not None else ()
            if module in self.dynamic:  # what it imported by name runs before it, as in its run
                found = tuple(found) + tuple(sorted(self.dynamic[module]))
            ahead = behind.get(module)
            # It runs its file, if it runs: it comes after what either imports.
            return found + ahead.imports() if ahead is not None else found

        stale, gone, seen, todo = set(), [], {name}, [name]
        while todo:
            for target in imports_of(todo.pop()):
                if target not in seen and target in files:
                    seen.add(target)
                    version = file_version(files[target])
                    if version is None:
                        gone.append(target)
                        continue
                    todo.append(target)
                    known = self.ran.get(target)
                    if known is not None and known.path == files[target] and known.version != version:
                        stale.add(target)
        if gone:
            return [], sorted(stale), sorted(gone)
        key = (name, tuple(new_imports))
        if not stale and self._order is not None and self._order[0] == key and self._order[1] is self._importers_of:
            # The same graph and imports as the last save of name; a module
            # whose save failed (a file that raises, left as it is) keeps
            # it unless its file imports one of the modules it runs.
            if not behind or not joining(self._order[3], behind):
                return self._order[2], [], []
        dirty = stale | {name}
        group = with_importers(set(dirty), dirty, importers)
        joined = join_behind(group, behind, importers) if behind else set()
        stale |= joined
        dirty |= joined
        if len(group) == 1:
            return [name], [], []
        first = self.first_imported(files)
        edges = {m: sorted({t for t in imports_of(m) if t in group and t != m}, key=first) for m in group}
        order = []
        for component in strongly_connected(sorted(group, key=first), edges):
            order.extend(sorted(component, key=lambda m: (m != name, m not in dirty, m)))
        if not stale:
            self._order = key, self._importers_of, order, frozenset(order)
        return order, sorted(stale), []

    def first_imported(self, files):
        """A sort key for the loaded user modules (files: loaded()'s
        result): the order in which they were first imported, that of
        sys.modules, which loaded() kept. Visited in that order, each
        module's imports in that order too, the modules a save re-runs
        finish in the order a fresh run's imports finish them: plugins
        that register with one registry register in the order the program
        imports them. Worked out again only when sys.modules changed."""
        if self._first is None or self._first[0] is not files:
            self._first = files, {m: i for i, m in enumerate(files)}
        rank = self._first[1]
        return lambda module: (rank.get(module, len(rank)), module)

    def files_gone(self, names):
        """The loaded user modules among names whose file no longer exists.
        Stats each one's folder, and the files of a folder only when its
        mtime changed since the last look (a file deleted or renamed
        changes it) or is too recent to tell (RACY_NS): a save with a
        hundred importers in one folder costs one stat, not a hundred."""
        by_folder = {}
        folder_of = self._folder_of
        for name in names:
            known = self.ran.get(name)  # its file as it ran: no path to work out again
            file = known.path if known is not None else self.user_file(sys.modules.get(name))
            if file is None:
                continue
            folder = folder_of.get(file)
            if folder is None:
                folder = folder_of[file] = os.path.dirname(file)
            by_folder.setdefault(folder, []).append((name, file))
        gone = []
        now = time.time_ns()
        for folder, members in by_folder.items():
            try:
                mtime = os.stat(folder).st_mtime_ns
            except OSError:
                mtime = None
            if mtime is not None and mtime == self._folder_mtimes.get(folder) and now - mtime > RACY_NS:
                continue
            gone += [name for name, file in members if file_version(file) is None]
            self._folder_mtimes[folder] = mtime
        return gone

    def gone_among(self, imports):
        """The loaded user modules among imports, their packages, and
        among what those import in turn, whose file no longer exists (reload_order's gone,
        for a module that is not loaded yet). Looks each up rather than
        reading all of sys.modules (loaded()), as a fresh run's new
        worker imports its module this way on every save."""
        gone, seen, todo = [], set(), list(imports)
        while todo:
            target = todo.pop()
            if target in seen:
                continue
            seen.add(target)
            parent = target.rpartition(".")[0]
            if parent:
                todo.append(parent)  # imported first: `from pkg.core import f` with pkg/ renamed
            file = self.user_file(sys.modules.get(target))
            if file is None:
                continue
            if file_version(file) is None:
                gone.append(target)
                continue
            known = self.ran.get(target)
            todo.extend(known.imports() if known is not None else ())
        return sorted(gone)

    def references(self, name, module):
        """How many references to module, loaded as name, the workspace
        holds: in its copy of sys.modules, its files' entries, and the
        Ran records of what runs and of failed saves."""
        held = 1 if self._seen is not None and self._seen.get(name) is module else 0
        held += 1 if self._files.get(name, (None,))[0] is module else 0
        for table in (self.ran, self._failed):
            known = table.get(name)
            held += 1 if known is not None and known.module is module else 0
        return held

    def forget(self, names):
        """Takes the modules called names out of sys.modules (and their
        parent packages' attributes) and forgets what ran: their files are
        gone, and a fresh run could not import them. A package's loaded
        submodules go with it: a fresh run imports them again under what
        the name is now (the namespace package its folder still is, when
        only its __init__.py was deleted)."""
        names = list(names)
        packages = tuple(n + "." for n in names if hasattr(sys.modules.get(n), "__path__"))
        if packages:
            names += sorted(k for k in sys.modules if k.startswith(packages) and k not in names)
        for name in names:
            module = sys.modules.pop(name, None)
            parent, _, child = name.rpartition(".")
            holder = sys.modules.get(parent) if parent else None
            if module is not None and holder is not None and getattr(holder, child, None) is module:
                try:
                    delattr(holder, child)
                except AttributeError:
                    pass
            self.ran.pop(name, None)
        self._changes += 1


class Ran:
    """The version of a module's file that runs: its file's (mtime, size)
    when it ran, the module object, and what it defines and imports (its
    Shape; for a module the user's code imported, its source, read into a
    Shape when first needed). trees: the Workspace's Trees. since: the
    number of requests that had ended when it ran (for a module the
    user's code imported, when hotload found it loaded); loaded: the same
    for the module object's first version, when it came to be loaded
    (since, unless given)."""

    __slots__ = ("name", "path", "version", "module", "trees", "shape", "source", "code", "_imports", "since", "loaded")

    def __init__(self, name, path, version, module, trees, shape=None, source=None, code=None, since=0, loaded=None):
        self.name, self.path, self.version, self.module, self.trees = name, path, version, module, trees
        self.shape, self.source, self.code = shape, source, code
        self.since, self.loaded = since, since if loaded is None else loaded
        self._imports = shape.imports if shape is not None else None

    def imports(self):
        """The modules this version's import statements may name."""
        if self._imports is None:
            shape = self.shape_of()  # one parse for this and what a save asks later
            self._imports = shape.imports if shape is not None else ()
        return self._imports

    def may_import(self, name, short):
        """Whether this version's import statements may name module name
        (short: the last part of its name, encoded): its source is parsed
        for its imports only if it holds short."""
        if self._imports is None and (self.source is None or short not in self.source):
            return False
        return name in self.imports()

    def shape_of(self):
        if self.shape is None and self.source is not None:
            try:
                tree = parse(self.source, self.path)
                self.shape = Shape(self.name, self.path, tree, self.source, self.trees)
                self.trees.hold_importer(self.shape, tree, len(self.source))
            except (SyntaxError, ValueError):
                pass
            self.source = None
        return self.shape


def with_importers(group, start, importers):
    """Adds to group, and returns, the modules that import one of start
    or of those added, directly or not (importers: {module: its
    importers})."""
    todo = list(start)
    while todo:
        for importer in importers.get(todo.pop(), ()):
            if importer not in group:
                group.add(importer)
                todo.append(importer)
    return group


def join_behind(group, behind, importers):
    """Adds to group the modules of behind ({name: the Ran of its file})
    whose file imports another module of group, with their importers,
    until none is left to add; returns those of behind that joined, in
    group already (an importer of the version that runs) or not. A fresh
    run would run their files with the new code of group's modules."""
    joined = set()
    while True:
        found = joining(group, behind) - joined
        if not found:
            return joined
        joined |= found
        group |= found
        with_importers(group, found, importers)


def joining(group, behind):
    """The modules of behind ({name: the Ran of its file}) whose file
    imports a module of group other than itself."""
    return {m for m, ahead in behind.items() if any(t in group and t != m for t in ahead.imports())}


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, without recursion: returns the strongly connected
    components, each after every component it has an edge to."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found
