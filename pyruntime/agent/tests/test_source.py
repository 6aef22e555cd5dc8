"""The hooks a re-run module's code calls: after definitions and assignments,
and between a definition's decorators."""

import textwrap

from _hotload_agent.source import BIND_HOOK, DECORATED_HOOK, compile_split


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
