"""Compiling module and evaluation source, with the bind hook of a re-run."""

import ast
import importlib.util
import linecache
import sys
import warnings

from .files import read_source

# A file name Python cannot open: a SyntaxError of text compiled under it
# takes its line from the text (see relocate).
UNREADABLE = "<hotload: the text compiled>"


def parse(source, filename):
    text = decode(source)
    try:
        # The builtin compile rather than ast.parse: a SyntaxError then
        # carries no frame of the standard library's ast.py.
        return compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if isinstance(text, str) and exc.lineno and not same_line(exc.text, line_of(text, exc.lineno)):
            relocate(exc, text)
        raise


def line_of(text, lineno):
    """Line lineno (from 1) of text as Python splits it, "" past its end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


def same_line(said, line):
    """Whether said, a SyntaxError's text, is line (without its end)."""
    return said is not None and said.rstrip("\r\n") == line


def relocate(exc, text):
    """Gives exc, a SyntaxError of text compiled as the file Python names
    it by, the line and columns (code points) of the SyntaxError of text
    compiled alone, if that is the same error. From Python 3.9 on the
    parser reads the line of its error from the file, as UTF-8 (a latin-1
    file's accented letters are replacement characters there, a BOM is a
    character of line 1; an evaluated line is the file's line, not the one
    evaluated), and counts its columns in that line."""
    again = error_of(text)
    if again is None or (again.lineno, again.msg) != (exc.lineno, exc.msg):
        return
    exc.text, exc.offset = again.text, again.offset
    if sys.version_info >= (3, 10):
        exc.end_lineno, exc.end_offset = again.end_lineno, again.end_offset


def relocate_file(exc):
    """relocate for a SyntaxError of the file exc names that Python's
    import compiled from its bytes (the user's code imported it): Python
    3.9 to 3.12 count the columns of a UTF-8 file without a coding line in
    bytes, from 3.9 line 1's text holds the BOM, and the compiler's errors
    count bytes. Reads the file, and parses it again only when the line of
    the error is not ASCII or not the text Python gave."""
    try:
        text = decode(read_source(exc.filename)[0])
    except (OSError, ValueError):
        return
    if not isinstance(text, str):
        return
    line = line_of(text, exc.lineno)
    if not (line.isascii() and same_line(exc.text, line)):
        relocate(exc, text)


def error_of(text):
    """The SyntaxError compiling text raises, its line text's and its
    columns in code points; None if it compiles."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the first compile gave them
        try:
            tree = compile(text, UNREADABLE, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as exc:
            return exc
        try:
            compile(tree, UNREADABLE, "exec", dont_inherit=True)
        except SyntaxError as exc:
            in_code_points(exc, lambda lineno: line_of(text, lineno))
            return exc
    return None


def in_code_points(exc, line):
    """Makes the columns of exc, a SyntaxError of the compiler, which
    counts them in UTF-8 bytes, code points of its lines (line(lineno)
    gives one), and its text its first line."""
    first = line(exc.lineno)
    exc.text = first + "\n"
    exc.offset = chars(first, exc.offset)
    end_lineno = getattr(exc, "end_lineno", None)
    if end_lineno:
        exc.end_offset = chars(first if end_lineno == exc.lineno else line(end_lineno), exc.end_offset)


def chars(line, offset):
    """The 1-based code point column of offset, a 1-based UTF-8 byte column of line."""
    if not offset or offset < 1:
        return offset
    return len(line.encode("utf-8")[:offset - 1].decode("utf-8", "replace")) + 1


def decode(source):
    """A file's bytes as the text Python reads (coding line, BOM), or the
    bytes themselves if they do not decode, so that Python names the fault.

    Compiling text rather than bytes: Python 3.9 to 3.12 give a SyntaxError
    in bytes without a coding line its columns in bytes, not characters.
    """
    if not isinstance(source, bytes):
        return source
    if source.isascii() and b"\r" not in source and b"coding" not in source and b"\0" not in source:
        # What decode_source returns for it, without its tokenizer's
        # Python code: no BOM, no coding line (so UTF-8, whose ASCII
        # part it is), no line endings to translate, no NUL (which its
        # tokenizer refuses in the first two lines from Python 3.14 on).
        return source.decode("ascii")
    try:
        return importlib.util.decode_source(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return source


def compile_split(source, filename, bind=False):
    """Compiles source as a body plus, when it ends in an expression, that expression.

    Returns (body_code, last_expr_code_or_None). Line numbers stay those of the file,
    so tracebacks point at the user's lines.
    """
    text = decode(source)
    return compile_tree(parse(text, filename), filename, bind, text)


def compile_tree(tree, filename, bind=False, text=None):
    """compile_split for a parsed module, which it changes. With bind, the body
    calls __hotload_bind__(name) after each def and class statement outside
    functions (see bind_definitions). text is the source tree was parsed
    from (None: the file's, as linecache has it), whose lines a SyntaxError
    of the compiler is located in (see relocate)."""
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    if bind:
        tree.body = bind_definitions(tree.body)
    try:
        body = compile(tree, filename, "exec", dont_inherit=True)
        last_code = compile(last, filename, "eval", dont_inherit=True) if last is not None else None
    except SyntaxError as exc:
        if exc.lineno:
            in_code_points(exc, (lambda n: line_of(text, n)) if isinstance(text, str) else
                           (lambda n: linecache.getline(filename, n).rstrip("\r\n")))
        raise
    return body, last_code


def run_split(body, last, namespace):
    exec(body, namespace)
    if last is None:
        return None
    return eval(last, namespace)


# The globals through which a re-running module calls back into its Update:
# after each definition, and between a definition's decorators.
BIND_HOOK = "__hotload_bind__"
DECORATED_HOOK = "__hotload_decorated__"

# The statement lists of a compound statement, by field, where a module-level
# def or class may sit (inside if/try/with/for/while/match, not inside a def).
STATEMENT_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")

# Decorators that must see every definition as written: typing.overload
# keeps each signature apart, and the last definition is the function.
PASS_THROUGH = frozenset(("overload",))


def bind_definitions(statements, prefix="", nested=False):
    """Returns statements with `__hotload_bind__("name")` after each
    module-level definition (prefix "") and `__hotload_decorated__(qualname)`
    between each definition's decorators, in class bodies too (prefix "C.").

    A re-run module binds each function and class it defines to the old object,
    updated in place, as soon as the definition has run, so the rest of the
    module already uses it: `p = Point(1, 2)` after `class Point` makes an
    instance of the class live objects have, and `class B(A)` gets the old A.
    Each decorator receives what __hotload_decorated__ returns: the old object
    made of the same definition, updated in place, so a registry a decorator
    fills holds the object the module's name holds. Each call carries its
    definition's location, so a traceback through it points at the def line
    (the agent's own frames are hidden, as always).

    An import nested in a compound statement (nested: statements are a
    branch of one) reports the names it bound too, so that a name imported
    only under an if whose test this run found false (`if TYPE_CHECKING:
    from models import User`) is known as one the run did not bind.
    """
    out = []
    for stmt in statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qualname = prefix + stmt.name
            if stmt.decorator_list and not any(decorator_name(d) in PASS_THROUGH for d in stmt.decorator_list):
                stmt.decorator_list = interleave(stmt.decorator_list, qualname, stmt)
            if isinstance(stmt, ast.ClassDef):
                stmt.body = bind_definitions(stmt.body, qualname + ".")
            out.append(stmt)
            if not prefix:
                call = ast.Expr(ast.Call(ast.Name(BIND_HOOK, ast.Load()), [ast.Constant(stmt.name)], []))
                out.append(ast.fix_missing_locations(ast.copy_location(call, stmt)))
            continue
        for field in STATEMENT_FIELDS:
            children = getattr(stmt, field, None)
            if not children:
                continue
            if isinstance(children[0], ast.stmt):
                setattr(stmt, field, bind_definitions(children, prefix, True))
            else:  # except handlers, match cases: each has a body
                for child in children:
                    child.body = bind_definitions(child.body, prefix, True)
        out.append(stmt)
        if not prefix and nested and isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name != "*":
                    name = (alias.asname or alias.name).split(".")[0]
                    call = ast.Expr(ast.Call(ast.Name(BIND_HOOK, ast.Load()), [ast.Constant(name)], []))
                    out.append(ast.fix_missing_locations(ast.copy_location(call, stmt)))
        if not prefix:
            # `handler = make(4)` then `handlers = [handler]`: the list must
            # hold what the name will, so the name is bound at once.
            for name in assigned_names(stmt):
                call = ast.Expr(ast.Call(ast.Name(BIND_HOOK, ast.Load()), [ast.Constant(name)], []))
                out.append(ast.fix_missing_locations(ast.copy_location(call, stmt)))
    return out


def assigned_names(stmt):
    """The names a module-level assignment binds: `a = b = f()`, `a, b = x`."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets = [stmt.target]
    else:
        return ()
    names = []
    todo = list(targets)
    while todo:
        target = todo.pop()
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            todo.extend(target.elts)
        elif isinstance(target, ast.Starred):
            todo.append(target.value)
    return names


def interleave(decorators, qualname, stmt):
    """[d1, hook, d2, hook] for [d1, d2]: the hook runs on what each
    decorator but the outermost is given. The first decorator stays first,
    so the function's first line (co_firstlineno) stays the same."""
    out = []
    for decorator in decorators:
        out.append(decorator)
        hook = ast.Call(ast.Name(DECORATED_HOOK, ast.Load()), [ast.Constant(qualname)], [])
        out.append(ast.fix_missing_locations(ast.copy_location(hook, stmt)))
    return out


def decorator_name(node):
    """The last name of a decorator expression: "route" for @app.route("/")."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None
