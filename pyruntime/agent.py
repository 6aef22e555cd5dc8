"""hotload agent: runs inside the user's Python process and serves the Go side.

The Go side starts `python -c BOOTSTRAP`; the bootstrap reads this file's source
from stdin and executes it. From then on the original stdin/stdout are a private
protocol channel carrying one JSON object per line:

    request  {"id": 1, "op": "reload", ...}
    event    {"id": 1, "event": "output", "stream": "stdout", "text": "..."}
    reply    {"id": 1, "ok": true, ...}

fd 0 is pointed at /dev/null (input() raises EOFError instead of hanging) and fd 1
at stderr (C-level writes cannot corrupt the protocol). sys.stdout/sys.stderr are
replaced by writers that stream output as events of the request that produced it.

A reader thread owns the protocol input: it answers `ping` itself (so liveness
is visible while user code runs), turns `interrupt` into a SIGINT for the main
thread, queues everything else for the main thread, and exits the process when
the channel closes, so the process never outlives the Go side.

A reload of a module that is already loaded runs its new code in its existing
namespace, then updates the old functions and classes in place from the new
ones (UPDATE_RULES), so every reference held elsewhere runs the new code. The
loaded workspace modules that import it re-run after it, in dependency order.
Every change goes through an undo log: if any module of the save fails, all
of them are put back as they were.

Started with the argument "zygote", it preloads and then forks workers (see
the zygote section). Saved as a file (`hotload agent > hotload_agent.py`), it
is a module a running app imports to let hotload attach (see serve()).
"""

import ast
import contextlib
import enum
import faulthandler
import functools
import importlib
import importlib.util
import json
import linecache
import os
import queue
import select
import signal
import socket
import sys
import sysconfig
import threading
import time
import traceback
import types
import warnings

AGENT_FILE = "<hotload-agent>"

# The longest repr sent back. A 2 GB DataFrame's repr is already abbreviated by
# pandas, but a list of a million ints is not; 64 KiB keeps the pipe and the
# editor responsive while showing far more than fits in a message.
MAX_REPR = 64 * 1024

# Output is sent when a line ends or this many characters are pending, so a
# loop printing without newlines still streams.
OUTPUT_CHUNK = 8192


class Channel:
    """The protocol channel: line-JSON in, line-JSON out, writes serialized."""

    def __init__(self, infd, outfd):
        self._in = os.fdopen(infd, "rb", buffering=0)
        self._out = os.fdopen(outfd, "wb", buffering=0)
        self._lock = threading.Lock()
        self._pending = b""

    def send(self, msg):
        data = encode(msg)
        with self._lock:
            self._out.write(data)

    def receive(self):
        """Returns the next message, or None when the Go side has gone."""
        while b"\n" not in self._pending:
            chunk = self._in.read(65536)
            if not chunk:
                return None
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)


def encode(msg):
    """One protocol line: the message as JSON, then a newline."""
    return json.dumps(msg, ensure_ascii=False, default=repr).encode("utf-8", "replace") + b"\n"


class OutputStream:
    """A text stream that forwards writes as output events of the current request."""

    def __init__(self, agent, name):
        self._agent = agent
        self._name = name
        self._buf = []
        self._size = 0
        self._lock = threading.Lock()
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        with self._lock:
            self._buf.append(text)
            self._size += len(text)
            if "\n" in text or self._size >= OUTPUT_CHUNK:
                self._flush_locked()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        with self._lock:
            self._flush_locked()

    def _flush_locked(self):
        if not self._buf:
            return
        text = "".join(self._buf)
        self._buf, self._size = [], 0
        self._agent.output(self._name, text)

    def isatty(self):
        return False

    # Closing hotload's stream would silence every later run: it stays open.
    closed = False

    def close(self):
        self.flush()

    def readable(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        # C extensions and subprocess ask for a descriptor; fd 2 is the real stderr.
        return 2


def char_column(filename, lineno, byte_col):
    """Converts Python's UTF-8 byte column on a line into a code point column."""
    if byte_col is None or lineno is None:
        return None
    line = linecache.getline(filename, lineno)
    if not line:
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def is_agent_frame(filename):
    return filename == AGENT_FILE or filename.startswith("<frozen importlib")


def user_frames(tb):
    """The traceback's frames without the agent's own, which users never see."""
    return [fs for fs in traceback.extract_tb(tb) if not is_agent_frame(fs.filename)]


def format_exception(exc, seen=None):
    """Formats exc like Python does, chained exceptions included, minus agent frames."""
    seen = seen if seen is not None else set()
    seen.add(id(exc))
    parts = []
    if exc.__cause__ is not None and id(exc.__cause__) not in seen:
        parts.append(format_exception(exc.__cause__, seen))
        parts.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__ and id(exc.__context__) not in seen:
        parts.append(format_exception(exc.__context__, seen))
        parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    frames = user_frames(exc.__traceback__)
    if frames:
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.StackSummary.from_list(frames).format())
    parts.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(parts)


def describe_exception(exc):
    """Turns an exception into the structured error the Go side maps to diagnostics."""
    frames = []
    seen = set()
    for fs in user_frames(exc.__traceback__):
        # A recursion repeats its frames up to a thousand times, and the
        # editor would get a diagnostic for each: every line is kept once.
        if (fs.filename, fs.lineno, fs.name) in seen:
            continue
        seen.add((fs.filename, fs.lineno, fs.name))
        # Column positions exist since Python 3.11; before, a frame is a line.
        end_line = getattr(fs, "end_lineno", None) or fs.lineno
        frames.append({
            "file": fs.filename,
            "line": fs.lineno,
            "end_line": end_line,
            "col": char_column(fs.filename, fs.lineno, getattr(fs, "colno", None)),
            "end_col": char_column(fs.filename, end_line, getattr(fs, "end_colno", None)),
            "function": fs.name,
            "source": linecache.getline(fs.filename, fs.lineno).rstrip("\r\n"),
        })
    syntax = None
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        # Since 3.10 offset/end_offset are 1-based code point columns.
        col = (exc.offset - 1) if exc.offset else None
        end_line = getattr(exc, "end_lineno", None) or exc.lineno
        end_offset = getattr(exc, "end_offset", None)  # since Python 3.10
        end_col = (end_offset - 1) if end_offset and end_offset > 0 else None
        syntax = {
            "file": exc.filename,
            "line": exc.lineno,
            "end_line": end_line,
            "col": col,
            "end_col": end_col,
            "function": "",
            "source": (exc.text or "").rstrip("\r\n"),
        }
        message = exc.msg
    else:
        message = str(exc)
    return {
        "type": type(exc).__name__,
        "message": message,
        "frames": frames,
        "syntax": syntax,
        "text": format_exception(exc),
    }


def safe_repr(value):
    try:
        text = repr(value)
    except BaseException as exc:  # a broken __repr__ must not break the reply
        return "<repr failed: %s: %s>" % (type(exc).__name__, exc)
    if len(text) > MAX_REPR:
        text = text[:MAX_REPR] + "… (%d characters in all)" % len(text)
    return text


def parse(source, filename):
    # The builtin compile rather than ast.parse: a SyntaxError then carries no
    # frame of the standard library's ast.py.
    return compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)


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


# --- updating live objects in place --------------------------------------------

MISSING = object()  # no such name or attribute
EMPTY = object()  # a closure cell without a value


def qualified(obj):
    """Returns "module.Qual.name" for a function or class, for notes."""
    module = getattr(obj, "__module__", None) or "?"
    return "%s.%s" % (module, getattr(obj, "__qualname__", None) or type(obj).__name__)


def same_definition(old, new):
    """Reports whether old and new come from the same def or class statement.

    A name rebound to another function (`op = add if x else mul`) must not
    turn add into mul, so only a definition with the same qualified name may
    update the old object.
    """
    return (getattr(old, "__module__", None) == getattr(new, "__module__", None)
            and getattr(old, "__qualname__", None) == getattr(new, "__qualname__", None))


def cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return EMPTY


def own_attr(obj, name):
    """An attribute from obj's own __dict__, without running any __getattr__."""
    try:
        return object.__getattribute__(obj, "__dict__").get(name)
    except Exception:
        return None


def safe_equal(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, (type, types.FunctionType)):
        return qualified(a) == qualified(b)
    try:
        return bool(a == b)
    except Exception:  # arrays, odd __eq__: unknown counts as changed
        return False


def type_key(annotation):
    """Compares annotations by name: a re-run makes new class objects."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return qualified(annotation)
    return repr(annotation)


def dataclass_fields_changed(old, new):
    old_fields = getattr(old, "__dataclass_fields__", None)
    new_fields = getattr(new, "__dataclass_fields__", None)
    if old_fields is None and new_fields is None:
        return False
    if old_fields is None or new_fields is None or list(old_fields) != list(new_fields):
        return True
    for name, a in old_fields.items():
        b = new_fields[name]
        if type_key(a.type) != type_key(b.type):
            return True
        if not safe_equal(a.default, b.default) or not safe_equal(a.default_factory, b.default_factory):
            return True
        for flag in ("init", "repr", "compare", "hash", "kw_only"):
            if getattr(a, flag, None) != getattr(b, flag, None):
                return True
    return False


def enum_members(cls):
    return [(name, member._value_) for name, member in cls.__members__.items()]


def enum_members_changed(old, new):
    a, b = enum_members(old), enum_members(new)
    return len(a) != len(b) or any(x[0] != y[0] or not safe_equal(x[1], y[1]) for x, y in zip(a, b))


def slots_of(cls):
    slots = cls.__dict__.get("__slots__")
    if slots is None:
        return None
    return (slots,) if isinstance(slots, str) else tuple(slots)


def is_code(value):
    """Reports whether a class attribute is behaviour rather than data."""
    return isinstance(value, (types.FunctionType, staticmethod, classmethod, property,
                              functools.cached_property, types.DynamicClassAttribute))


def functions_in(value, depth=0):
    """Yields the functions a class attribute runs: through staticmethod,
    classmethod, property, cached_property and functools.wraps' __wrapped__."""
    if depth > 8:  # deeper than any decorator stack: a __wrapped__ cycle
        return
    if isinstance(value, types.FunctionType):
        yield value
        inner = value.__dict__.get("__wrapped__")
        if inner is not None:
            yield from functions_in(inner, depth + 1)
    elif isinstance(value, (staticmethod, classmethod)):
        yield from functions_in(value.__func__, depth + 1)
    elif isinstance(value, property):
        for f in (value.fget, value.fset, value.fdel):
            if f is not None:
                yield from functions_in(f, depth + 1)
    elif isinstance(value, functools.cached_property):
        yield from functions_in(value.func, depth + 1)


# Class attributes an in-place update leaves alone: the class's own slots for
# instance dicts and weak references, its identity, and ABC's per-class cache.
CLASS_KEEP = frozenset(("__dict__", "__weakref__", "__module__", "__qualname__", "__slots__", "_abc_impl"))

# Descriptors that belong to the class that made them (__slots__ members).
SLOT_DESCRIPTORS = (types.MemberDescriptorType, types.GetSetDescriptorType)


class Update:
    """The changes one save makes to live objects, and how to undo them.

    Every assignment to an object that existed before the save goes through
    a method that first logs how to restore it; rollback() replays the log
    backwards and puts back the namespaces of the modules that ran.
    """

    def __init__(self):
        self.undo = []  # (restore function, args), in the order the changes were made
        self.namespaces = []  # (namespace dict, copy from before the run)
        self.resolved = {}  # (id(old), id(new)) -> the object bound
        self.keep = []  # keeps the objects behind resolved's ids alive
        self.modules = set()  # names of the modules this save runs
        self.notes = []
        self.reloaded = []

    # --- the undo log --------------------------------------------------------

    def set_attr(self, obj, attr, value):
        self.undo.append((setattr, (obj, attr, getattr(obj, attr))))
        setattr(obj, attr, value)

    def set_class_attr(self, cls, key, value):
        # type.__setattr__ rather than setattr: a metaclass such as EnumMeta
        # guards its attributes against user code, not against us.
        self.undo.append((restore_class_attr, (cls, key, cls.__dict__.get(key, MISSING))))
        type.__setattr__(cls, key, value)

    def del_class_attr(self, cls, key):
        self.undo.append((restore_class_attr, (cls, key, cls.__dict__[key])))
        type.__delattr__(cls, key)

    def set_cell(self, cell, value):
        self.undo.append((restore_cell, (cell, cell_value(cell))))
        restore_cell(cell, value)

    def undo_to(self, mark):
        while len(self.undo) > mark:
            restore, args = self.undo.pop()
            restore(*args)

    def rollback(self):
        """Puts every object and namespace this save touched back as it was."""
        failures = []
        while self.undo:
            restore, args = self.undo.pop()
            try:
                restore(*args)
            except Exception as exc:  # keep going: restore all that can be
                failures.append(exc)
        for namespace, before in reversed(self.namespaces):
            namespace.clear()
            namespace.update(before)
        self.namespaces = []
        for exc in failures:
            self.note("rollback", "could not restore an object (%s: %s)" % (type(exc).__name__, exc))

    def note(self, where, text):
        line = "%s: %s" % (where, text)
        if line not in self.notes:
            self.notes.append(line)

    # --- running a module ------------------------------------------------------

    def run(self, module, body, last):
        """Runs a loaded module's new code in its namespace and binds each
        changed definition to its old object, updated in place."""
        namespace = module.__dict__
        before = dict(namespace)
        self.namespaces.append((namespace, before))
        prefix = module.__name__ + "."

        def bind_hook(name):
            self.bind(namespace, before, name, prefix)

        namespace[BIND_HOOK] = bind_hook
        try:
            value = run_split(body, last, namespace)
        finally:
            namespace.pop(BIND_HOOK, None)
        # Names bound other than by def or class: `f = decorate(g)`,
        # `handler = make_handler(4)`, `from .impl import f`.
        for name in list(namespace):
            self.bind(namespace, before, name, prefix)
        return value

    def bind(self, namespace, before, name, prefix):
        new = namespace.get(name, MISSING)
        old = before.get(name, MISSING)
        if old is MISSING or new is MISSING or old is new:
            return
        value = self.resolve(old, new, prefix + name)
        if value is not new:
            namespace[name] = value

    def resolve(self, old, new, where=None):
        """Returns what a name that held old and now holds new should hold:
        old, updated in place from new, when a rule allows, else new."""
        if old is new:
            return old
        key = (id(old), id(new))
        done = self.resolved.get(key)
        if done is not None:
            return done
        for applies, update in UPDATE_RULES:
            try:
                if not applies(self, old, new):
                    continue
            except Exception:  # an object with odd attributes is not one a rule knows
                continue
            self.keep.append((old, new))
            self.resolved[key] = old  # a cycle back to this pair finds it in progress
            mark, known = len(self.undo), len(self.resolved)
            where = where or qualified(old)
            try:
                ok = update(self, old, new, where)
            except Exception as exc:  # an object that refuses: keep the new one
                self.undo_to(mark)
                for undone in list(self.resolved)[known:]:
                    del self.resolved[undone]
                self.note(where, "could not be updated in place (%s: %s); existing references run the old code"
                          % (type(exc).__name__, exc))
                ok = False
            self.resolved[key] = old if ok else new
            return self.resolved[key]
        return new


def restore_class_attr(cls, key, value):
    if value is MISSING:
        if key in cls.__dict__:
            type.__delattr__(cls, key)
    else:
        type.__setattr__(cls, key, value)


def restore_module_attr(module, key, value):
    if value is MISSING:
        module.__dict__.pop(key, None)
    else:
        module.__dict__[key] = value


def restore_cell(cell, value):
    if value is EMPTY:
        try:
            del cell.cell_contents
        except ValueError:
            pass
    else:
        cell.cell_contents = value


# --- the update rules ----------------------------------------------------------
#
# Each rule is (applies(update, old, new), apply(update, old, new, where)).
# apply changes old in place through the update's undo log and returns True,
# or returns False (with a note when references are left behind) to bind new.

def is_function(up, old, new):
    return type(old) is types.FunctionType and type(new) is types.FunctionType and same_definition(old, new)


def update_function(up, old, new, where):
    if old.__globals__ is not new.__globals__:
        return False  # another namespace's function: its code would run against the wrong globals
    freevars = old.__code__.co_freevars
    if freevars != new.__code__.co_freevars:
        up.note(where, "its free variables changed; existing references run the old code")
        return False
    cells = []
    for name, old_cell, new_cell in zip(freevars, old.__closure__ or (), new.__closure__ or ()):
        a, b = cell_value(old_cell), cell_value(new_cell)
        if a is b:
            continue
        if name == "__class__":
            # super()'s class: update_class points it at the old class; if
            # it still differs, the class itself was replaced.
            return False
        cells.append((old_cell, a, b))
    # functools.wraps keeps the wrapped function in __dict__["__wrapped__"]:
    # update it too, and keep the old one, as the wrapper's cell does.
    if old.__dict__ or new.__dict__:
        merged = {}
        for key, value in new.__dict__.items():
            was = old.__dict__.get(key, MISSING)
            merged[key] = value if was is MISSING else up.resolve(was, value)
        up.set_attr(old, "__dict__", merged)
    for cell, a, b in cells:
        # A closure's values are those of the new run (a memoizing
        # decorator's cache starts empty again), its functions the old
        # objects updated in place.
        value = b if a is EMPTY or b is EMPTY else up.resolve(a, b)
        if value is not a:
            up.set_cell(cell, value)
    for attr in ("__code__", "__defaults__", "__kwdefaults__", "__annotations__", "__doc__"):
        value = getattr(new, attr)
        if getattr(old, attr) is not value:
            up.set_attr(old, attr, value)
    return True


def is_method_wrapper(up, old, new):
    return type(old) is type(new) and isinstance(old, (staticmethod, classmethod))


def update_method_wrapper(up, old, new, where):
    # __func__ is read-only: update the function inside, or bind the new wrapper.
    return up.resolve(old.__func__, new.__func__, where) is old.__func__


def is_property(up, old, new):
    return type(old) is type(new) and isinstance(old, property)


def update_property(up, old, new, where):
    # fget, fset and fdel are read-only: every one must update in place.
    for attr in ("fget", "fset", "fdel"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a is b:
            continue
        if a is None or b is None or up.resolve(a, b, "%s.%s" % (where, attr)) is not a:
            return False
    if old.__doc__ != new.__doc__:
        up.set_attr(old, "__doc__", new.__doc__)
    return True


def is_cached_property(up, old, new):
    return type(old) is type(new) is functools.cached_property


def update_cached_property(up, old, new, where):
    if old.attrname != new.attrname:
        return False
    func = up.resolve(old.func, new.func, where)
    if func is not old.func:
        up.set_attr(old, "func", func)
    return True


def is_class(up, old, new):
    # Only classes of the modules this save runs: a class another module's
    # factory made (a declarative base, say) is not ours to rewrite.
    return (isinstance(old, type) and isinstance(new, type) and same_definition(old, new)
            and old.__module__ in up.modules)


def class_change(up, old, new):
    """Says why old cannot soundly take new's definition, or returns None."""
    if type(old) is not type(new):
        return "its metaclass changed"
    if [qualified(b) for b in old.__bases__] != [qualified(b) for b in new.__bases__]:
        return "its bases changed"
    for a, b in zip(old.__bases__, new.__bases__):
        if up.resolve(a, b) is not a:
            return "its base %s was replaced" % qualified(a)
    if slots_of(old) != slots_of(new):
        return "its __slots__ changed"
    if dataclass_fields_changed(old, new):
        return "its dataclass fields changed"
    if isinstance(old, enum.EnumMeta) and enum_members_changed(old, new):
        return "its members changed"
    if not safe_equal(old.__dict__.get("_fields"), new.__dict__.get("_fields")):
        return "its fields changed"  # a namedtuple's
    return None


def update_class(up, old, new, where):
    reason = class_change(up, old, new)
    if reason:
        up.note(where, reason + "; existing instances still use the old class")
        return False
    # Zero-argument super() finds the class in a __class__ cell: every new
    # method, kept or added, must find the old class there.
    for value in new.__dict__.values():
        for f in functions_in(value):
            code = f.__code__
            if "__class__" in code.co_freevars:
                cell = f.__closure__[code.co_freevars.index("__class__")]
                if cell_value(cell) is new:
                    up.set_cell(cell, old)
    # An enum keeps its members and their tables; only its methods change.
    only_code = isinstance(old, enum.EnumMeta)
    members = old.__dict__.get("_member_map_") or {}
    for key, value in list(new.__dict__.items()):
        if key in CLASS_KEEP or key in members or (only_code and not is_code(value)):
            continue
        was = old.__dict__.get(key, MISSING)
        if was is MISSING:
            up.set_class_attr(old, key, value)
            continue
        if isinstance(was, SLOT_DESCRIPTORS) and type(was) is type(value):
            continue
        resolved = up.resolve(was, value, "%s.%s" % (where, key))
        if resolved is not was:
            up.set_class_attr(old, key, resolved)
    for key in [k for k in old.__dict__ if k not in new.__dict__]:
        value = old.__dict__[key]
        if key in CLASS_KEEP or key in members or (only_code and not is_code(value)):
            continue
        up.del_class_attr(old, key)
    return True


def is_native_wrapper(up, old, new):
    # functools.lru_cache and other decorators written in C: a callable
    # object wrapping a function, with no code of its own to swap.
    return (type(old) is type(new) and not isinstance(old, (type, types.FunctionType)) and callable(old)
            and own_attr(old, "__wrapped__") is not None and own_attr(new, "__wrapped__") is not None
            and own_attr(old, "__qualname__") == own_attr(new, "__qualname__"))


def note_native_wrapper(up, old, new, where):
    kind = type(old)
    name = kind.__qualname__ if kind.__module__ == "builtins" else qualified(kind)
    up.note(where, "a %s cannot be updated in place; existing references run the old code" % name)
    return False


UPDATE_RULES = [
    (is_function, update_function),
    (is_class, update_class),
    (is_method_wrapper, update_method_wrapper),
    (is_property, update_property),
    (is_cached_property, update_cached_property),
    (is_native_wrapper, note_native_wrapper),
]


class Agent:
    def __init__(self, channel, attached=False):
        self.channel = channel
        # attached: serving inside someone else's app (see serve()), which
        # must survive the session, keep its own streams, and whose
        # signal handlers are not ours to trigger.
        self.attached = attached
        self.requests = queue.Queue()
        # The thread that runs requests: the main thread, except in an app
        # that serves from another thread.
        self.main_ident = threading.get_ident() if attached else threading.main_thread().ident
        self._state_lock = threading.Lock()
        self._current = None  # id of the request the main thread is running
        # Threads that were running when the current request began: they
        # belong to earlier code, so their output is not this request's.
        self._elders = set()
        self._queued = 0  # requests received but not started
        self._interrupt_next = False  # an interrupt arrived while a request was queued
        self.stdout = OutputStream(self, "stdout")
        self.stderr = OutputStream(self, "stderr")
        self.workspace = Workspace()

    # --- output -------------------------------------------------------------

    def output(self, stream, text):
        with self._state_lock:
            current = self._current
            if threading.get_ident() in self._elders:
                current = None  # background output, not the request's
        self.channel.send({"id": current, "event": "output", "stream": stream, "text": text})

    # --- reader thread ------------------------------------------------------

    def read_loop(self):
        while True:
            try:
                msg = self.channel.receive()
            except ValueError as exc:
                self.channel.send({"id": None, "event": "protocol_error", "text": str(exc)})
                continue
            if msg is None:
                if self.attached:
                    self.requests.put(None)  # the session ends; the app goes on
                    return
                # The Go side is gone (exited, killed, or closed our stdin): so are we.
                os._exit(0)
            op = msg.get("op")
            if op == "ping":
                self.channel.send({"id": msg.get("id"), "ok": True, "pid": os.getpid()})
            elif op == "interrupt":
                self.channel.send({"id": msg.get("id"), "ok": True, "interrupted": self.interrupt()})
            else:
                with self._state_lock:
                    self._queued += 1
                self.requests.put(msg)

    def interrupt(self):
        """Raises KeyboardInterrupt in the main thread if it is running a request.

        pthread_kill rather than _thread.interrupt_main: a real SIGINT also wakes
        blocking calls such as time.sleep or socket reads, which interrupt_main
        only sets a flag for.
        """
        with self._state_lock:
            if self._current is None:
                if self._queued == 0:
                    return False
                # The request was sent before the interrupt but has not
                # started: it stops as soon as it does.
                self._interrupt_next = True
                return True
        if self.attached:
            # Not a signal: the app may handle SIGINT itself (a web server
            # shuts down). An asynchronous exception stops Python code at its
            # next line, though not a blocking call.
            import ctypes
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main_ident), ctypes.py_object(KeyboardInterrupt))
            return True
        signal.pthread_kill(self.main_ident, signal.SIGINT)
        return True

    # --- main thread --------------------------------------------------------

    def serve(self):
        """Runs requests until the session ends (attached) or forever."""
        while True:
            try:
                msg = self.requests.get()
                if msg is None:
                    return
                self.handle(msg)
            except KeyboardInterrupt:
                # An interrupt that landed between requests: nothing to stop.
                continue

    def handle(self, msg):
        rid = msg.get("id")
        handler = HANDLERS.get(msg.get("op"))
        # One lock section from "queued" to "running", so an interrupt never
        # finds the request in neither state.
        with self._state_lock:
            self._queued -= 1
            if handler is not None:
                self._current = rid
                self._elders = {t.ident for t in threading.enumerate()} - {self.main_ident}
                interrupted, self._interrupt_next = self._interrupt_next, False
        if handler is None:
            self.channel.send({"id": rid, "ok": False, "protocol_error": "unknown op %r" % msg.get("op")})
            return
        # Code may have replaced sys.stdout or sys.stderr; each request
        # starts with hotload's own streams, so its output is captured.
        # An attached app gets its own back afterwards.
        app_streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.stdout, self.stderr
        start = time.perf_counter()
        reply = {"id": rid, "ok": True, "value": None, "error": None}
        warned = []
        try:
            try:
                if interrupted:
                    raise KeyboardInterrupt
                # catch_warnings also resets the "once per location" memory,
                # so a warning shows on every run, not only the first.
                with warnings.catch_warnings():
                    warnings.showwarning = recorder(warned)
                    reply.update(handler(self, msg))
            except BaseException as exc:  # user code may raise anything, SystemExit included
                reply["error"] = describe_exception(exc)
            finally:
                if warned:
                    reply["warnings"] = warned
                self.stdout.flush()
                self.stderr.flush()
                with self._state_lock:
                    self._current = None
        except KeyboardInterrupt:
            # The interrupt arrived after user code finished; the reply still stands.
            pass
        if self.attached:
            sys.stdout, sys.stderr = app_streams
        reply["seconds"] = time.perf_counter() - start
        self.channel.send(reply)


def recorder(warned):
    """A warnings.showwarning that prints the warning as Python would and
    records where it points, for the editor's Warning diagnostics."""

    def show(message, category, filename, lineno, file=None, line=None):
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
        warned.append({
            "file": filename,
            "line": lineno,
            "category": category.__name__,
            "message": str(message),
            "source": linecache.getline(filename, lineno).rstrip("\r\n"),
        })

    return show


def add_sys_path(entries, front):
    for entry in reversed(entries) if front else entries:
        if entry in sys.path:
            continue
        if front:
            sys.path.insert(0, entry)
        else:
            sys.path.append(entry)


# --- workspace modules and their imports -----------------------------------------

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
            if name == "__main__":
                continue  # the program, not a module: never re-run
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


# --- requests ------------------------------------------------------------------

def op_setup(agent, msg):
    """Puts the workspace roots on sys.path, moves to the workspace and preloads modules."""
    if msg.get("cwd") and not agent.attached:
        os.chdir(msg["cwd"])
    add_sys_path(msg.get("sys_path") or [], front=True)
    agent.workspace.add_roots(msg.get("workspace_roots") or [])
    failed = {}
    for name in msg.get("preload") or []:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            failed[name] = describe_exception(exc)
    return {"preload_errors": failed}


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except (OSError, TypeError):
        return False


def loaded_module(name, path):
    """Returns the module called name if it is loaded from path, else None."""
    module = sys.modules.get(name)
    if module is None or not same_file(getattr(module, "__file__", None) or "", path):
        return None
    return module


def compile_file(path, bind=False):
    with open(path, "rb") as f:
        source = f.read()
    linecache.checkcache(path)
    return compile_split(source, path, bind)


def import_module_at(name, path):
    """Imports the file at path as a new module called name and runs it.

    Returns (module, value of the last top-level expression or None). If the
    code raises, sys.modules and the parent package are left as they were.
    """
    body, last = compile_file(path)
    parent, _, child = name.rpartition(".")
    if parent:
        importlib.import_module(parent)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    before = sys.modules.get(name, MISSING)
    parent_before = sys.modules[parent].__dict__.get(child, MISSING) if parent else MISSING
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)
    try:
        value = run_split(body, last, module.__dict__)
    except BaseException:
        if before is MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = before
        if parent:
            restore_module_attr(sys.modules[parent], child, parent_before)
        raise
    return module, value


def rerun(agent, up, name, module, path, dependents):
    """Runs a loaded module again in place, then (with dependents) the loaded
    workspace modules that import it. Everything compiles before anything
    runs, so a SyntaxError anywhere leaves every module untouched; then each
    module's __hotload_teardown__ runs, importers first, with the old code."""
    with open(path, "rb") as f:
        source = f.read()
    linecache.checkcache(path)
    tree = parse(source, path)
    order = agent.workspace.reload_order(name, path, tree) if dependents else [name]
    runs = [(name, module) + compile_tree(tree, path, bind=True)]
    for other in order[1:]:
        mod = sys.modules[other]
        runs.append((other, mod) + compile_file(mod.__file__, bind=True))
    for _, mod, _, _ in reversed(runs):
        teardown = mod.__dict__.get("__hotload_teardown__")
        if callable(teardown):
            teardown()
    for other, mod, _, _ in runs:
        up.modules.add(other)
        up.modules.add(mod.__dict__.get("__name__"))
    value = None
    for other, mod, body, last in runs:
        result = up.run(mod, body, last)
        up.reloaded.append(other)
        if mod is module:
            value = result
    return value


@contextlib.contextmanager
def sigint_deferred():
    """Holds off KeyboardInterrupt: a rollback cut short would leave a mix of
    old and new code. An interrupt that arrives meanwhile was meant for the
    code that already stopped, so it is dropped."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread gets KeyboardInterrupt
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def call_after_reload(spec):
    """Calls the function named "pkg.mod:func", importing pkg.mod if needed."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError("afterReload %r does not look like 'pkg.mod:func'" % spec)
    target = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    target()


def op_reload(agent, msg):
    """Runs the module's file: imports it the first time, then runs it again in
    its existing namespace, updating old objects in place and re-running its
    importers, all or nothing. Globals persist across reloads."""
    name, path = msg["module"], msg["path"]
    if msg.get("path_entry"):
        add_sys_path([msg["path_entry"]], front=True)
        agent.workspace.add_roots([msg["path_entry"]])
    module = loaded_module(name, path)
    if module is None and msg.get("if_loaded"):
        return {"skipped": True}
    up = Update()
    try:
        if module is None:
            _, value = import_module_at(name, path)
            up.reloaded.append(name)
        else:
            value = rerun(agent, up, name, module, path, not msg.get("no_dependents"))
    except BaseException as exc:  # user code may raise anything
        if module is None:
            return {"error": describe_exception(exc)}
        up.notes = []  # they were about changes now undone
        with sigint_deferred():
            up.rollback()
        reply = {"error": describe_exception(exc), "rolled_back": True}
        if up.notes:
            reply["notes"] = up.notes
        return reply
    reply = {"value": None if value is None else safe_repr(value), "reloaded": up.reloaded}
    if up.notes:
        reply["notes"] = up.notes
    if msg.get("after_reload"):
        try:
            call_after_reload(msg["after_reload"])
        except BaseException as exc:  # the reload stands; the hook's error is reported apart
            reply["hook_error"] = describe_exception(exc)
    return reply


def op_evaluate(agent, msg):
    module = loaded_module(msg["module"], msg["path"])
    if module is None:
        if msg.get("path_entry"):
            add_sys_path([msg["path_entry"]], front=True)
        module, _ = import_module_at(msg["module"], msg["path"])
    body, last = compile_split(msg["code"], msg.get("filename") or "<evaluate>")
    value = run_split(body, last, module.__dict__)
    return {"value": None if value is None else safe_repr(value)}


HANDLERS = {
    "setup": op_setup,
    "reload": op_reload,
    "evaluate": op_evaluate,
}


# --- zygote ---------------------------------------------------------------------
#
# Started with the argument "zygote", the agent preloads and then only forks:
# each worker it forks is a complete agent, already warm, talking to Go through
# the zygote. The zygote stays single-threaded so that fork is safe, and it
# runs no user code after setup, so it stays clean for the next fork.
#
# Every line between Go and the zygote starts with a channel number and a
# space: 0 is the zygote itself (setup, fork, kill), N is worker N, whose lines
# the zygote relays unchanged in both directions.
#
#     0 {"id": 2, "op": "fork"}
#     0 {"id": 2, "ok": true, "worker": 1, "pid": 4242}
#     1 {"id": null, "event": "ready", ...}
#     0 {"id": null, "event": "exit", "worker": 1, "code": 3, "signal": 0}

# PR_SET_PDEATHSIG from <linux/prctl.h>: the kernel signals us when the parent dies.
PR_SET_PDEATHSIG = 1


class Worker:
    """The zygote's view of one forked worker."""

    def __init__(self, wid, pid, sock):
        self.wid = wid
        self.pid = pid
        self.sock = sock  # non-blocking; None once closed
        self.prefix = b"%d " % wid
        self.to_worker = bytearray()  # lines from Go not yet written
        self.from_worker = b""  # a partial line read from the worker
        self.status = None  # the wait status once reaped


class Zygote:
    def __init__(self, infd, outfd):
        self.infd = infd
        self.outfd = outfd
        self.pid = os.getpid()
        self.workers = {}
        self.next_wid = 0
        self.pending = bytearray()
        self.agent = Agent(self)
        self.prctl = parent_death_signal()
        self.wake_r, self.wake_w = os.pipe()

    # The zygote is its own agent's channel: its messages go out on channel 0.
    def send(self, msg):
        self.write_go(b"0 " + encode(msg))

    def write_go(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.outfd, view):]

    def serve(self):
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        sys.stdout, sys.stderr = self.agent.stdout, self.agent.stderr
        self.send({"id": None, "event": "ready", "pid": self.pid, "version": sys.version.split()[0], "fork": True})
        while True:
            workers = [w for w in self.workers.values() if w.sock is not None]
            readable, writable, _ = select.select(
                [self.infd, self.wake_r] + [w.sock for w in workers],
                [w.sock for w in workers if w.to_worker], [])
            if self.wake_r in readable:
                while True:
                    try:
                        if not os.read(self.wake_r, 512):
                            break
                    except BlockingIOError:
                        break
                self.reap()
            for w in workers:
                if w.sock is not None and w.sock in writable:
                    self.write_worker(w)
                if w.sock is not None and w.sock in readable:
                    self.read_worker(w)
            if self.infd in readable:
                self.read_go()

    def read_go(self):
        chunk = os.read(self.infd, 1 << 16)
        if not chunk:
            self.shutdown()
        self.pending += chunk
        start = 0
        while True:
            end = self.pending.find(b"\n", start)
            if end < 0:
                break
            line = bytes(self.pending[start:end + 1])
            start = end + 1
            head, _, body = line.partition(b" ")
            if head == b"0":
                try:
                    self.handle(json.loads(body))
                except ValueError as exc:
                    self.send({"id": None, "event": "protocol_error", "text": str(exc)})
                continue
            w = self.workers.get(int(head)) if head.isdigit() else None
            if w is not None and w.sock is not None:
                w.to_worker += body
                self.write_worker(w)
        del self.pending[:start]

    def handle(self, msg):
        op = msg.get("op")
        if op == "fork":
            self.fork(msg.get("id"))
        elif op == "kill":
            w = self.workers.get(msg.get("worker"))
            if w is not None:
                kill_group(w)
        elif op == "ping":
            self.send({"id": msg.get("id"), "ok": True, "pid": self.pid})
        else:
            # setup: preloads run here, on the main thread, before any fork.
            self.agent._queued += 1
            self.agent.handle(msg)

    def fork(self, rid):
        parent, child = socket.socketpair()
        self.next_wid += 1
        wid = self.next_wid
        pid = os.fork()
        if pid == 0:
            try:
                parent.close()
                self.become_worker(child)
            finally:
                os._exit(70)
        child.close()
        parent.setblocking(False)
        self.workers[wid] = Worker(wid, pid, parent)
        self.send({"id": rid, "ok": True, "worker": wid, "pid": pid})

    def become_worker(self, sock):
        """Runs in the forked child: drops the zygote's ends and serves as an agent."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (self.infd, self.outfd, self.wake_r, self.wake_w):
            os.close(fd)
        for w in self.workers.values():
            if w.sock is not None:
                w.sock.close()
        # Its own process group, so a kill reaches the subprocesses it starts.
        os.setpgid(0, 0)
        if self.prctl is not None:
            self.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.pid:
            os._exit(0)  # the zygote died before we could ask to follow it
        fd = sock.detach()
        agent = Agent(Channel(fd, os.dup(fd)))
        agent.workspace = self.agent.workspace
        serve_agent(agent)

    def write_worker(self, w):
        try:
            sent = w.sock.send(w.to_worker)
        except BlockingIOError:
            return
        except OSError:
            self.close_worker(w)
            return
        del w.to_worker[:sent]

    def read_worker(self, w):
        """Relays what the worker sent; at its end of stream, closes it."""
        out = []
        while True:
            try:
                chunk = w.sock.recv(1 << 16)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.close_worker(w)
                break
            lines = (w.from_worker + chunk).split(b"\n")
            w.from_worker = lines.pop()
            out.extend(w.prefix + line + b"\n" for line in lines)
            if len(chunk) < 1 << 16:
                break
        if out:
            self.write_go(b"".join(out))
        self.report(w)

    def close_worker(self, w):
        w.sock.close()
        w.sock = None
        if w.status is None:
            # The channel is gone, so the worker is of no use: end it, and
            # whatever it started.
            kill_group(w)

    def reap(self):
        for w in list(self.workers.values()):
            if w.status is None:
                try:
                    pid, status = os.waitpid(w.pid, os.WNOHANG)
                except ChildProcessError:
                    pid, status = w.pid, 0
                if pid == 0:
                    continue
                w.status = status
            if w.sock is not None:
                # Dead: whatever it wrote is already in the socket.
                self.read_worker(w)
                if w.sock is not None:
                    self.close_worker(w)
            self.report(w)

    def report(self, w):
        """Tells Go that a worker has exited, once its last line is relayed."""
        if w.sock is not None or w.status is None or w.wid not in self.workers:
            return
        del self.workers[w.wid]
        code = os.waitstatus_to_exitcode(w.status)
        self.send({"id": None, "event": "exit", "worker": w.wid,
                   "code": code if code >= 0 else -1, "signal": max(-code, 0)})

    def shutdown(self):
        """Go is gone: so are the workers and the zygote."""
        for w in self.workers.values():
            if w.status is None:
                kill_group(w)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(w.pid, 0)
        os._exit(0)


def kill_group(w):
    if w.status is not None:
        return  # reaped: its pid may belong to someone else now
    try:
        os.killpg(w.pid, signal.SIGKILL)
    except ProcessLookupError:
        # Not its own group yet (it dies before setpgid): the process alone.
        with contextlib.suppress(ProcessLookupError):
            os.kill(w.pid, signal.SIGKILL)


def parent_death_signal():
    """Returns libc's prctl, looked up once in the zygote, or None off Linux;
    there the worker still ends when its channel closes."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return None


def serve_agent(agent):
    sys.stdout = agent.stdout
    sys.stderr = agent.stderr
    threading.Thread(target=agent.read_loop, name="hotload-reader", daemon=True).start()
    agent.channel.send({"id": None, "event": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
    agent.serve()


# --- attach ---------------------------------------------------------------------
#
# A long-lived app can invite hotload in: `hotload agent > hotload_agent.py`,
# then `hotload_agent.serve()` or `hotload_agent.serve_in_thread()`. It
# listens on a Unix socket only its user can use, with a random token in a
# file beside it that only its user can read; the editor's server connects,
# sends the token, and then talks to an agent as if it had started one.

# How long a connecting client has to send its token.
TOKEN_TIMEOUT = 5.0


def default_socket_path():
    """$XDG_RUNTIME_DIR/hotload/<app>-<pid>.sock, else the same under
    /tmp/hotload-<uid>; the folder is made private to the user."""
    import tempfile
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    if runtime_dir and os.path.isdir(runtime_dir):
        folder = os.path.join(runtime_dir, "hotload")
    else:
        folder = os.path.join(tempfile.gettempdir(), "hotload-%d" % os.getuid())
    os.makedirs(folder, mode=0o700, exist_ok=True)
    st = os.stat(folder)
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise PermissionError("hotload: %s must belong to you and be private (chmod 700)" % folder)
    app = os.path.splitext(os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else "python"))[0] or "python"
    return os.path.join(folder, "%s-%d.sock" % (app, os.getpid()))


class AttachServer:
    def __init__(self, path=None):
        self.path = path or default_socket_path()
        self.token_path = self.path + ".token"
        import secrets
        self.token = secrets.token_hex(32)
        self.listener = None

    def listen(self):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        umask = os.umask(0o177)  # the socket is never open to others, not even briefly
        try:
            listener.bind(self.path)
        finally:
            os.umask(umask)
        os.chmod(self.path, 0o600)
        listener.listen(1)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.token_path)
        fd = os.open(self.token_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.token)
        import atexit
        atexit.register(self.remove)
        self.listener = listener
        log_stderr("hotload: serving on %s (hotload setting: attach = %r)" % (self.path, self.path))

    def remove(self):
        for path in (self.path, self.token_path):
            with contextlib.suppress(OSError):
                os.unlink(path)

    def serve_forever(self):
        if self.listener is None:
            self.listen()
        while True:
            conn, _ = self.listener.accept()
            try:
                self.session(conn)
            except Exception as exc:
                log_stderr("hotload: session ended: %r" % (exc,))
            finally:
                conn.close()

    def session(self, conn):
        conn.settimeout(TOKEN_TIMEOUT)
        line = b""
        while b"\n" not in line and len(line) < 4096:
            chunk = conn.recv(4096)
            if not chunk:
                return
            line += chunk
        first, _, rest = line.partition(b"\n")
        try:
            token = str(json.loads(first).get("token", ""))
        except (ValueError, AttributeError):
            token = ""
        import hmac
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            log_stderr("hotload: refused a connection to %s: wrong token" % self.path)
            conn.sendall(encode({"id": None, "event": "refused", "text": "wrong token"}))
            return
        conn.settimeout(None)
        channel = Channel(os.dup(conn.fileno()), os.dup(conn.fileno()))
        channel._pending = rest
        agent = Agent(channel, attached=True)
        threading.Thread(target=agent.read_loop, name="hotload-reader", daemon=True).start()
        channel.send({"id": None, "event": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
        agent.serve()


def log_stderr(text):
    with contextlib.suppress(Exception):
        sys.__stderr__.write(text + "\n")
        sys.__stderr__.flush()


def serve(path=None):
    """Lets hotload reload and evaluate code in this process; never returns.

    Call it from the thread that should run the code (usually the main
    thread, from the app's own loop). It listens on a Unix socket at path
    (default: $XDG_RUNTIME_DIR/hotload/<app>-<pid>.sock), mode 0600, and
    writes a random token to path + ".token", mode 0600; only a client that
    sends the token gets in, one at a time. Point the hotload setting
    `attach` at the socket.
    """
    AttachServer(path).serve_forever()


def serve_in_thread(path=None):
    """serve() on a daemon thread, returned started; the socket is
    listening when it returns.

    Thread safety: reloads and evaluations then run on that thread while
    the app's own threads keep running. Code being reloaded can be seen
    half-updated by a thread that calls into it at that moment, and while a
    request runs, prints from every thread go to the editor. Use it for
    apps whose threads can tolerate that (dashboards, notebooks, daemons
    that wait on I/O); for anything stricter, call serve() where the app is
    quiet, such as its main loop.
    """
    server = AttachServer(path)
    server.listen()
    thread = threading.Thread(target=server.serve_forever, name="hotload-attach", daemon=True)
    thread.start()
    return thread


def main():
    # Keep the original pipes as the private channel, then make fds 0 and 1 safe.
    infd, outfd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, "r")
    faulthandler.enable(file=sys.__stderr__, all_threads=True)
    zygote = sys.argv[1:] == ["zygote"]
    del sys.argv[1:]
    if zygote:
        if not hasattr(os, "fork"):
            os.write(outfd, b"0 " + encode({"id": None, "event": "ready", "pid": os.getpid(), "fork": False}))
            os.read(infd, 1)
            os._exit(0)
        Zygote(infd, outfd).serve()
    serve_agent(Agent(Channel(infd, outfd)))


# Started by the server's bootstrap, the agent takes over the process; imported
# by an app (hotload_agent.py), it only defines serve() and serve_in_thread().
if __name__ == "__hotload_agent__":
    main()
