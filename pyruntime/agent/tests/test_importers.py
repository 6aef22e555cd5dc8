"""Which importers a save re-runs, and that each then reads as a fresh run
of the new code would leave it. An importer re-runs if it holds what it
took from the saved module (a from-import, a value computed at import
time), and also if its functions read it when called and may have kept
what they read (functools.lru_cache, a module-level dict) where only
running the importer again empties it. An importer whose functions read
it when called and can keep nothing reads the new value without a re-run."""

import importlib.util

import pytest

from _hotload_agent import ops

# Each importer reads core.VALUE, which a save changes from 1 to 2.
RE_RUN = [
    # (what, source, expression, its value after the save)
    ("a from-import", "from M_core import VALUE\ndef get():\n    return VALUE\n", "get()", 2),
    ("a from-import it never reads", "from M_core import VALUE\n", "VALUE", 2),
    ("a value computed at import time", "import M_core\nDOUBLE = M_core.VALUE * 2\ndef get():\n    return DOUBLE\n",
     "get()", 4),
    ("a default argument", "import M_core\ndef get(v=M_core.VALUE):\n    return v\n", "get()", 2),
    ("a function called at import time", "import M_core\ndef read():\n    return M_core.VALUE\nSEEN = read()\n",
     "SEEN", 2),
    ("a class body", "import M_core\nclass Config:\n    value = M_core.VALUE\n", "Config.value", 2),
    ("a lambda made at import time", "import M_core\nget = lambda: M_core.VALUE\n", "get()", 2),
    ("a read when called, cached by lru_cache",
     "import functools\nimport M_core as c\n@functools.lru_cache\ndef get():\n    return c.VALUE\n", "get()", 2),
    ("a read when called, cached in a dict",
     "import M_core\n_seen = {}\ndef get():\n    if 'v' not in _seen:\n        _seen['v'] = M_core.VALUE\n    return _seen['v']\n",
     "get()", 2),
    ("a read when called, cached by another function",
     "import M_core\n_seen = {}\ndef read():\n    return M_core.VALUE\n"
     "def get():\n    return _seen.setdefault('v', read())\n", "get()", 2),
    ("a read when called, kept in a global",
     "import M_core\n_last = None\ndef get():\n    global _last\n    _last = _last or M_core.VALUE\n    return _last\n",
     "get()", 2),
    ("a read when called, kept on an instance",
     "import M_core\nclass Box:\n    def get(self):\n        if not hasattr(self, 'v'):\n"
     "            self.v = M_core.VALUE\n        return self.v\nBOX = Box()\n", "BOX.get()", 2),
    ("a read when called, added to a mutable default",
     "import M_core\ndef get(acc=[]):\n    acc += [M_core.VALUE]\n    return acc[0]\n", "get()", 2),
    ("a read when called, handed to another module",
     "import M_core\nimport collections\n_seen = collections.deque(maxlen=1)\n"
     "def get():\n    _seen.append(M_core.VALUE)\n    return _seen[0]\n", "get()", 2),
    ("a read when called, in a method of a class with a base",
     "import M_core\nclass Config(object):\n    def get(self):\n        return M_core.VALUE\n", "Config().get()", 2),
    ("a read when called, where the module rebinds a builtin",
     "import M_core\nfrom functools import lru_cache\nlen = lru_cache(len)\ndef get():\n    return len('x' * M_core.VALUE)\n",
     "get()", 2),
]

READ_WHEN_CALLED = [
    ("a read when called", "import M_core\ndef get():\n    return M_core.VALUE\n", "get()", 2),
    ("a read through the module's alias", "import M_core as c\ndef get():\n    return c.VALUE * 10\n", "get()", 20),
    ("a read computed with builtins", "import M_core\ndef get():\n    return len(str(M_core.VALUE)) + max(M_core.VALUE, 0)\n",
     "get()", 3),
    ("a read through the module's own functions",
     "import M_core\ndef read():\n    return M_core.VALUE\ndef get():\n    return read() + 1\n", "get()", 3),
    ("a read in a method of a plain class",
     "import M_core\nclass Config:\n    def get(self):\n        return M_core.VALUE\n", "Config().get()", 2),
]


@pytest.mark.parametrize("what,source,expr,want", RE_RUN, ids=[i[0] for i in RE_RUN])
def test_an_importer_that_holds_a_changed_value_re_runs(project, what, source, expr, want):
    project.save("core", "VALUE = 1\n")
    project.save("user", source)
    user = vars(project.module("user"))
    eval(expr, user)  # before the save: a cache, if any, now holds 1
    reply = project.save("core", "VALUE = 2\n")
    assert project.name("user") in reply["reloaded"]
    assert eval(expr, user) == want


@pytest.mark.parametrize("what,source,expr,want", READ_WHEN_CALLED, ids=[i[0] for i in READ_WHEN_CALLED])
def test_an_importer_that_reads_a_changed_value_when_called_and_keeps_nothing_does_not_re_run(
        project, what, source, expr, want):
    project.save("core", "VALUE = 1\n")
    project.save("user", source)
    user = vars(project.module("user"))
    eval(expr, user)
    reply = project.save("core", "VALUE = 2\n")
    assert reply["reloaded"] == [project.name("core")]
    assert eval(expr, user) == want


def test_what_an_importer_reads_when_called_reaches_the_modules_that_import_it(project):
    project.save("core", "VALUE = 1\n")
    project.save("user", "import M_core\ndef get():\n    return M_core.VALUE\n")
    project.save("top", "import M_user\nSEEN = M_user.get()\ndef later():\n    return M_user.get()\n")
    reply = project.save("core", "VALUE = 2\n")
    # user's get() now returns 2: top, which called it at import time, runs again.
    assert reply["reloaded"] == [project.name("core"), project.name("top")]
    assert project.module("top").SEEN == 2 and project.module("top").later() == 2


def test_a_removed_name_an_importer_reads_when_called_is_noted_on_its_line(project):
    project.save("core", "VALUE = 1\n")
    project.save("user", "import M_core\n\ndef get():\n    return M_core.VALUE\n")
    reply = project.save("core", "OTHER = 1\n")
    assert reply["reloaded"] == [project.name("core")]
    notes = [n for n in reply.get("notes", []) if n.get("file", "").endswith(project.file("user"))]
    assert [(n["line"], "no longer defined" in n["text"]) for n in notes] == [(4, True)], reply.get("notes")
    assert notes[0].get("until") == project.name("user")  # the editor keeps it until user runs again
    with pytest.raises(AttributeError):
        project.module("user").get()  # as in a fresh run: importing works, calling raises


CACHES = [
    # (what, source of an importer that calls M_core.rate() when called, expression)
    ("functools.lru_cache", "import functools\nimport M_core\n@functools.lru_cache\ndef tax(x):\n    return x * M_core.rate()\n",
     "tax(10)"),
    ("an unbounded lru_cache, through another function",
     "import functools\nimport M_core\ndef rated(x):\n    return x * M_core.rate()\n@functools.lru_cache(maxsize=None)\n"
     "def tax(x):\n    return rated(x)\n",
     "tax(10)"),
    ("a static method under lru_cache",
     "import functools\nimport M_core\nclass Tax:\n    @staticmethod\n    @functools.lru_cache(maxsize=8)\n    def of(x):\n        return x * M_core.rate()\n",
     "Tax.of(10)"),
    ("a wrapper of its own with cache_clear",
     "import functools\nimport M_core\nclass memo:\n    def __init__(self, f):\n        functools.update_wrapper(self, f)\n"
     "        self.cache = {}\n    def __call__(self, x):\n        if x not in self.cache:\n"
     "            self.cache[x] = self.__wrapped__(x)\n        return self.cache[x]\n"
     "    def cache_clear(self):\n        self.cache.clear()\n@memo\ndef tax(x):\n    return x * M_core.rate()\n",
     "tax(10)"),
    pytest.param("cachetools.cached", "import cachetools\nimport M_core\n@cachetools.cached(cachetools.LRUCache(8))\n"
                 "def tax(x):\n    return x * M_core.rate()\n", "tax(10)", id="cachetools.cached",
                 marks=pytest.mark.skipif(importlib.util.find_spec("cachetools") is None,
                                          reason="cachetools is in .ci/requirements-test.txt, not in the Python matrix")),
]


@pytest.mark.parametrize("what,source,expr", CACHES, ids=[getattr(c, "id", None) or c[0] for c in CACHES])
def test_the_caches_of_an_importer_that_calls_changed_code_are_emptied(project, what, source, expr):
    project.save("core", "def rate():\n    return 1\n")
    project.save("user", source)
    user = vars(project.module("user"))
    assert eval(expr, user) == 10
    reply = project.save("core", "def rate():\n    return 2\n")  # patched in place: user does not re-run
    assert reply["reloaded"] == [project.name("core")]
    assert eval(expr, user) == 20


def test_a_save_that_fails_leaves_the_caches_of_importers_as_they_were(project, tmp_path):
    project.save("core", "def rate():\n    return 1\n")
    project.save("user", CACHES[0][1])
    user = project.module("user")
    user.tax(10)
    path = tmp_path / project.file("core")
    path.write_text("def rate():\n    return 2\nraise RuntimeError('no')\n")
    reply = ops.op_reload(project.agent, {"module": project.name("core"), "path": str(path)})
    assert reply.get("rolled_back")
    assert user.tax.cache_info().currsize == 1 and user.tax(10) == 10


def removed_notes(project, reply, short):
    return [n["line"] for n in reply.get("notes", [])
            if n.get("file", "").endswith(project.file(short)) and "no longer defined" in n["text"]]


def test_an_importer_that_runs_again_from_a_file_without_the_removed_name_is_not_noted(project):
    project.save("lib", "def total_old(xs):\n    return sum(xs)\n")
    project.save("app", "from M_lib import total_old\n\nTOTAL = total_old([1, 2])\n")
    # Edited outside the editor: the file no longer uses total_old.
    (project.dir / project.file("app")).write_text(
        "from M_lib import total_new\n\nTOTAL = total_new([1, 2, 3])\n".replace("M_", project.prefix))

    reply = project.save("lib", "def total_new(xs):\n    return sum(xs) * 10\n")

    assert project.module("app").TOTAL == 60
    assert removed_notes(project, reply, "app") == []


def test_an_importer_that_runs_again_and_still_uses_the_removed_name_is_noted(project):
    project.save("lib", "X = 1\nVALUE = 1\n")
    project.save("app", "import M_lib\nfrom M_lib import X\n\n\ndef get():\n    return M_lib.VALUE\n")

    reply = project.save("lib", "X = 2\n")  # app runs again: it took X

    assert reply["reloaded"] == [project.name("lib"), project.name("app")]
    assert removed_notes(project, reply, "app") == [6]


@pytest.mark.parametrize("app", [
    "from M_lib import old_name\n\nRES = old_name(1)\n",  # runs again: it took old_name
    "import M_lib\n\n\ndef use(x):\n    return M_lib.old_name(x)\n",  # reads it when called
])
def test_a_removed_name_the_modules_getattr_may_serve_is_not_noted(project, app):
    project.save("lib", "def old_name(x):\n    return x + 1\n")
    project.save("app", app)

    reply = project.save("lib", "def new_name(x):\n    return x + 2\n\n\n"
                                "def __getattr__(name):\n    if name == 'old_name':\n        return new_name\n"
                                "    raise AttributeError(name)\n")

    assert removed_notes(project, reply, "app") == []


# Values equal to the ones before but not alike: 1 and 1.0 (in a tuple),
# True and 1, 0.0 and -0.0. A program tells them apart (`np.array((1, 2.0))`
# is float, `1 / -0.0` is -inf), so an importer that read one at import time
# must run again, as it must when a function's literal changes so.
NOT_ALIKE = [
    # (what, core before, core after, importer, expression, its value after the save)
    ("an int of a tuple made a float", "VALUE = (1, 2)\n", "VALUE = (1, 2.0)\n",
     "import M_core\nKINDS = [type(v).__name__ for v in M_core.VALUE]\n", "KINDS", ["int", "float"]),
    ("a bool of a tuple made an int", "VALUE = (True,)\n", "VALUE = (1,)\n",
     "import M_core\nSHOWN = repr(M_core.VALUE)\n", "SHOWN", "(1,)"),
    ("a zero made negative", "VALUE = 0.0\n", "VALUE = -0.0\n",
     "import M_core\nSHOWN = repr(M_core.VALUE)\n", "SHOWN", "-0.0"),
    ("a float of a frozenset made an int", "VALUE = frozenset({2.0})\n", "VALUE = frozenset({2})\n",
     "import M_core\nSHOWN = repr(M_core.VALUE)\n", "SHOWN", "frozenset({2})"),
    ("a function's literal list made of floats", "def get():\n    return [1, 2, 3]\n",
     "def get():\n    return [1.0, 2, 3]\n", "import M_core\nFIRST = repr(M_core.get()[0])\n", "FIRST", "1.0"),
    ("a function's default made a float", "def get(v=(1,)):\n    return v\n",
     "def get(v=(1.0,)):\n    return v\n", "import M_core\nSHOWN = repr(M_core.get())\n", "SHOWN", "(1.0,)"),
]


@pytest.mark.parametrize("what,before,after,source,expr,want", NOT_ALIKE, ids=[i[0] for i in NOT_ALIKE])
def test_an_importer_that_read_an_equal_value_of_another_type_re_runs(project, what, before, after, source, expr, want):
    project.save("core", before)
    project.save("user", source)
    reply = project.save("core", after)
    assert project.name("user") in reply["reloaded"]
    assert eval(expr, vars(project.module("user"))) == want


def test_an_importer_that_read_an_alike_value_does_not_re_run(project):
    project.save("core", "VALUE = (1, 2.0, frozenset({'a'}), -0.0)\nOTHER = 1\n")
    project.save("user", "import M_core\nSHOWN = repr(M_core.VALUE)\n")
    reply = project.save("core", "VALUE = (1, 2.0, frozenset({'a'}), -0.0)\nOTHER = 2\n")
    assert reply["reloaded"] == [project.name("core")]


def test_an_importer_that_read_a_functions_annotations_re_runs_when_they_change(project):
    project.save("core", "def on_number(x: int):\n    return x\n")
    project.save("user", "import typing\nimport M_core\nHINT = typing.get_type_hints(M_core.on_number)['x']\n")
    reply = project.save("core", "def on_number(x: float):\n    return x\n")
    assert project.name("user") in reply["reloaded"]
    assert project.module("user").HINT is float


def test_a_function_saved_with_the_same_annotations_changes_nothing_in_place(project):
    project.save("core", "class Point:\n    pass\n\ndef on_point(p: Point) -> 'Point':\n    return [p]\nOTHER = 1\n")
    project.save("user", "import typing\nimport M_core\nHINTS = typing.get_type_hints(M_core.on_point)\n")
    reply = project.save("core", "class Point:\n    pass\n\ndef on_point(p: Point) -> 'Point':\n    return [p]\nOTHER = 2\n")
    assert reply["reloaded"] == [project.name("core")]


UNIT = ("import functools\n\ndef unit(name):\n    def mark(f):\n        f.unit = name\n        return f\n    return mark\n\n"
        "def logged(f):\n    @functools.wraps(f)\n    def wrapper(*a):\n        return f(*a)\n    return wrapper\n\n"
        "@unit(%r)\n@logged\ndef weight(rows):\n    return sum(rows)\n\nOTHER = %d\n")


def test_an_importer_that_read_what_a_decorator_set_on_a_function_re_runs_when_it_changes(project):
    project.save("core", UNIT % ("kg", 1))
    project.save("user", "import M_core\nUNITS = [M_core.weight.unit]\n")
    reply = project.save("core", UNIT % ("lb", 1))
    assert project.name("user") in reply["reloaded"]
    assert project.module("user").UNITS == ["lb"]


def test_a_decorator_that_sets_the_same_attributes_again_changes_nothing_in_place(project):
    project.save("core", UNIT % ("kg", 1))
    project.save("user", "import M_core\nUNITS = [M_core.weight.unit]\n")
    reply = project.save("core", UNIT % ("kg", 2))
    assert reply["reloaded"] == [project.name("core")]
