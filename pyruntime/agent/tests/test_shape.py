"""What a source binds, defines and uses: the facts a save decides by."""

import sys
import textwrap

import pytest

from _hotload_agent.shape import Shape, uses_of
from _hotload_agent.source import parse


def shape_of(source, name="pkg.mod", path="/w/pkg/mod.py"):
    data = textwrap.dedent(source).encode()
    return Shape(name, path, parse(data, path), data)


@pytest.mark.parametrize("source, bound", [
    ("x = 1", {"x"}),
    ("x: int = 1\ny: int", {"x", "y"}),
    ("a, (b, *c) = 1, (2, 3)", {"a", "b", "c"}),
    ("x += 1", {"x"}),
    ("import os.path, json as j", {"os", "j"}),
    ("from . import sib\nfrom .x import y as z", {"sib", "z"}),
    ("def f(): pass\nclass C: pass\nasync def g(): pass", {"f", "C", "g"}),
    ("del gone", {"gone"}),
    ("if X:\n    a = 1\nelse:\n    b = 2", {"a", "b"}),
    ("for i in range(3):\n    j = i\nelse:\n    k = 0", {"i", "j", "k"}),
    ("while False:\n    w = 1", {"w"}),
    ("with open('f') as fh, open('g') as (a, b):\n    pass", {"fh", "a", "b"}),
    ("try:\n    t = 1\nexcept ValueError as err:\n    e = 2\nelse:\n    o = 3\nfinally:\n    f = 4", {"t", "err", "e", "o", "f"}),
    # The idiom that keeps state across saves binds its name in the except branch.
    ("try:\n    cache\nexcept NameError:\n    cache = {}", {"cache"}),
    ("if (n := 10) > 5:\n    pass", {"n"}),
    ("[y for x in range(3) if (y := x)]", {"x", "y"}),  # comprehension targets count (conservative)
    ("def f():\n    global late\n    late = 1", {"f", "late"}),
    ("def f():\n    def g():\n        global deep\n    return g", {"f", "deep"}),
    ("class C:\n    attr = 1\n    def m(self): pass", {"C"}),
    ("def f():\n    local = 1", {"f"}),
    ("lam = lambda: (inner := 1)", {"lam"}),
    pytest.param("match x:\n    case [first, *rest]:\n        pass\n    case {'k': v, **others}:\n        pass\n    case str() as s:\n        pass",
                 {"first", "rest", "v", "others", "s"},
                 marks=pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")),
])
def test_binds(source, bound):
    assert shape_of(source).binds == bound


@pytest.mark.parametrize("source, dynamic", [
    ("x = 1", False),
    ("globals()['x'] = 1", True),
    ("vars()['x'] = 1", True),
    ("exec('x = 1')", True),
    ("import sys\nsetattr(sys.modules[__name__], 'x', 1)", True),
    ("def f():\n    globals()['x'] = 1", True),
    ("import sys\nsys.modules[__name__].__dict__['x'] = 1", True),
])
def test_dynamic(source, dynamic):
    assert bool(shape_of(source).dynamic) is dynamic


def test_imports_and_stars():
    shape = shape_of("import a.b\nfrom .x import y\nfrom os.path import *\ndef f():\n    import inside\n")
    assert shape.imports == ("a", "a.b", "os.path", "pkg.x", "pkg.x.y")
    assert shape.stars == ("os.path",)


def test_lines_and_class_data():
    shape = shape_of("""\
        class Repo:
            _cache = {}
            size: int = 3

            def get(self):
                pass

            class Inner:
                def m(self):
                    pass


        @decorate
        def f():
            pass
        """)
    assert shape.lines["Repo"] == 1
    assert shape.lines["Repo._cache"] == 2
    assert shape.lines["Repo.get"] == 5
    assert shape.lines["Repo.Inner.m"] == 9
    assert shape.lines["f"] == 14  # the def line; the note's code line is the decorator's
    assert set(shape.class_data["Repo"]) == {"_cache", "size"}
    # The same statement at another line dumps the same: moving code is no change.
    moved = shape_of("\n\nclass Repo:\n    _cache = {}\n    size: int = 3\n")
    assert moved.class_data["Repo"] == shape.class_data["Repo"]
    assert shape_of("class Repo:\n    _cache = {0: 0}\n").class_data["Repo"]["_cache"] != shape.class_data["Repo"]["_cache"]


def test_uses_and_when():
    shape = shape_of("""\
        import big.core
        from big import core as c2, other
        from .helpers import tool
        import thing


        def at_call():
            return big.core.LATE + tool()


        def reached():
            return c2.EARLY


        class Made:
            def method(self):
                return other.METHOD


        TOTAL = reached() + Made().method()
        held = tool
        pass_around(thing)
        """)
    _, core = uses_of(shape, "big.core")
    assert {name: use.import_time for name, use in core.items()} == {"LATE": False, "EARLY": True}
    assert core["LATE"].line == 8
    _, other = uses_of(shape, "big.other")
    assert other["METHOD"].import_time  # Made is used at import time: its methods count
    _, helpers = uses_of(shape, "pkg.helpers")
    assert helpers["tool"].import_time and helpers["tool"].bare  # bound, read at import time
    whole, _ = uses_of(shape, "thing")
    assert whole is not None  # the module itself is passed around
    whole, names = uses_of(shape, "big")
    assert whole is None and set(names) == {"core", "other"}


def test_a_from_import_only_binds():
    shape = shape_of("from core import scaled\nprint('ran')\n")
    _, names = uses_of(shape, "core")
    assert not names["scaled"].import_time and not names["scaled"].bare


def test_a_from_import_of_a_submodule_is_not_a_use_of_all_of_it():
    shape = shape_of("from pkg import sub\nZ = sub.Y\n", name="user", path="/w/user.py")
    whole, names = uses_of(shape, "pkg.sub")
    assert whole is None and names["Y"].import_time


def test_globals_read_and_calls():
    shape = shape_of("""\
        import logging
        log = logging.getLogger(__name__)
        log.addHandler(logging.NullHandler())


        def f(x, *args, k=1, **kw):
            y = x
            for i in args:
                pass
            return helper(y, i, k, kw) + CONST
        """)
    assert set(shape.globals_read) == {"helper", "CONST"}
    assert shape.globals_read["helper"] == 10
    assert shape.calls == {"logging": 2, "log": 3}


@pytest.mark.parametrize("source, keeps", [
    ("X = 1", False),
    ("import m\ndef f():\n    return m.X", False),
    ("import m\ndef f():\n    return len(str(m.X)) + max(m.X, 0)", False),
    ("import m\ndef f():\n    raise ValueError(m.X)", False),
    ("import m\ndef f():\n    local = [m.X]\n    local += [1]\n    return local", False),
    ("import m\ndef f(items):\n    total = 0\n    for i in items:\n        total += i * m.X\n    return total", False),
    # `+=` on what may be shared changes it in place.
    ("import m\ndef f(acc=[]):\n    acc += [m.X]\n    return acc", True),
    ("import m\nSEEN = []\ndef f():\n    seen = SEEN\n    seen += [m.X]\n    return seen", True),
    ("import m\ndef f(rows):\n    for row in rows:\n        row += [m.X]", True),
    ("import m\ndef f():\n    return g() + 1\ndef g():\n    return m.X", False),
    ("import m\nclass C:\n    def get(self):\n        return m.X", False),
    ("import m\nf = lambda: print(m.X)", False),
    ("import m\ndef f(rows):\n    return sorted(rows, key=lambda r: r * m.X, reverse=True)", False),
    # A store anywhere but a local name.
    ("import m\ndef f():\n    CACHE['x'] = m.X", True),
    ("import m\ndef f(box):\n    box.x = m.X", True),
    ("import m\ndef f():\n    del CACHE['x']", True),
    ("def f():\n    global seen\n    seen = 1", True),
    ("def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2", True),
    # A call of anything but a pure builtin or the module's own plain function.
    ("import m\ndef f(out):\n    out.append(m.X)", True),
    ("from m import remember\ndef f():\n    return remember(1)", True),
    ("def f(len):\n    return len(1)", True),
    ("len = lambda x: 0\ndef f():\n    return len(1)", True),
    ("def f():\n    return g()\ndef g():\n    return 1\ng = wrap(g)", True),
    ("def f():\n    def g():\n        return 1\n    return g()", True),
    ("def f():\n    return g()\ndef g():\n    return 1\nglobals()['g'] = remember", True),
    ("import m\nf = lambda: CACHE.setdefault('x', m.X)", True),
    ("import m\ndef f(rows):\n    return max(rows, key=remember)", True),
    ("import m\ndef f():\n    print(m.X, file=LOG)", True),
    ("import m\ndef f(**options):\n    print(m.X, **options)", True),
    # What may wrap a function, or suspend it holding what it read.
    ("import functools\n@functools.lru_cache\ndef f():\n    return 1", True),
    ("class C(Base):\n    pass", True),
    ("@dataclass\nclass C:\n    x: int = 0", True),
    ("class C(metaclass=Meta):\n    pass", True),
    ("def f():\n    class Local:\n        pass", True),
    ("def f():\n    yield 1", True),
    ("async def f():\n    await other", True),
    ("async def f(rows):\n    async for row in rows:\n        pass", True),
])
def test_keeps(source, keeps):
    assert bool(shape_of(source).keeps) is keeps


@pytest.mark.parametrize("source, line", [
    ("X = 1\ndef f():\n    return g()", 0),  # a call in a function body runs later, if ever
    ("X = 1\n@cached\ndef f():\n    pass", 2),
    ("X = 1\nclass C:\n    @staticmethod\n    def f():\n        pass", 3),
    ("X = 1\ntax = lru_cache(maxsize=None)(f)", 2),
    ("X = 1\nclass C:\n    of = staticmethod(f)", 3),
])
def test_first_call(source, line):
    assert shape_of(source).first_call == line


@pytest.mark.parametrize("source, line, first", [
    ("a = 1\nt = Thread(\n    target=f)\nt.start()", 3, 2),  # a call over two lines: its statement's first
    ("if X:\n    a = 1\n    t.start()\nelse:\n    b = 2", 3, 3),  # into blocks, to the statement that runs
    ("try:\n    w\nexcept NameError:\n    w = make()\n    w.start()", 5, 5),
    ("with lock:\n    for i in r:\n        go(\n            i)", 4, 3),
    ("class C:\n    t = Thread()\n    t.start()", 3, 1),  # a class body is its class statement's
    ("def f():\n    go()\n\nf()", 2, 1),
    ("a = 1", 7, 7),  # no statement holds it
])
def test_statement_line_is_the_first_line_of_the_innermost_statement_running(source, line, first):
    assert shape_of(source).statement_line(line) == first


@pytest.mark.parametrize("name, import_time", [
    ("main", True),  # an imported module is read as written: the guard's test is not evaluated
    ("__main__", False),  # a running program's __main__: its guard's block never runs again
])
def test_a_main_guards_calls_are_not_import_time_code_of_a_running_program(name, import_time):
    source = textwrap.dedent("""\
        import lib

        stats = {"count": 0}


        def main():
            while True:
                lib.step(stats)


        if __name__ == "__main__":
            main()
        """).encode()
    shape = Shape(name, "/w/main.py", parse(source, "/w/main.py"), source)
    assert shape.uses["lib.step"].import_time is import_time
