"""Compiling module and evaluation source, with the bind hook of a re-run."""

import ast
import importlib.util


def parse(source, filename):
    # The builtin compile rather than ast.parse: a SyntaxError then carries no
    # frame of the standard library's ast.py.
    return compile(decode(source), filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)


def decode(source):
    """A file's bytes as the text Python reads (coding line, BOM), or the
    bytes themselves if they do not decode, so that Python names the fault.

    Compiling text rather than bytes: Python 3.9 to 3.12 give a SyntaxError
    in bytes without a coding line its columns in bytes, not characters.
    """
    if not isinstance(source, bytes):
        return source
    try:
        return importlib.util.decode_source(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return source


def compile_split(source, filename, bind=False):
    """Compiles source as a body plus, when it ends in an expression, that expression.

    Returns (body_code, last_expr_code_or_None). Line numbers stay those of the file,
    so tracebacks point at the user's lines.
    """
    return compile_tree(parse(source, filename), filename, bind)


def compile_tree(tree, filename, bind=False):
    """compile_split for a parsed module, which it changes. With bind, the body
    calls __hotload_bind__(name) after each def and class statement outside
    functions (see bind_definitions)."""
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    if bind:
        tree.body = bind_definitions(tree.body)
    body = compile(tree, filename, "exec", dont_inherit=True)
    last_code = compile(last, filename, "eval", dont_inherit=True) if last is not None else None
    return body, last_code


def run_split(body, last, namespace):
    exec(body, namespace)
    if last is None:
        return None
    return eval(last, namespace)


# The global through which a re-running module calls back into its Update.
BIND_HOOK = "__hotload_bind__"

# The statement lists of a compound statement, by field, where a module-level
# def or class may sit (inside if/try/with/for/while/match, not inside a def).
STATEMENT_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def bind_definitions(statements):
    """Returns statements with `__hotload_bind__("name")` after each definition.

    A re-run module binds each function and class it defines to the old object,
    updated in place, as soon as the definition has run, so the rest of the
    module already uses it: `p = Point(1, 2)` after `class Point` makes an
    instance of the class live objects have, and `class B(A)` gets the old A.
    Each call carries its definition's location, so a traceback through it
    points at the def line (the agent's own frames are hidden, as always).
    """
    out = []
    for stmt in statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(stmt)
            call = ast.Expr(ast.Call(ast.Name(BIND_HOOK, ast.Load()), [ast.Constant(stmt.name)], []))
            out.append(ast.fix_missing_locations(ast.copy_location(call, stmt)))
            continue
        for field in STATEMENT_FIELDS:
            children = getattr(stmt, field, None)
            if not children:
                continue
            if isinstance(children[0], ast.stmt):
                setattr(stmt, field, bind_definitions(children))
            else:  # except handlers, match cases: each has a body
                for child in children:
                    child.body = bind_definitions(child.body)
        out.append(stmt)
    return out
