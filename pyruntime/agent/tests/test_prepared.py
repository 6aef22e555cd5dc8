"""Code compiled from the editor's text before the save (prepared.py): a
save uses it only for the very bytes it reads from the file, and then does
what a save of the same file without it does."""

import sys
import textwrap

import pytest

from _hotload_agent import ops
from _hotload_agent.prepared import KEPT, Prepared


def prepare(project, short, source):
    text = textwrap.dedent(source).replace("M_", project.prefix)
    path = str(project.dir / project.file(short))
    return ops.op_prepare(project.agent, {"module": project.name(short), "path": path, "code": text})


# (what, the module's first version, the saved version, an expression, its value after the save)
EDITS = [
    ("a function's body", "def area(w, h):\n    return w * h\n", "def area(w, h):\n    return w * h + 1\n", "area(2, 3)", 7),
    ("a rebound global its functions read", "X = 1\ndef get():\n    return X\n", "X = 2\ndef get():\n    return X\n",
     "get()", 2),
    ("a class's method", "class C:\n    def m(self):\n        return 1\n", "class C:\n    def m(self):\n        return 2\n",
     "C().m()", 2),
    ("a name that goes", "def old():\n    return 1\ndef keep():\n    return 2\n", "def keep():\n    return 3\n",
     "('old' in globals(), keep())", (False, 3)),
    ("a last expression", "x = 1\nx\n", "x = 5\nx * 2\n", "x", 5),
]


@pytest.mark.parametrize("prepared", [False, True], ids=["compiled at the save", "prepared"])
@pytest.mark.parametrize("what,before,after,expr,want", EDITS, ids=[e[0] for e in EDITS])
def test_a_prepared_save_does_what_a_save_does(project, prepared, what, before, after, expr, want):
    project.save("mod", before)
    module = project.module("mod")
    if prepared:
        assert prepare(project, "mod", after) == {"prepared": True}
    reply = project.save("mod", after)
    assert reply.get("prepared", False) == prepared
    assert project.module("mod") is module
    assert eval(expr, vars(module)) == want


def warm(project, short):
    path = str(project.dir / project.file(short))
    return ops.op_warm(project.agent, {"module": project.name(short), "path": path})


def test_a_warm_up_before_a_save_changes_nothing(project):
    # The editor is about to save: the warm-up runs no code, leaves the
    # prepared code for the save and the module as it was.
    project.save("mod", "print('ran')\nRUNS = [1]\n")
    module = project.module("mod")
    module.RUNS.append(2)
    assert prepare(project, "mod", "print('ran')\nRUNS = [3]\n")["prepared"]
    assert warm(project, "mod") == {"loaded": True}
    assert module.RUNS == [1, 2]
    reply = project.save("mod", "print('ran')\nRUNS = [3]\n")
    assert reply["prepared"]
    assert module.RUNS == [3]


def test_a_warm_up_of_a_module_not_loaded_loads_nothing(project):
    (project.dir / project.file("mod")).write_text("print('ran')\n")
    assert warm(project, "mod") == {"loaded": False}
    assert project.name("mod") not in sys.modules


def test_a_save_of_other_bytes_compiles_the_file(project):
    project.save("mod", "def f():\n    return 1\n")
    assert prepare(project, "mod", "def f():\n    return 2\n")["prepared"]
    # Say a formatter changed the text as it was saved.
    reply = project.save("mod", "def f():\n    return 3\n")
    assert "prepared" not in reply
    assert project.module("mod").f() == 3
    # The stale entry is gone: saving the prepared text later compiles it too.
    reply = project.save("mod", "def f():\n    return 2\n")
    assert "prepared" not in reply
    assert project.module("mod").f() == 2


def test_a_prepared_module_that_raises_rolls_back_as_any_save(project):
    project.save("mod", "VALUE = 1\n")
    assert prepare(project, "mod", "VALUE = 2\nraise ValueError('no')\n")["prepared"]
    path = project.dir / project.file("mod")
    path.write_text("VALUE = 2\nraise ValueError('no')\n")
    reply = ops.op_reload(project.agent, {"module": project.name("mod"), "path": str(path)})
    assert reply["error"]["type"] == "ValueError"
    assert reply["rolled_back"]
    assert reply["prepared"]  # the result says which code raised
    assert project.module("mod").VALUE == 1


@pytest.mark.parametrize("what,source", [
    ("a syntax error", "def f(:\n"),
    # Python warns while compiling it (DeprecationWarning before 3.12,
    # SyntaxWarning since): the save's result must show that warning.
    ("text Python warns about as it compiles", "PATTERN = '\\d+'\n"),
])
def test_text_the_save_must_compile_itself_is_not_kept(project, what, source):
    project.save("mod", "x = 1\n")
    assert prepare(project, "mod", source) == {"prepared": False}
    assert len(project.agent.workspace.prepared) == 0


def test_a_module_not_loaded_is_not_prepared(project):
    assert prepare(project, "never_saved", "x = 1\n") == {"prepared": False}
    assert project.name("never_saved") not in sys.modules


def test_only_the_files_edited_last_are_kept():
    prepared = Prepared()
    for i in range(KEPT + 2):
        prepared.put("m%d" % i, "/ws/m%d.py" % i, True, b"x = 1\n", ("compiled",))
    assert len(prepared) == KEPT
    assert prepared.take("m0", "/ws/m0.py", True, b"x = 1\n") is None
    assert prepared.take("m%d" % (KEPT + 1), "/ws/m%d.py" % (KEPT + 1), True, b"x = 1\n") == ("compiled",)


@pytest.mark.parametrize("name,bind,source", [
    ("other", True, b"x = 1\n"),
    ("m", False, b"x = 1\n"),
    ("m", True, b"x = 2\n"),
], ids=["another module name", "compiled for a first import", "other bytes"])
def test_take_finds_only_the_same_module_run_and_bytes(name, bind, source):
    prepared = Prepared()
    prepared.put("m", "/ws/m.py", True, b"x = 1\n", ("compiled",))
    assert prepared.take(name, "/ws/m.py", bind, source) is None
    assert len(prepared) == 0  # stale: dropped
