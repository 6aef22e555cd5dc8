"""The hooks a re-run module's code calls: after definitions and assignments,
and between a definition's decorators."""

import ast
import importlib.util
import os
import textwrap
import types

import pytest

from _hotload_agent.files import read_source
from _hotload_agent.source import BIND_HOOK, DECORATED_HOOK, compile_split, decode, parse


def run(source, bound=None, decorated=None):
    """Compiles source with the hooks and runs it, recording their calls."""
    calls = []
    namespace = {
        BIND_HOOK: lambda name: calls.append(("bind", name)),
        DECORATED_HOOK: lambda qualname: lambda obj: calls.append(("decorated", qualname, getattr(obj, "__name__", obj))) or obj,
    }
    body, last = compile_split(textwrap.dedent(source).encode(), "/w/mod.py", bind=True)
    exec(body, namespace)
    return calls, namespace


def test_each_decorator_receives_what_the_hook_returns():
    calls, ns = run("""\
        seen = []

        def outer(f):
            seen.append(("outer", f.__name__))
            return f

        def inner(f):
            seen.append(("inner", f.__name__))
            return f

        @outer
        @inner
        def task():
            pass
        """)
    # The hook runs on the new function, then on what inner returned; the
    # outermost decorator's result is bound, then bound again by name.
    assert [c for c in calls if c[0] == "decorated"] == [("decorated", "task", "task"), ("decorated", "task", "task")]
    assert ns["seen"] == [("inner", "task"), ("outer", "task")]
    assert calls[-1] == ("bind", "task")


def test_methods_in_class_bodies_get_qualified_hooks():
    calls, _ = run("""\
        class C:
            @property
            def x(self):
                return 1

            class D:
                @staticmethod
                def s():
                    pass
        """)
    assert ("decorated", "C.x", "x") in calls
    assert ("decorated", "C.D.s", "s") in calls
    assert ("bind", "x") not in calls  # class attributes are the class update's
    assert calls[-1] == ("bind", "C")


def test_the_first_line_of_a_decorated_function_stays():
    source = "import functools\n\n\n@functools.lru_cache()\n@functools.lru_cache()\ndef f():\n    pass\n"
    plain = {}
    exec(compile(source, "/w/mod.py", "exec"), plain)
    _, hooked = run(source)
    assert hooked["f"].__wrapped__.__wrapped__.__code__.co_firstlineno == plain["f"].__wrapped__.__wrapped__.__code__.co_firstlineno == 4


def test_overloads_are_left_as_written():
    calls, ns = run("""\
        from typing import overload

        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        def f(x):
            return x
        """)
    assert not [c for c in calls if c[0] == "decorated"]
    assert ns["f"](3) == 3


def test_assignments_bind_at_once():
    calls, _ = run("""\
        handler = object()
        a, (b, *rest) = 1, (2, 3, 4)
        typed: int = 5
        declared: int
        count = 0
        count += 1
        handlers = [handler]
        if True:
            inside = 1
        """)
    binds = [c[1] for c in calls if c[0] == "bind"]
    assert binds == ["handler", "rest", "b", "a", "typed", "count", "handlers", "inside"]


@pytest.mark.parametrize("source", [
    b"print(1)\n",
    b"",
    b"x = 1",  # no final newline
    b"x = 1\r\ny = 2\r\n",
    b"x = 1\ry = 2\r",
    b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n",
    b"# coding: ascii\nx = 1\n",
    b"# coding: no-such-codec\nx = 1\n",
    b"x = 1\n# the coding of this module is plain\n",
    b"\xef\xbb\xbfx = 1\n",
    b"x = 'caf\xc3\xa9'\n",
    b"x = 'caf\xe9'\n",  # not UTF-8: the bytes themselves
    b"x = 1\x00\n",
    b"x = 1\ny = 2\nz = 3\x00\n",  # past the two lines decode_source reads first
    b"x = (1,\n",
])
def test_decode_gives_what_decode_source_gives(source):
    """decode's ASCII shortcut returns what decode_source does, and a
    SyntaxError keeps its place."""
    try:
        want = importlib.util.decode_source(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        want = source
    got = decode(source)
    if got != want or type(got) is not type(want):
        pytest.fail("decode(%r) = %r, want %r" % (source, got, want))
    try:
        want_error = compile(want, "/w/mod.py", "exec", ast.PyCF_ONLY_AST, dont_inherit=True) and None
    except (SyntaxError, ValueError) as exc:
        want_error = (type(exc), str(exc), getattr(exc, "lineno", None), getattr(exc, "offset", None))
    try:
        got_error = parse(source, "/w/mod.py") and None
    except (SyntaxError, ValueError) as exc:
        got_error = (type(exc), str(exc), getattr(exc, "lineno", None), getattr(exc, "offset", None))
    if got_error != want_error:
        pytest.fail("parse(%r) raised %r, want %r" % (source, got_error, want_error))


@pytest.mark.parametrize("content", [
    b"",
    b"print(1)\n",
    b"# -*- coding: latin-1 -*-\r\nname = '\xe9'\r\n",  # bytes as they are: CRLF, not UTF-8
    b"x = 1\n" * 20000,  # more than one READ_MORE
], ids=["empty", "small", "crlf-latin1", "large"])
def test_read_source_gives_the_file_as_it_is_and_its_version(tmp_path, content):
    path = tmp_path / "mod.py"
    path.write_bytes(content)
    source, version = read_source(str(path))
    st = os.stat(path)
    assert source == content
    assert version == (st.st_mtime_ns, st.st_size)


def test_read_source_reads_to_the_end_of_a_file_longer_than_its_size_said(tmp_path, monkeypatch):
    # A file written again between the fstat and the read: what was read
    # is the whole file, not the size the fstat gave.
    path = tmp_path / "mod.py"
    content = b"VALUE = 1\n" * 10000
    path.write_bytes(content)
    real = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: types.SimpleNamespace(st_mtime_ns=real(fd).st_mtime_ns, st_size=3))
    source, version = read_source(str(path))
    assert source == content
    assert version[1] == 3


def test_read_source_of_a_missing_file_raises_what_open_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_source(str(tmp_path / "gone.py"))
