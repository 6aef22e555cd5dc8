"""The pieces of an update: what counts as changed, what an old binding is
made of, and the registry walk and leak check, on small modules."""

import functools
import types

import pytest

from _hotload_agent import ops
from _hotload_agent.rules import UPDATE_RULES
from _hotload_agent.source import compile_split
from _hotload_agent.update import DATA, MISSING, Update, chain, code_same, lookup, own_dict, plain, rebound


@pytest.mark.parametrize("old, new, want", [
    (1, 1, False),
    (2.5, 2.5, False),  # equal floats, maybe two objects: the same value
    ("a" * 50, "".join(["a"] * 50), False),
    ((1, ("x", None)), (1, ("x", None)), False),
    (1, 2, True),
    (1, 1.0, True),  # another type: a different value for `type(x)` and repr
    ([1], [1], True),  # a new list: code holding the old one sees another object
    (MISSING, 1, True),
    (1, MISSING, True),
])
def test_rebound(old, new, want):
    assert rebound(old, new) is want


def test_plain_is_bounded():
    assert plain(tuple(range(1000)))
    assert not plain(tuple(range(1001)))  # too long to check cheaply: counts as not plain
    assert not plain((1, [2]))


@pytest.mark.parametrize("other,same", [
    ("def f(x):\n    return x + 1\n", True),  # compiled again: equal code
    ("\n\n\ndef f(x):\n    return x + 1\n", True),  # the same code at other lines
    ("def f(x):\n    return x + 2\n", False),
    ("def f(x):\n    return x + 1.0\n", False),  # equal constants of other types
    ("def f(x):\n    return x + True\n", False),
    ("def f(y):\n    return y + 1\n", False),
])
def test_code_same_ignores_only_lines(other, same):
    a = compile("def f(x):\n    return x + 1\n", "m", "exec")
    assert code_same(a, compile(other, "m", "exec")) == same


def test_chain_looks_through_decorators():
    def raw():
        pass

    @functools.wraps(raw)
    def wrapped():
        return raw()

    def closure():
        return raw()

    cached = functools.lru_cache()(raw)
    assert chain(wrapped)[:2] == [wrapped, raw]
    assert raw in chain(closure)
    assert chain(cached) == [cached, raw]
    prop = property(raw)
    assert chain(prop) == [prop, raw]
    assert chain(staticmethod(raw))[1] is raw

    class Vectorize:  # numpy.vectorize keeps the function it wraps as pyfunc
        def __init__(self, pyfunc):
            self.pyfunc = pyfunc

    vectorized = Vectorize(raw)
    assert chain(vectorized) == [vectorized, raw]


def test_lookup():
    class C:
        class D:
            def m(self):
                pass
    namespace = {"C": C}
    assert lookup(namespace, "C.D.m") is C.D.__dict__["m"]
    assert lookup(namespace, "C.nope") is MISSING
    assert lookup(namespace, "x") is MISSING


def test_a_property_setter_takes_its_own_old_function(project):
    source = """\
        class Account:
            @property
            def balance(self):
                return self._c + %d

            @balance.setter
            def balance(self, value):
                self._c = value * %d
        """
    project.save("acct", source % (0, 1))
    cls = project.module("acct").Account
    getter, setter = cls.__dict__["balance"].fget, cls.__dict__["balance"].fset
    project.save("acct", source % (1, 10))
    assert project.module("acct").Account.__dict__["balance"].fget is getter
    assert project.module("acct").Account.__dict__["balance"].fset is setter
    a = cls.__new__(cls)
    a.balance = 2
    assert a.balance == 21


def test_a_list_registry_keeps_one_registration_per_definition(project):
    project.save("reg", "ITEMS = []\n\ndef add(x):\n    ITEMS.append(x)\n    return x\n")
    source = """\
        from M_reg import add

        def make(k):
            def inner():
                return k
            return inner

        @add
        def task():
            return %d

        add(make(1))
        add(make(2))
        """
    project.save("tasks", source % 1)
    reply = project.save("tasks", source % 2)
    items = project.module("reg").ITEMS
    # task once (the old function, with the new code); the factory's
    # closures are different registrations, made again by the re-run: a
    # note on the registry's line says so.
    assert items[0] is project.module("tasks").task and items[0]() == 2
    assert [f() for f in items[1:]] == [1, 2, 1, 2]
    [note] = reply["notes"]
    assert note["text"].startswith(project.name("reg") + ".ITEMS: received another function while")
    assert note["line"] == 1 and note["file"].endswith(project.name("reg") + ".py")


def test_a_list_its_module_made_anew_in_the_save_is_not_noted_as_growing(project):
    registry = "PLUGINS = []\n\n\ndef register(name):\n    PLUGINS.append(%s)\n"
    project.save("registry", registry % "name")
    project.save("a_plugin", "from M_registry import register\n\nregister('a')\n")
    project.save("b_plugin", "from M_registry import register\n\nregister('b')\n")

    reply = project.save("registry", registry % "name.upper()")  # both plugins run again

    assert project.module("registry").PLUGINS == ["A", "B"]
    assert "notes" not in reply  # PLUGINS = [] ran again: the list holds this save's registrations only


@pytest.mark.parametrize("decorator, old_call", [
    ("staticmethod", "convert(x)"),  # callable only from Python 3.10 on
    ("classmethod", "convert(cls, x)"),  # never callable
])
def test_a_method_decorator_removed_is_noted(project, decorator, old_call):
    project.save("units", """\
        class Meter:
            def __init__(self, scale):
                self.scale = scale

            @%s
            def %s:
                return x * 100
        """ % (decorator, old_call))
    cls = project.module("units").Meter
    reply = project.save("units", """\
        class Meter:
            def __init__(self, scale):
                self.scale = scale

            def convert(self, x):
                return x * 100 * self.scale
        """)
    assert cls(3).convert(1) == 300
    [note] = reply["notes"]
    assert "a decorator was removed" in note["text"]
    assert note["line"] == 5


def test_a_class_stored_where_the_walk_cannot_reach_is_noted(project):
    project.save("base", """\
        import collections

        class Plugin:
            seen = collections.deque()

            def __init_subclass__(cls):
                Plugin.seen.append(cls)
        """)
    project.save("impl", "from M_base import Plugin\n\nclass A(Plugin):\n    pass\n")
    reply = project.save("impl", "from M_base import Plugin\n\nclass A(Plugin):\n    x = 1\n")
    texts = [n["text"] for n in reply.get("notes", [])]
    assert any("stored while it was created" in t for t in texts), texts
    assert reply["notes"][0]["line"] == 3


def test_a_class_stored_in_a_dict_is_replaced_without_a_note(project):
    project.save("base", """\
        class Plugin:
            registry = {}

            def __init_subclass__(cls):
                Plugin.registry[cls.__name__] = cls
        """)
    project.save("impl", "from M_base import Plugin\n\nclass A(Plugin):\n    pass\n")
    reply = project.save("impl", "from M_base import Plugin\n\nclass A(Plugin):\n    x = 1\n")
    assert "notes" not in reply
    assert project.module("base").Plugin.registry["A"] is project.module("impl").A


def test_a_failed_save_puts_registries_back(project):
    project.save("reg", "ITEMS = []\n\ndef add(x):\n    ITEMS.append(x)\n    return x\n")
    project.save("tasks", "from M_reg import add\n\n@add\ndef task():\n    return 1\n")
    items = project.module("reg").ITEMS
    before = list(items)
    path = project.dir / (project.name("tasks") + ".py")
    path.write_text("from %sreg import add\n\n@add\ndef task():\n    return 2\n\n1 / 0\n" % project.prefix)
    reply = ops.op_reload(project.agent, {"module": project.name("tasks"), "path": str(path)})
    assert reply["rolled_back"]
    assert items == before and items[0]() == 1


@pytest.mark.parametrize("edit", [
    "class A(Plugin):\n    x = 1\n",  # updated in place, then rolled back
    "class A(Plugin, object):\n    pass\n",  # rebuilt (its bases changed), then rolled back
    "class A(Plugin):\n    pass\n\nclass B(Plugin):\n    pass\n",  # a new class registered, then rolled back
])
def test_a_failed_save_gives_registries_their_classes_back(project, edit):
    project.save("base", """\
        class Plugin:
            registry = {}

            def __init_subclass__(cls):
                Plugin.registry[cls.__name__] = cls
        """)
    project.save("impl", "from M_base import Plugin\n\nclass A(Plugin):\n    pass\n")
    registry = project.module("base").Plugin.registry
    old = registry["A"]
    path = project.dir / (project.name("impl") + ".py")
    path.write_text("from %sbase import Plugin\n\n%s\n1 / 0\n" % (project.prefix, edit))
    reply = ops.op_reload(project.agent, {"module": project.name("impl"), "path": str(path)})
    assert reply["rolled_back"]
    assert registry == {"A": old} and project.module("impl").A is old


def test_class_caches_keep_their_contents_while_their_line_stands(project):
    source = """\
        class Repo:
            cache = {}
            seeded = {"a": 1}
            limit = 10
            %s

            def get(self, key):
                return self.cache.setdefault(key, key * %d)
        """
    project.save("repo", source % ("", 1))
    repo = project.module("repo").Repo
    repo().get(2)
    repo.seeded["b"] = 2
    reply = project.save("repo", source % ("", 10))
    assert repo.cache == {2: 2}  # kept: written empty, same line
    assert repo.seeded == {"a": 1}  # written full: the class body's value, as a fresh run
    [note] = reply["notes"]  # the code changed: what it holds may be stale
    assert "keeps what it held before the save (1 item)" in note["text"] and note["line"] == 2
    project.save("repo", source.replace("cache = {}", "cache = dict()") % ("", 10))
    assert repo.cache == {}  # its line changed: a new one


def test_the_registry_walk_leaves_the_builtins_alone(project):
    """Every namespace holds the interpreter's builtins dict: walking its
    hundred-odd names on every save would cost more than a trivial save
    itself, and no registry of the user's lives there."""
    import builtins

    from _hotload_agent import registries
    from _hotload_agent.update import Update

    project.save("reg", "HANDLERS = []\nprint('hi')\n")
    up = Update([], project.agent.workspace)
    up.modules.add(project.name("reg"))
    found = registries.containers(up, ())
    assert any(c is project.module("reg").HANDLERS for c in found)
    assert not any(c is builtins.__dict__ for c in found)


@pytest.mark.parametrize("kind", DATA)
def test_data_has_no_own_dict(kind):
    """own_dict answers None for built-in data without asking: right only
    while no instance of those types has a __dict__."""
    value = kind(1) if kind is range else kind()
    if own_dict(value) is not None:
        pytest.fail("own_dict(%r) = %r, want None" % (value, own_dict(value)))
    with pytest.raises(AttributeError):
        object.__getattribute__(value, "__dict__")


@pytest.mark.parametrize("first, second, want", [
    ("x = 1\n", "x = 1\n", set()),
    ("x = 1\n", "x = 2\n", {"x"}),
    ("x = 1\n", "y = 1\n", {"y"}),
    ("t = (1, 2)\n", "pass\n", set()),
    ("items = []\n", "pass\n", set()),
    ("items = []\n", "items.append(1)\n", {"items"}),
    ("table = {}\n", "table['k'] = 1\n", {"table"}),
    ("__all__ = ['a']\n", "pass\n", set()),
    ("__all__ = ['a']\n", "__all__ = ['a']\n", set()),
    ("__all__ = ['a']\n", "__all__.append('b')\n", set()),  # compared by value, and the same list equals itself
    ("__all__ = ('a',)\n", "pass\n", set()),
    ("__all__ = ('a',)\n", "__all__ = ('a', 'b')\n", {"__all__"}),
    ("__version__ = 1\n", "__version__ = 2\n", set()),
    ("import os\n", "import os\n", set()),
    ("import os\n", "import sys as os\n", {"os"}),
    ("def f():\n    return 1\n", "def f():\n    return 2\n", set()),
    ("def f():\n    return 1\n", "f = 3\n", {"f"}),
    ("class C:\n    pass\n", "class C:\n    x = 1\n", set()),
    ("class C:\n    pass\n", "C = C()\n", {"C"}),
])
def test_run_records_the_names_rebound(first, second, want):
    """The names a module's run rebinds: what it binds anew, and the lists,
    dicts and sets it holds that changed size; not what it binds to the
    same object or an equal value."""
    module = types.ModuleType("m_rebound")
    module.__file__ = "/w/m_rebound.py"
    exec(compile_split(first, module.__file__)[0], module.__dict__)
    up = Update(UPDATE_RULES)
    body, last = compile_split(second, module.__file__, bind=True)
    up.run(module, body, last)
    got = up.changes["m_rebound"].rebound
    if got != want:
        pytest.fail("after %r, running %r rebound %r, want %r" % (first, second, got, want))
