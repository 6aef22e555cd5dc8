"""The user's modules among the loaded ones, and which of them import which."""

import ast
import os
import sys
import sysconfig
import time
import types

from .source import STATEMENT_FIELDS, parse

# A file changed less than this long before it was parsed may change again
# without its mtime and size changing ("racy git"): 2 s is FAT's timestamp
# granularity, the coarsest in common use (ext4 ticks every few milliseconds).
RACY_NS = 2 * 10**9


class Workspace:
    """The user's modules among the loaded ones, and which of them import which.

    A module is the user's when its file is under a workspace root (given at
    setup, or a reload's path_entry) and not under site-packages,
    dist-packages or the standard library. What a module imports comes from
    its source (import and from-import statements outside functions), parsed
    once per version of the file: finding importers never looks at objects.
    """

    def __init__(self):
        self.roots = ()  # absolute folders, each ending in os.sep
        stdlib = {sysconfig.get_paths().get(key) for key in ("stdlib", "platstdlib")}
        stdlib.add(os.path.dirname(os.__file__))
        self._stdlib = tuple(os.path.join(os.path.abspath(p), "") for p in stdlib if p)
        self._files = {}  # module name -> (module, its .py file if the user's, else None)
        # sys.modules as it was when loaded() last looked, and what it found.
        self._seen, self._found = None, {}
        # file -> (module name, (mtime_ns, size) or None if too recent to trust, names it imports)
        self._imports = {}
        # The program's __main__ counts as a user's module (re-run as an
        # importer, its main guard left out) only while hotload runs it.
        self.include_main = False

    def add_roots(self, paths):
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
        file = module.__dict__.get("__file__")
        if not isinstance(file, str) or not file.endswith(".py"):
            return None
        file = os.path.abspath(file)
        parts = file.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts or file.startswith(self._stdlib):
            return None
        return file if file.startswith(self.roots) else None

    def loaded(self):
        """Returns {name: file} for the loaded modules that are the user's."""
        # With numpy and pandas loaded, sys.modules holds thousands of modules:
        # comparing it with a copy runs in C, ten times faster than a loop.
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

    def imports(self, name, path, tree=None):
        """Returns the names of the modules name (whose file is path, parsed as
        tree if given) may import."""
        try:
            st = os.stat(path)
        except OSError:
            return ()
        version = (st.st_mtime_ns, st.st_size)
        known = self._imports.get(path)
        if known is not None and known[0] != name:
            known = None
        if tree is None and known is not None and known[1] == version:
            return known[2]
        names = imports_in_file(name, path) if tree is None else imports_in_tree(name, path, tree)
        if names is None:
            # A file being edited may not parse: it still imports what it did,
            # and re-running it will report its syntax error.
            names = known[2] if known is not None else ()
        # A version changed too recently to trust is parsed again next time.
        trusted = version if time.time_ns() - st.st_mtime_ns > RACY_NS else None
        self._imports[path] = (name, trusted, names)
        return names

    def reload_order(self, name, path, tree):
        """Returns name, then the loaded user modules that import it directly or
        transitively, each after the modules it imports; the modules of an
        import cycle come in name order. tree is name's new source, parsed."""
        files = dict(self.loaded())
        files[name] = path
        imports, importers = {}, {}
        for module, file in files.items():
            found = self.imports(module, file, tree if module == name else None)
            targets = [t for t in found if t != module and t in files]
            imports[module] = targets
            for target in targets:
                importers.setdefault(target, []).append(module)
        group, todo = {name}, [name]
        while todo:
            for importer in importers.get(todo.pop(), ()):
                if importer not in group:
                    group.add(importer)
                    todo.append(importer)
        edges = {m: sorted(t for t in imports.get(m, ()) if t in group) for m in group}
        order = [name]
        components = strongly_connected(sorted(group), edges)
        # The saved module's component imports nothing else in the group
        # (whatever it imports from the group imports it back): it goes first.
        components.sort(key=lambda component: name not in component)
        for component in components:
            order.extend(sorted(m for m in component if m != name))
        return order


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


def absolute_module(package, module, level):
    """Resolves `from <level dots><module> import ...` in package; None if invalid."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if len(parts) < level:
        return None
    base = ".".join(parts[:len(parts) - level + 1])
    return base + "." + module if module else base


def imports_in_file(name, path):
    """imports_in_tree for the file at path; None if it does not parse."""
    try:
        with open(path, "rb") as f:
            tree = parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    return imports_in_tree(name, path, tree)


def imports_in_tree(name, path, tree):
    """The modules the import statements outside functions of the module name
    (parsed from path) may name: `import a.b` names a and a.b; `from a import
    b` names a and a.b, which counts if a.b is a module."""
    package = name if os.path.basename(path) == "__init__.py" else name.rpartition(".")[0]
    found = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(package, node.module, node.level or 0)
            if base is not None:
                found.add(base)
                found.update(base + "." + alias.name for alias in node.names if alias.name != "*")
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for field in STATEMENT_FIELDS:
                for child in getattr(node, field, None) or ():
                    if isinstance(child, ast.stmt):
                        todo.append(child)
                    else:  # except handlers, match cases
                        todo.extend(child.body)
    return tuple(sorted(found))
