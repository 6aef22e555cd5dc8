"""A module keeps an object across saves (`try: x except NameError:`, as
data loaded once is kept) and changes it at module level: a save may leave
it the same object with other contents. An importer that computed from it
at import time runs again, as it would in a fresh run of the new code."""

import pytest

KEEP = "import types\ntry:\n    {name}\nexcept NameError:\n    {name} = {made}\n"

CHANGED = [
    # (what, the module's source with {v}, the importer's source, the value the importer computed)
    ("an item of a kept dict, set again",
     KEEP.format(name="table", made="{}") + "table['rate'] = {v}\n",
     "from M_data import table\nRATE = table['rate']\n", "RATE"),
    ("a kept list filled again, of the same length",
     KEEP.format(name="rows", made="[]") + "rows.clear()\nrows.extend([1, {v}])\n",
     "import M_data\nTOTAL = sum(M_data.rows)\n", "TOTAL"),
    ("an attribute of a kept object",
     KEEP.format(name="frame", made="types.SimpleNamespace()") + "frame.margin = {v}\n",
     "from M_data import frame\nMARGIN = frame.margin * 10\n", "MARGIN"),
]


@pytest.mark.parametrize("what,data,user,expr", CHANGED, ids=[c[0] for c in CHANGED])
def test_an_importer_of_a_kept_object_changed_in_place_runs_again(project, what, data, user, expr):
    project.save("data", data.replace("{v}", "2"))
    project.save("user", user)
    before = getattr(project.module("user"), expr)
    reply = project.save("data", data.replace("{v}", "3"))
    assert project.name("user") in reply["reloaded"]
    assert getattr(project.module("user"), expr) != before


def test_a_kept_object_the_module_does_not_change_re_runs_nothing(project):
    data = KEEP.format(name="table", made="{'rate': 2}") + "OTHER = {v}\n"
    project.save("data", data.replace("{v}", "1"))
    project.save("user", "from M_data import table\nRATE = table['rate']\n")
    reply = project.save("data", data.replace("{v}", "2"))
    assert reply["reloaded"] == [project.name("data")]


def test_an_importer_that_reads_the_kept_object_when_called_sees_it_without_running_again(project):
    data = KEEP.format(name="table", made="{}") + "table['rate'] = {v}\n"
    project.save("data", data.replace("{v}", "2"))
    project.save("user", "import M_data\n\ndef rate():\n    return M_data.table['rate']\n")
    reply = project.save("data", data.replace("{v}", "3"))
    assert reply["reloaded"] == [project.name("data")]
    assert project.module("user").rate() == 3
