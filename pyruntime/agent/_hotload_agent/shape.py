"""What a module's source binds, defines and uses, read from its syntax tree.

A save decides from these, never from the heap: which names the new
version no longer binds (they are removed), where a definition is (notes
land on its line), whether a class attribute's definition changed (its
value is kept if not), and what each importer takes from each module it
imports, and when (importers re-run only if that changed).
"""

import ast

from .source import parse

# Calls that bind module globals in ways a syntax tree cannot follow.
DYNAMIC_CALLS = frozenset(("globals", "vars", "locals", "exec", "setattr"))

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPES = FUNCTIONS + (ast.Lambda, ast.ClassDef)


class Use:
    """One dotted name a module uses: where first, whether at import time,
    and whether as a value (bare) rather than only bound by an import."""

    __slots__ = ("line", "import_time", "bare")

    def __init__(self, line, import_time, bare=False):
        self.line = line
        self.import_time = import_time
        self.bare = bare


class Shape:
    """What one version of a module's source binds, defines and uses.

    binds: the names it binds at module level anywhere outside function
    bodies (assigned, imported, defined, deleted, a walrus, an except or
    with target, a match capture), and the names its functions declare
    global. A name it binds only through globals(), setattr or exec is not
    there.

    dynamic: the first line where it may bind module names dynamically
    (calls globals(), vars(), exec, setattr, or reads a __dict__), or 0.

    stars: the modules it star-imports (absolute names).

    imports: the modules its import statements outside functions may name.

    lines: the line of each definition by qualified name ("f", "C.m"),
    and of the first assignment of each module global and class attribute
    ("CACHE", "C.limit").

    class_data: for each class by qualified name, {attribute: the dump of
    the statement that assigns it} for the attributes its body assigns
    other than by def or class.

    uses: {dotted name: Use} for every module-level alias chain it reads,
    as a module sees it: `import a.b` then `a.b.c.x` is "a.b.c.x"; `from m
    import f` then `f(1)` is "m.f"; a module passed around whole is just
    its name. import_time says some use runs while the module itself runs
    (module level, class bodies, decorators, defaults, and the bodies of
    the module's functions and classes that code refers to).

    globals_read: {name: first line} of the names its functions read as
    globals (loaded, not bound locally), for naming callers of a removed
    name.

    calls: {name: first line} of the module-level calls of a method of a
    module global (`logger.addHandler(h)`), where a note about what such a
    call adds on every run lands.
    """

    def __init__(self, name, path, tree, source):
        """Reads tree, the parsed source (bytes) of module name's file at
        path. What needs the function bodies (uses, globals_read) is read
        from source again when first asked for: a save needs it only for
        the importers that may re-run, or when a name went."""
        self.binds = set()
        self.dynamic = 0
        self.stars = []
        self.imports = set()
        self.lines = {}
        self.class_data = {}
        self.calls = {}
        self.by_target = {}  # uses_of's answers, by target module
        self.indexed = {}  # importers.index's answers, by target module
        self._name, self._path, self._source = name, path, source
        self._uses = self._globals_read = None
        package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
        self._package = package
        self._aliases = {}  # local name -> dotted prefix
        self._defs = {}  # module-level def or class name -> nodes
        # Only a function that says `global` (or calls globals() or exec)
        # binds module names: most sources say neither, and their function
        # bodies need no reading here.
        self._function_bodies = any(word in source for word in (b"global", b"exec"))
        self._module_level(tree.body, "")
        self.binds = frozenset(self.binds)
        self.imports = tuple(sorted(self.imports))
        self.import_set = frozenset(self.imports)
        self.stars = tuple(self.stars)
        self._defs = None

    @property
    def uses(self):
        if self._uses is None:
            self._read_uses(parse(self._source, self._path))
        return self._uses

    @property
    def globals_read(self):
        if self._globals_read is None:
            self._globals_read = {}
            for node in ast.walk(parse(self._source, self._path)):
                if isinstance(node, FUNCTIONS + (ast.Lambda,)):
                    self._read_globals(node)
        return self._globals_read

    def _read_uses(self, tree):
        """Records every alias chain the module reads and whether at import
        time: module-level code and, as long as import-time code names one,
        the bodies of the module's own functions and classes; then every
        function body, at call time."""
        self._uses, self._defs = {}, {}
        uses = self._uses
        for stmt in tree.body:
            for node in walk_outside_scopes(stmt):
                if isinstance(node, FUNCTIONS + (ast.ClassDef,)):
                    self._defs.setdefault(node.name, []).append(node)
                elif isinstance(node, ast.ImportFrom):
                    base = absolute_module(self._package, node.module, node.level or 0)
                    for alias in node.names if base is not None else ():
                        if alias.name == "*":
                            uses.setdefault(base, Use(node.lineno, True)).bare = True
                        else:
                            # The from-import takes the name: if it changes,
                            # the module holds the old one. Taking it runs
                            # none of its code.
                            uses.setdefault(base + "." + alias.name, Use(node.lineno, False))
        reached = set()
        todo = list(tree.body)
        while todo:
            for name in self._scan(todo.pop(), True):
                if name in self._defs and name not in reached:
                    reached.add(name)
                    for definition in self._defs[name]:
                        todo.extend(body_statements(definition))
        for node in ast.walk(tree):
            if isinstance(node, FUNCTIONS):
                for stmt in node.body:
                    self._scan(stmt, False)
            elif isinstance(node, ast.Lambda):
                self._scan(node.body, False)
        self._defs = None

    # --- bindings, definitions, imports -------------------------------------

    def _module_level(self, statements, prefix):
        """Reads statements that run in the module's namespace (prefix "")
        or in a class body (prefix "C."), outside any function body."""
        for stmt in statements:
            for node in walk_outside_scopes(stmt):
                if isinstance(node, FUNCTIONS + (ast.ClassDef,)):
                    qual = prefix + node.name
                    self.lines.setdefault(qual, node.lineno)
                    if not prefix:
                        self.binds.add(node.name)
                    if isinstance(node, ast.ClassDef):
                        self.class_data[qual] = class_data(node.body)
                        for stmt in node.body:
                            for target in assigned(stmt):
                                self.lines.setdefault(qual + "." + target, stmt.lineno)
                        self._module_level(node.body, qual + ".")
                    elif self._function_bodies:
                        self._function_globals(node)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    self._import(node, bind=not prefix)
                elif not prefix:
                    self._bind_node(node)

    def _bind_node(self, node):
        kind = type(node).__name__
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.binds.add(node.id)
                if isinstance(node.ctx, ast.Store):
                    self.lines.setdefault(node.id, node.lineno)
            elif node.id in DYNAMIC_CALLS:
                self.dynamic = self.dynamic or node.lineno  # globals() called, or passed around
        elif isinstance(node, ast.NamedExpr):
            self.binds.add(node.target.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.binds.add(node.name)
        elif kind in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            self.binds.add(node.name)
        elif kind == "MatchMapping" and getattr(node, "rest", None):
            self.binds.add(node.rest)
        elif kind == "TypeAlias":  # `type X = ...`, 3.12
            self.binds.add(node.name.id)
        elif isinstance(node, ast.Attribute) and node.attr == "__dict__":
            self.dynamic = self.dynamic or node.lineno
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = attribute_chain(node.func)
            if chain is not None:
                self.calls.setdefault(chain[0], node.lineno)

    def _function_globals(self, function):
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                self.binds.update(node.names)
            elif isinstance(node, ast.Name) and node.id in ("globals", "exec"):
                self.dynamic = self.dynamic or node.lineno

    def _import(self, stmt, bind):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                parts = alias.name.split(".")
                self.imports.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
                if alias.asname:
                    local, target = alias.asname, alias.name
                else:
                    local, target = parts[0], parts[0]
                if bind:
                    self.binds.add(local)
                    self._aliases[local] = target
            return
        base = absolute_module(self._package, stmt.module, stmt.level or 0)
        if base is None:
            return
        self.imports.add(base)
        for alias in stmt.names:
            if alias.name == "*":
                self.stars.append(base)
                continue
            self.imports.add(base + "." + alias.name)
            local = alias.asname or alias.name
            if bind:
                self.binds.add(local)
                self._aliases[local] = base + "." + alias.name

    # --- uses ------------------------------------------------------------------

    def _scan(self, root, import_time):
        """Records the alias chains read under root, not entering function
        bodies (nor lambdas' unless import_time); returns the names read."""
        names = []
        todo = [root]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Attribute):
                chain = attribute_chain(node)
                if chain is not None:
                    self._use(chain, node.lineno, import_time)
                    names.append(chain[0])
                    continue
            elif isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    names.append(node.id)
                    self._use([node.id], node.lineno, import_time, bare=True)
                continue
            elif isinstance(node, FUNCTIONS):
                todo.extend(definition_header(node))  # its body runs when called
                continue
            elif isinstance(node, ast.Lambda) and node is not root and not import_time:
                todo.extend(definition_header(node))
                continue
            todo.extend(ast.iter_child_nodes(node))
        return names

    def _use(self, chain, line, import_time, bare=False):
        target = self._aliases.get(chain[0])
        if target is None:
            return
        dotted = ".".join([target] + chain[1:])
        use = self._uses.get(dotted)
        if use is None:
            self._uses[dotted] = Use(line, import_time, bare)
            return
        use.import_time = use.import_time or import_time
        use.bare = use.bare or bare

    def _read_globals(self, function):
        """Records the globals a function's body reads: the names it loads
        that it does not bind itself (or declares global)."""
        local = set()
        args = function.args
        for arg in args.args + args.kwonlyargs + getattr(args, "posonlyargs", []):
            local.add(arg.arg)
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                local.add(arg.arg)
        declared = set()
        body = [function.body] if isinstance(function, ast.Lambda) else function.body
        for stmt in body:
            for node in walk_outside_scopes(stmt):
                if isinstance(node, ast.Global):
                    declared.update(node.names)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    local.add(node.id)
                elif isinstance(node, FUNCTIONS + (ast.ClassDef,)):
                    local.add(node.name)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    local.update((a.asname or a.name.split(".")[0]) for a in node.names)
                elif isinstance(node, ast.ExceptHandler) and node.name:
                    local.add(node.name)
        local -= declared
        for stmt in body:
            for node in walk_outside_scopes(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
                    self._globals_read.setdefault(node.id, node.lineno)


def class_data(body):
    """{attribute: the dump of its assignments} for a class body's data."""
    found = {}
    for stmt in body:
        for name in assigned(stmt):
            found[name] = found.get(name, "") + ast.dump(stmt)
    return found


def assigned(stmt):
    """The plain names an assignment statement assigns."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = (stmt.target,)
    else:
        return ()
    return [t.id for t in targets if isinstance(t, ast.Name)]


def attribute_chain(node):
    """["a", "b", "c"] for the expression a.b.c; None if it is not a name
    followed by attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def walk_outside_scopes(root):
    """ast.walk that does not enter function, lambda or class bodies (it
    yields the definition itself, its decorators and defaults)."""
    todo = [root]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, SCOPES):
            todo.extend(definition_header(node))
            continue
        todo.extend(ast.iter_child_nodes(node))


def definition_header(node):
    """The parts of a def, lambda or class that run where it is defined:
    decorators, defaults, annotations, bases and keywords."""
    if isinstance(node, ast.ClassDef):
        return list(node.decorator_list) + list(node.bases) + list(node.keywords)
    args = node.args
    parts = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
    if isinstance(node, ast.Lambda):
        return parts
    parts.extend(node.decorator_list)
    if node.returns is not None:
        parts.append(node.returns)
    for arg in args.args + args.kwonlyargs + getattr(args, "posonlyargs", []):
        if arg.annotation is not None:
            parts.append(arg.annotation)
    return parts


def body_statements(definition):
    """What runs when a module's own function or class is used: a
    function's body, each method's body of a class (its body itself ran
    with the module)."""
    if isinstance(definition, ast.ClassDef):
        return [stmt for node in ast.walk(definition) if isinstance(node, FUNCTIONS) for stmt in node.body]
    return list(definition.body)


def absolute_module(package, module, level):
    """Resolves `from <level dots><module> import ...` in package; None if invalid."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if len(parts) < level:
        return None
    base = ".".join(parts[:len(parts) - level + 1])
    return base + "." + module if module else base


def uses_of(shape, target):
    """What a module whose shape is shape uses of the module target:
    (whole, {name: Use}). whole is the Use of the module object itself (a
    star import, or the module passed around), so any name may matter;
    None if it has none. Worked out once per shape and target."""
    known = shape.by_target.get(target)
    if known is None:
        known = shape.by_target[target] = _uses_of(shape, target)
    return known


def _uses_of(shape, target):
    whole = None
    names = {}
    prefix = target + "."
    for dotted, use in shape.uses.items():
        if dotted == target:
            if use.bare:
                whole = use
        elif dotted.startswith(prefix):
            name = dotted[len(prefix):].split(".", 1)[0]
            known = names.get(name)
            if known is None or (use.import_time and not known.import_time):
                names[name] = use
    return whole, names
