"""The module globals a module's functions fill, and what those functions read.

An importer that does not run again after a save calls the new code from
then on (importers.py), but what its functions computed with the old code
and kept outlives the save: a functools cache is emptied, and so is any
cache that offers cache_clear, but a global a function fills by hand
(`_memo[key] = ...`, `_memo.setdefault(key, ...)`, `global _model;
_model = ...`, `state.last = ...`) is the user's state, which hotload does
not empty. The save notes the line that fills it instead, when the
function that fills it reads something the save changed.

Read from syntax, per function (a module-level one, or a method of a
module-level class, with the functions nested in it):

- what it fills: an item or attribute stored on a name the module binds
  and the function does not (nor imported: storing into another module
  is not keeping), a setdefault called on one, or a name it declares
  global and assigns;
- what it reads: the alias chains it reads (`m.f`, `f` from `from m import
  f`), as a Shape names them, and those of the module's own functions it
  calls by name, and theirs, and so on.

A global filled with what a function was given is still noted if the
same function reads changed code: the line says "may".
"""

import ast

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Fill:
    """One line where a function fills a module global: name is the
    global, line the line, function the function's qualified name, reads
    the dotted names (as Shape.uses names them) the function reads, itself
    or through the module's own functions it calls."""

    __slots__ = ("name", "line", "function", "reads")

    def __init__(self, name, line, function, reads):
        self.name = name
        self.line = line
        self.function = function
        self.reads = reads


def fills(statements, aliases, binds):
    """[Fill] of a module whose statements are as parsed, whose imports
    bound aliases ({local name: dotted name}) and which binds binds (a
    Shape's)."""
    functions = {}
    for stmt in statements:
        if isinstance(stmt, FUNCTIONS):
            functions[stmt.name] = stmt
        elif isinstance(stmt, ast.ClassDef):
            for node in stmt.body:
                if isinstance(node, FUNCTIONS):
                    functions[stmt.name + "." + node.name] = node
    globals_ = binds - set(aliases)
    read, calls, filled = {}, {}, {}
    for qualname, function in functions.items():
        read[qualname], calls[qualname], filled[qualname] = read_function(function, aliases, globals_, functions)
    found = []
    for qualname, lines in filled.items():
        if lines:
            reads = reach(qualname, read, calls)
            found.extend(Fill(name, line, qualname, reads) for line, name in lines)
    return found


def read_function(function, aliases, globals_, functions):
    """(dotted names read, own functions called, [(line, global)] filled)
    of function's body, nested functions included."""
    local = set()
    declared = set()
    nodes = list(ast.walk(function))
    for node in nodes:
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
    local -= declared
    reads, called, filled = set(), set(), []
    for node in nodes:
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            chain = attribute_chain(node)
            if chain is not None and chain[0] in aliases and chain[0] not in local:
                reads.add(".".join([aliases[chain[0]]] + chain[1:]))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            if node.id in aliases:
                reads.add(aliases[node.id])
            elif node.id in functions:
                called.add(node.id)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in declared:
            filled.append((node.lineno, node.id))
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store):
            base = stored_on(node)
            if base in globals_ and base not in local:
                filled.append((node.lineno, base))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault":
            base = stored_on(node.func)
            if base in globals_ and base not in local:
                filled.append((node.lineno, base))
    return reads, called, filled


def reach(qualname, read, calls):
    """The dotted names function qualname reads, itself or through the
    module's own functions it calls, at any depth."""
    reads, seen, todo = set(), {qualname}, [qualname]
    while todo:
        name = todo.pop()
        reads |= read[name]
        for callee in calls[name] - seen:
            seen.add(callee)
            todo.append(callee)
    return frozenset(reads)


def stored_on(node):
    """The name at the root of a store's target (`_memo` in `_memo[k]`,
    `state` in `state.a.b`), or None."""
    node = node.value
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


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
