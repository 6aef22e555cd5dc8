"""A save that changes how a class updated in place hashes its instances
gets a note: instances already in sets or used as dict keys stay where
their old hash put them, which no update can find without a heap scan.
Edits that leave the hash function alone, or make instances unhashable
before or after (lookups raise TypeError, as in a fresh run), get none."""

import pytest

POINT = """\
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
"""

EQ = """
    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)
"""

HASH = """
    def __hash__(self):
        return hash((self.x, self.y))
"""

NAME = "\n    def name(self):\n        return 'point'\n"

DATACLASS = """\
import dataclasses


@dataclasses.dataclass(FLAGS)
class Point:
    x: int
    y: int
"""


def dc(flags, extra=""):
    return DATACLASS.replace("FLAGS", flags) + extra


# (what, source before, source after, the line of the note, or None for no note)
CASES = [
    ("__eq__ and __hash__ added", POINT, POINT + EQ + HASH, 8),
    ("__hash__ edited", POINT + EQ + HASH, POINT + EQ + HASH.replace("(self.x, self.y)", "(self.y, self.x)"), 8),
    ("__hash__ added to a class that hashed by its base's", POINT, POINT + HASH, 5),
    ("__eq__ and __hash__ removed", POINT + EQ + HASH, POINT, 1),
    ("a frozen dataclass gains a field", dc("frozen=True"), dc("frozen=True", "    z: int = 0\n"), 5),
    ("a frozen dataclass made eq=False", dc("frozen=True"), dc("frozen=True, eq=False"), 5),
    # no note
    ("another method edited", POINT + EQ + HASH + NAME, POINT + EQ + HASH + NAME.replace("point", "Point"), None),
    ("__eq__'s body edited", POINT + EQ + HASH, POINT + EQ.replace("==", "!=") + HASH, None),
    ("__hash__ moved down", POINT + EQ + HASH, POINT + "\n\n" + EQ + HASH, None),
    ("__eq__ added without __hash__ (unhashable now)", POINT, POINT + EQ, None),
    ("__hash__ added to a class with __eq__ (unhashable before)", POINT + EQ, POINT + EQ + HASH, None),
    ("__hash__ removed, __eq__ kept (unhashable now)", POINT + EQ + HASH, POINT + EQ, None),
    ("a dataclass made frozen (unhashable before)", dc(""), dc("frozen=True"), None),
    ("a dataclass gains a field", dc(""), dc("", "    z: int = 0\n"), None),
    ("a frozen dataclass's method added", dc("frozen=True"), dc("frozen=True", NAME), None),
]


@pytest.mark.parametrize("what, before, after, line", CASES, ids=[c[0] for c in CASES])
def test_a_class_that_hashes_otherwise_is_noted(project, what, before, after, line):
    project.save("point", before)
    cls = project.module("point").Point
    reply = project.save("point", after)
    assert project.module("point").Point is cls, "not updated in place"
    notes = [n for n in reply.get("notes", []) if "hash differently" in n["text"]]
    if line is None:
        assert not notes, notes
        return
    [note] = notes
    assert note["line"] == line, note
    assert "instances hash differently than before this save; those already in sets or used as dict keys stay " \
        "where their old hash put them" in note["text"] and "rebuild those containers or restart the runtime" in note["text"]


def test_the_instances_in_a_set_are_what_the_note_says(project):
    project.save("point", POINT)
    point = project.module("point")
    seen = {point.Point(1, 2)}
    project.save("point", POINT + EQ + HASH)
    assert point.Point(1, 2) not in seen  # as noted: a fresh run would find it


def test_a_failed_save_notes_nothing(project):
    from _hotload_agent import ops
    project.save("point", POINT)
    path = project.dir / project.file("point")
    path.write_text(POINT + EQ + HASH + "\n1 / 0\n")
    reply = ops.op_reload(project.agent, {"module": project.name("point"), "path": str(path)})
    assert reply["rolled_back"] and not [n for n in reply.get("notes", []) if "hash" in n["text"]]


def test_a_frozen_attrs_class_that_gains_a_field_is_noted(project):
    pytest.importorskip("attrs")
    source = "import attrs\n\n\n@attrs.frozen(slots=False)\nclass Point:\n    x: int\n    y: int\n"
    project.save("point", source)
    reply = project.save("point", source + "    z: int = 0\n")
    [note] = [n for n in reply.get("notes", []) if "hash differently" in n["text"]]
    assert note["line"] == 5 and "the __hash__ its decorator generates changed" in note["text"]


def test_a_frozen_attrs_class_whose_method_is_edited_is_not_noted(project):
    # attrs decorates the old class again, after its update from the undecorated one.
    pytest.importorskip("attrs")
    source = "import attrs\n\n\n@attrs.frozen(slots=False)\nclass Point:\n    x: int\n\n    def name(self):\n        return %r\n"
    project.save("point", source % "a")
    reply = project.save("point", source % "b")
    assert not [n for n in reply.get("notes", []) if "hash" in n["text"]]
