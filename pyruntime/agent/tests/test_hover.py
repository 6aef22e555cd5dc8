"""Describing values for a hover, and telling globals from locals."""

import pytest

from _hotload_agent.hover import Inspector, cut_text, describe, type_name

SOURCE = '''count = 1

def f(count):
    return count

def g():
    return count

class C:
    count = 2
    x = count

def h():
    global count
    count = 3

squares = [count for count in range(3)]
'''


@pytest.mark.parametrize("line, col, is_global", [
    (1, 0, True),     # the assignment itself
    (4, 11, False),   # f's parameter
    (7, 11, True),    # read in g: the global
    (10, 4, False),   # C's class attribute
    (11, 8, False),   # read in C's body after it is bound there
    (15, 4, True),    # declared global
])
def test_is_global(tmp_path, line, col, is_global):
    path = tmp_path / "mod.py"
    path.write_text(SOURCE)
    assert Inspector(agent=None).is_global(str(path), line, col, "count") is is_global


def test_is_global_when_the_file_changed(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text(SOURCE)
    # Line 4 of the editor's text does not hold `count` at 11 on disk: no guess.
    assert Inspector(agent=None).is_global(str(path), 4, 0, "count") is True


@pytest.mark.parametrize("value, want", [
    (42, {"type": "int", "repr": "42", "language": "python"}),
    ("hi", {"type": "str", "size": "len 2", "repr": "'hi'", "language": "python"}),
    ({"a": 1}, {"type": "dict", "size": "len 1", "repr": "{'a': 1}", "language": "python"}),
])
def test_describe(value, want):
    assert describe(value) == want


def test_describe_cuts_to_a_screenful():
    got = describe(list(range(5000)))
    assert got["size"] == "len 5000" and "..." in got["repr"] and len(got["repr"]) < 1000


def test_cut_text():
    text = "\n".join("line %d" % i for i in range(100))
    kept, note = cut_text(text)
    assert kept.count("\n") == 39 and note.startswith("40 of 100 lines")
    assert cut_text("short") == ("short", "")


def test_type_name():
    import collections
    assert type_name(int) == "int"
    assert type_name(collections.OrderedDict) == "collections.OrderedDict"
