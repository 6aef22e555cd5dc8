"""Which importers a save re-runs, and that each then reads as a fresh run
of the new code would leave it. An importer re-runs if it holds what it
took from the saved module (a from-import, a value computed at import
time), and also if its functions read it when called: they may have put
what they read in a cache (functools.lru_cache, a module-level dict) that
only running the importer again empties."""

import pytest

# Each importer reads core.VALUE, which a save changes from 1 to 2.
IMPORTERS = [
    # (what, source, expression, its value after the save)
    ("a from-import", "from M_core import VALUE\ndef get():\n    return VALUE\n", "get()", 2),
    ("a from-import it never reads", "from M_core import VALUE\n", "VALUE", 2),
    ("a value computed at import time", "import M_core\nDOUBLE = M_core.VALUE * 2\ndef get():\n    return DOUBLE\n",
     "get()", 4),
    ("a default argument", "import M_core\ndef get(v=M_core.VALUE):\n    return v\n", "get()", 2),
    ("a function called at import time", "import M_core\ndef read():\n    return M_core.VALUE\nSEEN = read()\n",
     "SEEN", 2),
    ("a class body", "import M_core\nclass Config:\n    value = M_core.VALUE\n", "Config.value", 2),
    ("a read when called", "import M_core\ndef get():\n    return M_core.VALUE\n", "get()", 2),
    ("a read when called, cached by lru_cache",
     "import functools\nimport M_core as c\n@functools.lru_cache\ndef get():\n    return c.VALUE\n", "get()", 2),
    ("a read when called, cached in a dict",
     "import M_core\n_seen = {}\ndef get():\n    if 'v' not in _seen:\n        _seen['v'] = M_core.VALUE\n    return _seen['v']\n",
     "get()", 2),
]


@pytest.mark.parametrize("what,source,expr,want", IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_an_importer_that_takes_a_changed_value_re_runs(project, what, source, expr, want):
    project.save("core", "VALUE = 1\n")
    project.save("user", source)
    user = vars(project.module("user"))
    eval(expr, user)  # before the save: a cache, if any, now holds 1
    reply = project.save("core", "VALUE = 2\n")
    assert project.name("user") in reply["reloaded"]
    assert eval(expr, user) == want
