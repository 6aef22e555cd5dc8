"""Module names that two import roots both provide.

`python a/main.py` and `python b/main.py` are two programs: each imports
its own folder's `tool.py` as `tool`. One Python holds one module per
name, so before a request runs or evaluates a file, hotload lets the
file's import root hold the names it provides: a user module of another
root holding one of them is set aside (with its submodules and what the
workspace knows of their files), a module of this root set aside before
is put back, and the root goes to the front of sys.path, as a fresh run
of the file has its folder first. Each folder's files then import their
own neighbours, and a folder's modules keep their state while another
folder's files run.
"""

import os
import sys


def root_of(name, path):
    """The import root of module name loaded from the file at path, ending
    in os.sep: the folder the first part of the name is found in."""
    root = os.path.dirname(path)
    for _ in range(name.count(".") + (os.path.basename(path) == "__init__.py")):
        root = os.path.dirname(root)
    return os.path.join(root, "")


class Aside:
    """A module set aside: the module object and the Ran of its file
    (None if the workspace had none)."""

    __slots__ = ("module", "ran")

    def __init__(self, module, ran):
        self.module, self.ran = module, ran


class Folders:
    """Which root holds the names several roots provide (see the module's
    doc). The zero state has entered no root and set nothing aside."""

    def __init__(self):
        self.entered = None  # the root of the last request's file
        self._entry = None  # the sys.path folder that request named, as named
        self._aside = {}  # root -> {module name: Aside}
        self._listed = {}  # root -> (its folder's mtime, the names it provides)

    def enter(self, workspace, name, path, entry):
        """Lets the root of module name's file at path (entry, the sys.path
        folder it is imported from) hold the names it provides. Returns
        {module name: its file} of the modules set aside, and {module name:
        (file, the names of the aside modules it imports)} for the user
        modules of other roots that imported them: they still hold what
        they took from them.

        A request for a file of the root entered last does nothing: a
        save's cost does not grow with this."""
        if name == "__main__" or not entry or entry == self._entry:
            return {}, {}
        self._entry = entry
        root = os.path.join(os.path.abspath(entry), "")
        if root == self.entered:
            return {}, {}
        self.entered = root
        here = self._aside.get(root, {})
        # The provided names first, not workspace.loaded(): a fresh run's
        # new worker would read all of sys.modules for it.
        tops = [n for n in self._provided(root) if n in sys.modules and n != "__main__"]
        held = {}  # module name -> (its file, its root), for the user modules whose names root provides
        for top in tops:
            file = workspace.user_file(sys.modules[top])
            if file is not None and root_of(top, file) != root:
                held[top] = (file, root_of(top, file))
        if not held and not here:
            return {}, {}
        for other, module in list(sys.modules.items()):  # the submodules of the packages held
            top = other.partition(".")[0]
            if top != other and top in held:
                file = workspace.user_file(module)
                if file is not None:
                    held[other] = (file, held[top][1])
        away = list(held)
        files = {}
        for other in sorted(away):
            module = sys.modules.pop(other)
            self._aside.setdefault(held[other][1], {})[other] = Aside(module, workspace.ran.pop(other, None))
            files[other] = held[other][0]
        for other, aside in sorted(here.items()):
            if other not in sys.modules:
                sys.modules[other] = aside.module
                if aside.ran is not None:
                    workspace.ran[other] = aside.ran
        here.clear()
        front(entry)
        workspace.ran_changed()
        if not away:
            return files, {}
        return files, importers_of(workspace, set(away), {root} | {held[n][1] for n in away})

    def prime(self, roots):
        """Lists the names the folders roots provide now, for the requests
        to come: a zygote lists them once, and each fresh run's worker
        finds them listed (it checks the folder's mtime). Returns them."""
        names = set()
        for root in roots:
            names |= self._provided(os.path.join(os.path.abspath(root), ""))
        return names

    def aside_module(self, name, path):
        """The module called name set aside whose file is path, or None.
        Read by the hover's thread while the main thread may enter a root:
        it looks the module up without changing anything."""
        for modules in list(self._aside.values()):
            aside = modules.get(name)
            file = getattr(aside.module, "__file__", None) if aside is not None else None
            if isinstance(file, str) and os.path.abspath(file) == os.path.abspath(path):
                return aside.module
        return None

    def _provided(self, root):
        """The top-level module names root provides: its .py files and its
        folders with an __init__.py, read again when the folder changed."""
        try:
            mtime = os.stat(root).st_mtime_ns
        except OSError:
            return frozenset()
        listed = self._listed.get(root)
        if listed is not None and listed[0] == mtime:
            return listed[1]
        names = set()
        try:
            with os.scandir(root) as entries:
                for item in entries:
                    if item.name.endswith(".py") and item.is_file():
                        names.add(item.name[:-3])
                    elif item.is_dir() and os.path.isfile(os.path.join(item.path, "__init__.py")):
                        names.add(item.name)
        except OSError:
            return frozenset()
        names = frozenset(names)
        self._listed[root] = (mtime, names)
        return names


def front(entry):
    """Moves entry to the front of sys.path, adding it if it is missing."""
    entry = os.path.abspath(entry)
    sys.path[:] = [entry] + [p for p in sys.path if not (p and os.path.abspath(p) == entry)]


def importers_of(workspace, names, roots):
    """{module: (file, [the names of names it imports])} for the loaded user
    modules outside roots that import any of names, by the version of them
    that runs: modules shared by the programs of several folders. (A module
    of the root that provided names belongs to that folder's program.)"""
    found = {}
    for other, file in workspace.loaded().items():
        if root_of(other, file) in roots:
            continue
        known = workspace.ran.get(other)
        took = sorted(n for n in (known.imports() if known is not None else ()) if n in names)
        if took:
            found[other] = (file, took)
    return found
