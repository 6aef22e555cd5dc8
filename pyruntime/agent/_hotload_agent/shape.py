"""What a module's source binds, defines and uses, read from its syntax tree.

A save decides from these, never from the heap: which names the new
version no longer binds (they are removed), where a definition is (notes
land on its line), whether a class attribute's definition changed (its
value is kept if not), and what each importer takes from each module it
imports, and when (importers re-run only if that changed).
"""

import ast
import builtins
import itertools
import re
from collections import deque
from operator import attrgetter, is_, is_not

from . import effects
from .fills import attribute_chain, fills
from .keeps import function_keeps, made_plainly, parameters
from .source import parse

# Calls that bind module globals in ways a syntax tree cannot follow.
DYNAMIC_CALLS = frozenset(("globals", "vars", "locals", "exec", "setattr"))

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPES = FUNCTIONS + (ast.Lambda, ast.ClassDef)
# Made once: the walks test every node against it.
DEFINITIONS = FUNCTIONS + (ast.ClassDef,)
# Names in an if's test that may ask whether a module name is bound.
DYNAMIC_TESTS = frozenset(("globals", "vars", "locals", "dir", "hasattr", "getattr"))

# Only a function that says `global` or names globals or exec binds
# module names (see Shape._function_globals). In an ASCII source those
# are whole words; a non-ASCII one may spell a name in letters Python
# reads as the same (NFKC), so there any text containing them counts.
FUNCTION_BINDS = re.compile(rb"\b(?:global|globals|exec)\b")
FUNCTION_BINDS_TEXT = (b"global", b"exec")

# The functions that import a module by a name computed at run time.
BY_NAME = ("import_module", "__import__")

# The builtins' names: a call of one (`range`, `sorted`, `print`) runs no
# code of the program's, unless the module binds the name itself.
BUILTIN_NAMES = frozenset(dir(builtins))

# An import statement that is not at the start of a line: in a function
# body, perhaps (Shape.lazy_imports).
INDENTED_IMPORT = re.compile(rb"\n[ \t]+(?:import|from)[ \t]")

# What a display of constants is made of below the display itself, with
# the fields that hold more of it: the elements of lists, tuples and
# sets, the keys and values of dicts, the operand of a sign (-1).
LITERAL_FIELDS = {
    ast.List: ("elts",), ast.Tuple: ("elts",), ast.Set: ("elts",),
    ast.Dict: ("keys", "values"), ast.UnaryOp: ("operand",),
}
DISPLAYS = frozenset((ast.List, ast.Tuple, ast.Set, ast.Dict))
# A display with fewer elements is walked like any node: checking whether
# it holds constants only costs more than walking its few elements.
SMALL_DISPLAY = 8
# A request holds the syntax trees it parsed to read what modules use
# (not those of the modules it runs) while their sources total at most
# this: a tree takes 28 to 36 times its source's size in memory (measured
# on Python 3.11), so this is about 32 MiB of trees. Past it a Shape
# parses its source again when asked for more than its binds and imports.
HELD_SOURCE = 1 << 20


class Use:
    """One dotted name a module uses: where first, whether at import time,
    whether as a value (bare) rather than only bound by an import, and
    depth, the most dotted parts of a name the module bound by an import
    that a use reads through: `from a.b import c` then `c` reads a.b.c
    through a.b.c (3), `import a.b` then `a.b.c` through a (1). A module
    holds from import time what it reads through a name deeper than the
    module that name is in; through the module's own name (or a package's)
    it reads that module's attribute when the code runs."""

    __slots__ = ("line", "import_time", "bare", "depth")

    def __init__(self, line, import_time, bare=False, depth=0):
        self.line = line
        self.import_time = import_time
        self.bare = bare
        self.depth = depth


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

    stores: {name: first line} of the module globals that module-level code
    assigns or deletes an item or attribute of (`table["rate"] = 2`).
    With calls, these are the globals it may change in place.

    keeps: a line where its functions may keep what they read when called
    (a store, a call, a decorator: see keeps.py), or 0 if they cannot.

    first_call: the first line where its code outside function bodies
    calls something or decorates a definition (the ways it can make a
    functools cache), or 0.

    fills: where its functions fill a module global, and what each reads
    (fills.py), read when first asked for.

    under_if: the names it binds by a def, class, plain assignment or
    import directly in a branch of a module-level if (see only_under_if),
    which a run may skip.
    """

    def __init__(self, name, path, tree, source, trees=None):
        """Reads tree, the parsed source (bytes) of module name's file at
        path. What needs the function bodies (uses, globals_read) is read
        when first asked for (a save needs it only for the importers that
        may re-run, or when a global was rebound or a name went): from the
        parse that trees, the request's Trees, holds, else from source
        parsed again, which trees (if not None) then holds if it may."""
        self.binds = set()
        self.dynamic = 0
        self.stars = []
        self.imports = set()
        self.lines = {}
        # The qualified names it defines (def, class) more than once:
        # `@hook def _` three times, where a registry holds each.
        self.redefined = set()
        self.class_data = {}
        self.calls = {}
        # The module-level calls and stores that change objects of other
        # modules, in order (effects.py).
        self.effects = []
        # (the dotted name of what registers, the registered name) of the
        # module-level `Storage.register(Frozen)` and `atexit.register(flush)`
        # calls, `@Storage.register` classes and `@atexit.register` functions.
        self.registers = []
        self.stores = {}
        self.first_call = 0
        self.by_target = {}  # uses_of's answers, by target module
        self.indexed = {}  # importers.index's answers, by target module
        self._name, self._path, self._source = name, path, source
        self._trees = trees
        self._uses = self._globals_read = self._keeps = self._fills = self._lazy = None
        self._class_keeps = 0  # the line of a class that may wrap its methods (see keeps.py)
        package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
        self._package = package
        self._aliases = {}  # local name -> dotted prefix
        self._defs = {}  # module-level def or class name -> nodes
        self._defined = set()  # the qualified names of the definitions read so far
        # Only a function that says `global` (or calls globals() or exec)
        # binds module names: most sources say neither, and their function
        # bodies need no reading here.
        self._function_bodies = any(word in source for word in FUNCTION_BINDS_TEXT) and (
            not source.isascii() or FUNCTION_BINDS.search(source) is not None)
        # Whether its code at module level keeps the result of an import
        # by a name computed at run time (`mod = importlib.import_module(n)`,
        # `__import__(n).f`), rather than importing for the import's effect
        # only (a bare `importlib.import_module(n)`, as a plugin loader does).
        self.keeps_by_name = False
        self._by_name_text = any(word.encode() in source for word in BY_NAME)
        # Whether its code at import makes a call, or reads an attribute,
        # other than of a builtin or through a name an import statement
        # bound (`importlib.import_module(n)`, `os.path.join(...)`): such a
        # use (`m.setup()`, `register(mods)`, `X = mod.X`) may run or take
        # something of a module it imported by name and kept, which a
        # change to that module changes (importers.decide). A list of the
        # modules (a plugin loader's) uses none.
        self.uses_beyond = False
        statements = running(tree.body, name)[0]
        self._module_level(statements, "")
        self.under_if = frozenset(under_if(statements, False))
        self.binds = frozenset(self.binds)
        self.redefined = frozenset(self.redefined)
        self._defined = None
        self.imports = tuple(sorted(self.imports))
        self.import_set = frozenset(self.imports)
        self.stars = tuple(self.stars)
        self._defs = None

    def import_line(self, target):
        """The first line of the source that imports the module target, or 0."""
        for stmt in self._parsed().statements:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Import) and any(
                        a.name == target or a.name.startswith(target + ".") for a in node.names):
                    return node.lineno
                if isinstance(node, ast.ImportFrom):
                    base = absolute_module(self._package, node.module, node.level or 0)
                    if base is not None and (base == target or any(base + "." + a.name == target for a in node.names)):
                        return node.lineno
        return 0

    @property
    def lazy_imports(self):
        """The modules that import statements in its function bodies
        import (`def run(): import utils`), read when first asked for."""
        if self._lazy is None:
            found = set()
            # Most sources import at module level only: a look at the text
            # spares them the walk.
            indented = INDENTED_IMPORT.search(self._source) is not None
            for node in (n for stmt in self._parsed().statements for n in ast.walk(stmt)) if indented else ():
                if isinstance(node, FUNCTIONS):
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Import):
                            found.update(a.name for a in inner.names)
                        elif isinstance(inner, ast.ImportFrom):
                            base = absolute_module(self._package, inner.module, inner.level or 0)
                            if base is not None:
                                found.add(base)
                                found.update(base + "." + a.name for a in inner.names if a.name != "*")
            self._lazy = tuple(sorted(found))
        return self._lazy

    @property
    def uses(self):
        if self._uses is None:
            self._read_uses(self._parsed())
        return self._uses

    @property
    def keeps(self):
        if self._keeps is None:
            self._read_uses(self._parsed())
        return self._keeps

    @property
    def fills(self):
        if self._fills is None:
            self._fills = fills(self._parsed().statements, self._aliases, self.binds)
        return self._fills

    @property
    def globals_read(self):
        if self._globals_read is None:
            self._globals_read = {}
            for node in self._parsed().functions():
                self._read_globals(node)
        return self._globals_read

    @property
    def aliases(self):
        """{local name: the dotted name it imports} of the module-level imports."""
        return self._aliases

    @property
    def source(self):
        """The bytes this Shape was read from."""
        return self._source

    def only_under_if(self, names, run=None):
        """The names among names that the source binds only inside
        module-level if statements, by def or class statements, plain
        assignments (`x = ...`, `x: T = ...`, `a, b = ...`) or imports
        (`if TYPE_CHECKING: from models import User`) directly in a
        branch: what a run skips when their condition is false. An if keeps
        its names on purpose, and they are left out, when its test names
        them or globals() (`if "f" not in globals()`), or, given run (the
        names the run's definitions, assignments and nested imports
        bound), reads a name the source assigns that this run did not (`if
        not _ready:` after `try: _ready except NameError: _ready =
        False`)."""
        found, other = set(), set()
        carried = set()
        if run is not None:
            for stmt in self._parsed().statements:
                for node in walk_outside_scopes(stmt):
                    if isinstance(node, DEFINITIONS):
                        carried.add(node.name)
                    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                        carried.update(n.id for n in assignment_targets(node))
            carried.difference_update(run)

        def visit(statements, tested):
            for stmt in statements:
                if isinstance(stmt, ast.If):
                    for node in walk_outside_scopes(stmt.test):
                        if isinstance(node, ast.Name) and (node.id in DYNAMIC_TESTS or node.id in carried):
                            other.update(names)  # a test that may ask whether names are bound: leave them be
                        elif isinstance(node, ast.Name):
                            other.add(node.id)  # a test about the name itself, or a walrus
                        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                            other.add(node.value)  # "f" in a test: may ask whether f is bound
                    visit(stmt.body, True)
                    visit(stmt.orelse, True)
                    continue
                if tested and isinstance(stmt, DEFINITIONS):
                    found.add(stmt.name)
                    nodes = [n for d in definition_header(stmt) for n in walk_outside_scopes(d)]
                elif tested and isinstance(stmt, (ast.Assign, ast.AnnAssign)) and assignment_targets(stmt):
                    targets = assignment_targets(stmt)
                    found.update(t.id for t in targets)
                    nodes = [n for n in walk_outside_scopes(stmt) if not any(n is t for t in targets)]
                elif tested and isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    found.update(imported_names(stmt))
                    nodes = ()
                else:
                    nodes = walk_outside_scopes(stmt)
                for node in nodes:
                    if isinstance(node, DEFINITIONS):
                        other.add(node.name)
                    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                        other.add(node.id)
                    elif isinstance(node, (ast.Import, ast.ImportFrom)):
                        other.update((a.asname or a.name).split(".")[0] for a in node.names)
                    elif isinstance(getattr(node, "name", None), str) and not isinstance(node, ast.alias):
                        other.add(node.name)  # an except handler's name, a match capture
                    elif isinstance(getattr(node, "rest", None), str):
                        other.add(node.rest)

        visit(self._parsed().statements, False)
        return sorted(found & set(names) - other)

    def statement_line(self, line):
        """The first line of the module-level statement that holds line:
        the innermost, through if, try, with, for and while (not into a
        def or a class, whose whole statement is the module's); line if
        none holds it."""
        found, statements = line, self._parsed().statements
        while statements:
            node = next((n for n in statements if n.lineno <= line <= (getattr(n, "end_lineno", None) or n.lineno)), None)
            if node is None:
                break
            found = node.lineno
            statements = list(blocks(node)) if not isinstance(node, DEFINITIONS) else ()
        return found

    def _parsed(self):
        """The request's parse of the source: the one trees holds, else
        the source parsed again."""
        parsed = self._trees.get(self) if self._trees is not None else None
        if parsed is None:
            tree = parse(self._source, self._path)
            parsed = Parsed(tree) if self._trees is None else self._trees.hold(self, tree, len(self._source))
        return parsed

    def _read_uses(self, parsed):
        """Records every alias chain the module reads and whether at import
        time: module-level code and, as long as import-time code names one,
        the bodies of the module's own functions and classes; then every
        function body, at call time."""
        self._uses, self._defs = {}, {}
        uses = self._uses
        top = set(map(id, parsed.statements))
        plain, rebound = set(), set()  # module-level names bound by a plain def, and otherwise
        for stmt in parsed.statements:
            for node in walk_outside_scopes(stmt):
                if isinstance(node, DEFINITIONS):
                    self._defs.setdefault(node.name, []).append(node)
                    if isinstance(node, ast.ClassDef) or node.decorator_list or id(node) not in top:
                        rebound.add(node.name)
                    else:
                        plain.add(node.name)
                elif isinstance(node, ast.Name):
                    if not isinstance(node.ctx, ast.Load):
                        rebound.add(node.id)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    rebound.update((a.asname or a.name).split(".")[0] for a in node.names)
                    if isinstance(node, ast.Import):
                        continue
                    base = absolute_module(self._package, node.module, node.level or 0)
                    for alias in node.names if base is not None else ():
                        if alias.name == "*":
                            uses.setdefault(base, Use(node.lineno, True)).bare = True
                        else:
                            # The from-import takes the name: if it changes,
                            # the module holds the old one. Taking it runs
                            # none of its code.
                            dotted = base + "." + alias.name
                            use = uses.setdefault(dotted, Use(node.lineno, False))
                            use.depth = max(use.depth, dotted.count(".") + 1)
        reached = set()
        todo, guards = running(parsed.statements, self._name)
        for stmt in guards:
            self._scan(stmt, False)  # run once, at the program's start: read as a function body is
        while todo:
            for name in self._scan(todo.pop(), True):
                if name in self._defs and name not in reached:
                    reached.add(name)
                    for definition in self._defs[name]:
                        todo.extend(body_statements(definition))
        own = plain - rebound
        # A module that binds names through globals() or exec may rebind
        # its own functions where this cannot see.
        keeps = self._class_keeps or self.dynamic
        for node in parsed.functions():
            if isinstance(node, ast.Lambda):
                self._scan(node.body, False)
                body = [node.body]
            else:
                for stmt in node.body:
                    self._scan(stmt, False)
                body = node.body
            if not keeps:
                keeps = function_keeps(node, [n for stmt in body for n in walk_outside_scopes(stmt)], own, self.binds)
        self._defs = None
        self._keeps = keeps

    # --- bindings, definitions, imports -------------------------------------

    def _module_level(self, statements, prefix):
        """Reads statements that run in the module's namespace (prefix "")
        or in a class body (prefix "C."), outside any function body."""
        for stmt in statements:
            bare = None  # ids of the calls that are whole statements in stmt (a loop's body's too)
            for node in walk_outside_scopes(stmt):
                if (self._by_name_text and isinstance(node, ast.Call) and not prefix
                        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in BY_NAME):
                    if bare is None:
                        bare = {id(n.value) for n in walk_outside_scopes(stmt) if isinstance(n, ast.Expr)}
                    if id(node) not in bare:
                        self.keeps_by_name = True
                if isinstance(node, DEFINITIONS):
                    if node.decorator_list and not self.first_call:
                        self.first_call = node.decorator_list[0].lineno
                    qual = prefix + node.name
                    self.lines.setdefault(qual, node.lineno)
                    if qual in self._defined:
                        self.redefined.add(qual)
                    self._defined.add(qual)
                    if not prefix:
                        self.binds.add(node.name)
                    # `@Storage.register class Frozen`, `@atexit.register def flush`
                    for chain in filter(None, map(register_chain, node.decorator_list) if not prefix else ()):
                        self.registers.append((".".join(chain[:-1]), node.name))
                    if isinstance(node, ast.ClassDef):
                        if not made_plainly(node):
                            self._class_keeps = self._class_keeps or node.lineno
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
                elif isinstance(node, ast.Call):
                    self.uses_beyond = True  # a class body's call: not looked into
                    self.first_call = self.first_call or node.lineno

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
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and type(node.ctx) is not ast.Load:
            start = effects.root(node)
            if start in self._aliases:
                if type(node.ctx) is ast.Store:
                    self.effects.append(node)  # pd.options.x = ..., os.environ["X"] = ...
            elif start is not None:
                self.stores.setdefault(start, node.lineno)  # table["rate"] = 2, del frame.margin
        elif isinstance(node, ast.Attribute) and node.attr == "__dict__":
            self.dynamic = self.dynamic or node.lineno
            self.uses_beyond = True
        elif isinstance(node, ast.Attribute):  # a read: `X = mod.X`, `os.sep`
            if not self.uses_beyond:
                start = effects.root(node)
                self.uses_beyond = start is None or start not in self._aliases
        elif isinstance(node, ast.Call):
            self.first_call = self.first_call or node.lineno
            chain = attribute_chain(node.func) if isinstance(node.func, ast.Attribute) else None
            if not self.uses_beyond:
                if isinstance(node.func, ast.Name):
                    self.uses_beyond = node.func.id not in BUILTIN_NAMES or node.func.id in self.binds
                else:
                    self.uses_beyond = chain is None or chain[0] not in self._aliases
            if chain is not None:
                self.calls.setdefault(chain[0], node.lineno)
                if register_chain(node.func) and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
                    self.registers.append((".".join(chain[:-1]), node.args[0].id))
            start = chain[0] if chain is not None else node.func.id if isinstance(node.func, ast.Name) else None
            if start in self._aliases and effects.changes(node, self._aliases):
                self.effects.append(node)

    def _function_globals(self, function):
        for node in walk([function]):
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
            todo.extend(CHILDREN.get(type(node), ast.iter_child_nodes)(node))
        return names

    def _use(self, chain, line, import_time, bare=False):
        target = self._aliases.get(chain[0])
        if target is None:
            return
        dotted = ".".join([target] + chain[1:])
        depth = target.count(".") + 1
        use = self._uses.get(dotted)
        if use is None:
            self._uses[dotted] = Use(line, import_time, bare, depth)
            return
        use.import_time = use.import_time or import_time
        use.bare = use.bare or bare
        use.depth = max(use.depth, depth)

    def _read_globals(self, function):
        """Records the globals a function's body reads: the names it loads
        that it does not bind itself (or declares global)."""
        local = parameters(function)
        declared = set()
        body = [function.body] if isinstance(function, ast.Lambda) else function.body
        for stmt in body:
            for node in walk_outside_scopes(stmt):
                if isinstance(node, ast.Global):
                    declared.update(node.names)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    local.add(node.id)
                elif isinstance(node, DEFINITIONS):
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


def under_if(statements, tested):
    """Yields the names statements bind by a def, class, plain assignment
    or import directly in a branch of an if among them (tested: they are
    one), through nested ifs only."""
    for stmt in statements:
        if isinstance(stmt, ast.If):
            yield from under_if(stmt.body, True)
            yield from under_if(stmt.orelse, True)
        elif tested and isinstance(stmt, DEFINITIONS):
            yield stmt.name
        elif tested and isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield from imported_names(stmt)
        elif tested:
            for target in assignment_targets(stmt):
                yield target.id


def imported_names(stmt):
    """The names an import statement binds (`import a.b` binds a); none
    for a star import, whose names its source decides."""
    return [(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"]


def assignment_targets(stmt):
    """The Name nodes an assignment binds, as its run's bind hook reports
    them (source.assigned_names): `a = b = f()`, `a, (b, *c) = x`, `a: T =
    v`; none for `a: T` alone or `a += 1`, which bind nothing new."""
    if isinstance(stmt, ast.Assign):
        todo = list(stmt.targets)
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        todo = [stmt.target]
    else:
        return []
    names = []
    while todo:
        target = todo.pop()
        if isinstance(target, ast.Name):
            names.append(target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            todo.extend(target.elts)
        elif isinstance(target, ast.Starred):
            todo.append(target.value)
    return names


def register_chain(node):
    """["Storage", "register"] for `Storage.register` (a dotted name whose
    last part is register), else None."""
    chain = attribute_chain(node) if isinstance(node, ast.Attribute) else None
    return chain if chain is not None and len(chain) > 1 and chain[-1] == "register" else None


def walk_outside_scopes(root):
    """ast.walk, depth first, that does not enter function, lambda or
    class bodies (it yields the definition itself, its decorators and
    defaults), nor displays of constants."""
    todo = [root]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, SCOPES):
            todo.extend(definition_header(node))
            continue
        todo.extend(CHILDREN.get(type(node), ast.iter_child_nodes)(node))


def walk(nodes):
    """ast.walk (breadth first, in the same order) from each of nodes,
    that does not enter displays of constants."""
    todo = deque(nodes)
    while todo:
        node = todo.popleft()
        todo.extend(CHILDREN.get(type(node), ast.iter_child_nodes)(node))
        yield node


def no_children(node):
    return ()


def display_parts(node):
    """The child nodes of node, a display (list, tuple, set, dict), that a
    walk must visit: of a short one, all; of a long one, none if it holds
    constants only (see constant_display), else all but its plain
    constants, picked out in C. A generated module's data may be a
    million elements; constants read and bind no name."""
    fields = (node.keys, node.values) if type(node) is ast.Dict else (node.elts,)
    if len(fields[0]) < SMALL_DISPLAY:
        return ast.iter_child_nodes(node)
    if constant_display(node):
        return ()
    # A dict's keys hold None for each **mapping.
    return filter(None, itertools.chain.from_iterable(
        itertools.compress(field, map(is_not, map(type, field), itertools.repeat(ast.Constant))) for field in fields))


def constant_display(node):
    """Reports whether node, a display (list, tuple, set, dict), holds
    constants only, or displays of them, at any depth, maybe signed (-1):
    then it reads and binds no name, however long. It is checked a level
    at a time with map, compress and chain, which run in C: no Python code
    runs per element."""
    level = [node]
    while level:
        kinds = set(map(type, level))
        kinds.discard(ast.Constant)
        below = []
        for kind in kinds:
            fields = LITERAL_FIELDS.get(kind)
            if fields is None:
                return False
            parts = list(itertools.compress(level, map(is_, map(type, level), itertools.repeat(kind))))
            for field in fields:
                values = map(attrgetter(field), parts)
                if kind is ast.UnaryOp:
                    below.extend(values)
                elif field == "keys":  # None for each **mapping
                    below.extend(filter(None, itertools.chain.from_iterable(values)))
                else:
                    below.extend(itertools.chain.from_iterable(values))
        level = below
    return True


# How the walks find the child nodes of a node of these types, rather than
# by ast.iter_child_nodes: a name's or a constant's children, if any, are
# contexts (Load, Store), which matter to no walk, nor do theirs; and a
# display may be a module's data (see display_parts).
CHILDREN = {
    **dict.fromkeys((ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del), no_children),
    **dict.fromkeys(DISPLAYS, display_parts),
}


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
        return [stmt for node in walk([definition]) if isinstance(node, FUNCTIONS) for stmt in node.body]
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


def blocks(statement):
    """The statements in statement's blocks: an if's, a loop's, a with's,
    a try's (its handlers'), a match's (its cases')."""
    for field in ("body", "orelse", "finalbody"):
        value = getattr(statement, field, None)
        if isinstance(value, list):
            yield from value
    for part in getattr(statement, "handlers", None) or getattr(statement, "cases", None) or ():
        yield from part.body


class Parsed:
    """One parse of a module's source: its statements as parsed, and the
    tree itself until it is taken to be compiled. compile_tree changes the
    tree: it adds calls of its hooks to the statements, which read no name
    of the user's and define nothing, so what a Shape reads from the
    statements is the same before and after."""

    __slots__ = ("statements", "tree", "_functions")

    def __init__(self, tree):
        self.statements = list(tree.body)
        self.tree = tree
        self._functions = None

    def functions(self):
        """The function and lambda nodes, in the order of ast.walk."""
        if self._functions is None:
            self._functions = [node for node in walk(self.statements) if isinstance(node, FUNCTIONS + (ast.Lambda,))]
        return self._functions


def running(statements, name):
    """(the statements of module name's source that run when it runs in
    place, the others): all of them, but for a running program's
    __main__, whose `if __name__ == "__main__":` blocks never run again
    (see app.py): what they call is not the module's import-time code,
    and what they bind is not bound by its re-runs."""
    if name != "__main__":
        return list(statements), []
    from .app import is_main_guard  # it imports what imports this module
    guards = [stmt for stmt in statements if is_main_guard(stmt)]
    return [stmt for stmt in statements if not is_main_guard(stmt)], guards


class Trees:
    """The parses of one request (a save), by Shape, so that it parses no
    file twice: what a Shape reads when first asked for (uses,
    globals_read) and the code of a module that re-runs come from one
    parse. A syntax tree is large, and one held while code runs costs the
    garbage collector about what parsing it again would, so the request
    drops each as soon as it is done with it (ops), all of them when it
    ends, and of the modules parsed to read the import graph it holds
    only the trees of the saved module's importers.

    saved: the module the request saves, or None."""

    def __init__(self):
        self.saved = None
        self._held = {}  # Shape -> Parsed
        # The length of the sources held within HELD_SOURCE so far in the
        # request (a drop does not give it back).
        self._size = 0

    def get(self, shape):
        """The Parsed of shape's source held, or None."""
        return self._held.get(shape)

    def hold(self, shape, tree, size=None, compiling=False):
        """Holds tree, a parse of shape's source, and returns its Parsed.
        size: the source's length, held while the sources held total at
        most HELD_SOURCE; None to hold it whatever its size (a module the
        request runs). compiling: the caller compiles tree now, so take
        never hands it out."""
        parsed = Parsed(tree)
        if compiling:
            parsed.tree = None
        if size is None:
            self._held[shape] = parsed
        elif self._size + size <= HELD_SOURCE:
            self._held[shape] = parsed
            self._size += size
        return parsed

    def hold_importer(self, shape, tree, size):
        """hold for a parse made to read the import graph: only if shape's
        module imports the saved one (the save asks what it uses from it,
        and may run it again); most modules are parsed only for this."""
        if self.saved is not None and self.saved in shape.import_set:
            self.hold(shape, tree, size)

    def take(self, shape):
        """The held tree of shape's source, to compile (which changes it):
        once; None if none is held or it was taken."""
        parsed = self._held.get(shape)
        if parsed is None:
            return None
        tree, parsed.tree = parsed.tree, None
        return tree

    def drop(self, shape):
        """Lets go of the parse of shape's source: the request is done
        with it."""
        self._held.pop(shape, None)

    def clear(self):
        """Lets go of every parse: the request ended."""
        self.saved = None
        self._held.clear()
        self._size = 0
