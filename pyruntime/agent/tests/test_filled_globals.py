"""An importer that does not run again after a save, but whose functions
filled a module global with what they computed through code the save
changed, keeps those values: the save notes the line that fills it."""

import pytest

from _hotload_agent import ops

CORE = "def rate():\n    return 1\n"
CORE_CHANGED = "def rate():\n    return 2\n"

FILLED = [
    # (what, source of the importer, the line noted)
    ("an item of a dict, from the changed function",
     "import M_core\n_memo = {}\ndef tax(x):\n    if x not in _memo:\n        _memo[x] = x * M_core.rate()\n"
     "    return _memo[x]\n", 5),
    ("an item, through a function of its own",
     "import M_core\n_memo = {}\ndef rated(x):\n    return x * M_core.rate()\ndef tax(x):\n    _memo[x] = rated(x)\n"
     "    return _memo[x]\n", 6),
    ("setdefault",
     "from M_core import rate\n_memo = {}\ndef tax(x):\n    return _memo.setdefault(x, x * rate())\n", 4),
    ("a global it assigns once",
     "import M_core\n_rate = None\ndef tax(x):\n    global _rate\n    if _rate is None:\n        _rate = M_core.rate()\n"
     "    return x * _rate\n", 6),
    ("an attribute of a module-level object, in a method",
     "import types\nimport M_core\nstate = types.SimpleNamespace(rate=None)\nclass Tax:\n    def of(self, x):\n"
     "        state.rate = M_core.rate()\n        return x * state.rate\n", 6),
    ("in a function nested in the one that reads",
     "import M_core\n_memo = {}\ndef tax(x):\n    r = M_core.rate()\n    def keep():\n        _memo[x] = x * r\n"
     "    keep()\n    return _memo[x]\n", 6),
]


@pytest.mark.parametrize("what,source,line", FILLED, ids=[f[0] for f in FILLED])
def test_a_global_filled_through_changed_code_is_noted_where_it_is_filled(project, what, source, line):
    project.save("core", CORE)
    project.save("user", source)
    reply = project.save("core", CORE_CHANGED)  # patched in place: user does not run again
    assert reply["reloaded"] == [project.name("core")]
    notes = [n for n in reply.get("notes", []) if n.get("file", "").endswith(project.file("user"))]
    assert [n["line"] for n in notes] == [line], reply.get("notes")
    assert "until %s runs again" % project.name("user") in notes[0]["text"], notes[0]["text"]
    assert notes[0]["until"] == project.name("user")  # the editor keeps it until then


NOT_FILLED = [
    # (what, source of the importer): nothing it keeps came from the changed code
    ("a global filled with what it was given",
     "import M_core\n_seen = {}\ndef see(x):\n    _seen[x] = x\ndef tax(x):\n    return x * M_core.rate()\n"),
    ("a local dict",
     "import M_core\ndef tax(x):\n    memo = {}\n    memo[x] = x * M_core.rate()\n    return memo[x]\n"),
    ("a local that shadows a global",
     "import M_core\n_memo = {}\ndef tax(x):\n    _memo = {}\n    _memo[x] = x * M_core.rate()\n    return _memo[x]\n"),
    ("another module's attribute",
     "import M_core\nimport M_other\ndef tax(x):\n    M_other.last = x * M_core.rate()\n"),
    ("a parameter's item",
     "import M_core\ndef tax(x, into):\n    into[x] = x * M_core.rate()\n"),
    ("an attribute of self",
     "import M_core\nclass Tax:\n    def of(self, x):\n        self.last = x * M_core.rate()\n"),
    ("a functools cache, which the save empties",
     "import functools\nimport M_core\n@functools.lru_cache\ndef tax(x):\n    return x * M_core.rate()\n"),
]


@pytest.mark.parametrize("what,source", NOT_FILLED, ids=[f[0] for f in NOT_FILLED])
def test_nothing_is_noted_where_nothing_kept_came_from_the_changed_code(project, what, source):
    project.save("other", "")
    project.save("core", CORE)
    project.save("user", source)
    reply = project.save("core", CORE_CHANGED)
    assert reply["reloaded"] == [project.name("core")]
    assert reply.get("notes", []) == []


def test_the_values_stay_as_a_note_says(project):
    # The note is not a promise the save broke: the global keeps what it
    # held, the user's state, until the module runs again.
    project.save("core", CORE)
    project.save("user", FILLED[0][1])
    user = project.module("user")
    assert user.tax(10) == 10
    project.save("core", CORE_CHANGED)
    assert user.tax(10) == 10 and user.tax(3) == 6
    project.save("user", FILLED[0][1] + "\n")
    assert project.module("user").tax(10) == 20


def test_an_importer_that_runs_again_is_not_noted(project):
    project.save("core", "RATE = 1\ndef rate():\n    return RATE\n")
    project.save("user", "from M_core import RATE\n_memo = {}\ndef tax(x):\n    _memo[x] = x * RATE\n    return _memo[x]\n")
    reply = project.save("core", "RATE = 2\ndef rate():\n    return RATE\n")
    assert project.name("user") in reply["reloaded"]
    assert reply.get("notes", []) == []


def test_a_save_that_fails_notes_nothing_kept(project, tmp_path):
    project.save("core", CORE)
    project.save("user", FILLED[0][1])
    path = tmp_path / project.file("core")
    path.write_text(CORE_CHANGED + "raise RuntimeError('no')\n")
    reply = ops.op_reload(project.agent, {"module": project.name("core"), "path": str(path)})
    assert reply.get("rolled_back")
    assert [n for n in reply.get("notes", []) if "runs again" in n["text"]] == []
