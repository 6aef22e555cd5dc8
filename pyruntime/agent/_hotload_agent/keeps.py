"""Whether a module's functions may keep what they read, from its source.

A function that reads m.x when called reads m's new x after a save that
changed it; what it computed from the old x outlives the save only if
the module kept it somewhere: stored it (in a global, an attribute, an
item, a mutable default), handed it to code that may store it (a method,
another module's function, a decorator's wrapper such as
functools.lru_cache, a class's machinery), or was suspended holding it
(a generator, a coroutine). An importer whose functions do none of that
holds nothing it read when called, so it need not run again when such a
name changes (see importers.py).

The test reads syntax. It counts every call but of a few builtins (and
of those, one given a callable to call, `key=` or a `file=` to write to)
and of the module's own plain functions, every store but to a local
name, every `+=` on a local that may hold a shared object, every
decorator, every class made other than by `class C:`, and every yield,
await, global and nonlocal. It does not see code that an operator, an
attribute read or an iteration runs (an `__add__` that stores its
operand): such code keeps what it is given only by design.
"""

import ast
import builtins

# Builtins that compute their result from their arguments and keep none
# of them (print writes them out: nothing a later call returns).
PURE_BUILTINS = frozenset((
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "chr", "complex", "dict", "divmod", "enumerate",
    "float", "format", "frozenset", "hash", "hex", "int", "isinstance", "issubclass", "len", "list", "max",
    "min", "oct", "ord", "pow", "print", "range", "repr", "reversed", "round", "set", "slice", "sorted",
    "str", "sum", "tuple", "zip",
)) | frozenset(k for k, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException))

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Keywords by which a pure builtin calls, or writes to, what it is given:
# sorted, min and max call key=, print writes to file=.
CALLING_KEYWORDS = frozenset(("key", "file"))
# Nodes of a function's body that keep, or suspend it with what it holds.
# A class made inside a function is a new class per call: it counts too.
KEEPERS = (ast.Yield, ast.YieldFrom, ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Global, ast.Nonlocal, ast.ClassDef)
# Expressions whose value is a new object (or an immutable one): `x +=`
# on a local bound only to these changes nothing another call sees.
NEW_VALUES = (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp, ast.JoinedStr, ast.BinOp, ast.UnaryOp, ast.Compare)


def made_plainly(node):
    """Whether class node is made by `class C:` alone: with a base, a
    metaclass or a decorator, what makes it may wrap its methods."""
    return not (node.bases or node.keywords or node.decorator_list)


def function_keeps(function, nodes, own, binds):
    """The line where function may keep what it read, or 0. nodes: those
    of its own body, outside its nested functions and classes; own: the
    module's plain functions (their bodies are tested too); binds: the
    names the module binds (a builtin it rebinds is its own)."""
    if getattr(function, "decorator_list", None):
        return function.lineno
    params = parameters(function)
    local, shared = set(params), set(params)
    new = set()  # ids of the Name nodes bound to a new object (see NEW_VALUES), or by `+=` itself
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, NEW_VALUES):
            new.update(id(t) for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
        elif isinstance(node, ast.AugAssign):
            new.add(id(node.target))
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            local.add(node.id)
            if id(node) not in new:
                shared.add(node.id)
        elif isinstance(node, FUNCTIONS):
            local.add(node.name)
    for node in nodes:
        if isinstance(node, KEEPERS):
            return node.lineno
        if isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            return node.lineno
        if isinstance(node, ast.Call) and not pure_call(node, own, binds, local):
            return node.lineno
        # `x += y` changes in place what x holds if it may be shared: a
        # parameter (a mutable default), or a local bound to what came
        # from elsewhere (`x = CACHE`).
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in shared:
            return node.lineno
    return 0


def parameters(function):
    """The names of a function's (or a lambda's) parameters."""
    args = function.args
    every = args.args + args.kwonlyargs + getattr(args, "posonlyargs", []) + [args.vararg, args.kwarg]
    return {arg.arg for arg in every if arg is not None}


def pure_call(call, own, binds, local):
    """Whether call keeps nothing itself: a call of one of the module's
    own plain functions, or of one of PURE_BUILTINS that neither the
    module nor the function rebinds, given no callable to call (a lambda's
    body is tested as a function) nor a file to write to."""
    func = call.func
    if not isinstance(func, ast.Name) or func.id in local:
        return False
    if func.id in own:
        return True
    if func.id not in PURE_BUILTINS or func.id in binds:
        return False
    return not any((k.arg is None or k.arg in CALLING_KEYWORDS) and not isinstance(k.value, ast.Lambda) for k in call.keywords)
