"""An Enum whose __init__ sets its members' attributes from their values:
edited, the members keep their identity and get the attributes the new
__init__ gives, as a fresh run's members have."""

import pytest

from _hotload_agent import ops

PLANET = """
import enum


class Planet(enum.Enum):
    MERCURY = (3.303e23, 2.4397e6)
    EARTH = (5.976e24, 6.37814e6)

    def __init__(self, mass, radius):
        self.mass = mass
        LINES
"""


def test_an_edited_init_gives_the_members_their_new_attributes(project):
    project.save("planet", PLANET.replace("LINES", "self.label = self.name.title()"))
    earth = project.module("planet").Planet.EARTH
    project.save("planet", PLANET.replace("LINES", "self.label = self.name.lower()"))
    planet = project.module("planet").Planet
    assert planet.EARTH is earth and earth.label == "earth" and [p.label for p in planet] == ["mercury", "earth"]


def test_an_attribute_the_new_init_no_longer_sets_is_gone(project):
    project.save("planet", PLANET.replace("LINES", "self.label = self.name.title()"))
    project.save("planet", PLANET.replace("LINES", "pass"))
    assert not hasattr(project.module("planet").Planet.EARTH, "label")


def test_a_failed_save_leaves_the_members_as_they_were(project):
    project.save("planet", PLANET.replace("LINES", "self.label = self.name.title()"))
    path = project.dir / project.file("planet")
    path.write_text(PLANET.replace("LINES", "self.label = self.name.lower()").replace("M_", project.prefix) + "\n1 / 0\n")
    reply = ops.op_reload(project.agent, {"module": project.name("planet"), "path": str(path)})
    assert reply["rolled_back"]
    assert project.module("planet").Planet.EARTH.label == "Earth"


STATUS = """
import enum


class Status(enum.Enum):
MEMBERS

    def label(self):
        return LABEL
"""

TABLES = """
import M_status

CHOICES = [(s.name, s.value) for s in M_status.Status]
BY_CODE = {s.value: s.name for s in M_status.Status}
"""

LOOKUP = """
import functools

import M_status


@functools.lru_cache(maxsize=None)
def by_name(name):
    for s in M_status.Status:
        if s.name == name:
            return s.value
    return None
"""


def status(members, label="self.name.title()"):
    return STATUS.replace("MEMBERS", "".join("    %s = %r\n" % m for m in members)).replace("LABEL", label)


BEFORE = [("OPEN", "o"), ("CLOSED", "c")]

# (what, the members after the save): each changes what iterating the
# class gives, so an importer's tables built from it at import time differ.
MEMBER_CHANGES = [
    ("a member added", [("OPEN", "o"), ("PENDING", "p"), ("CLOSED", "c")]),
    ("a member removed", [("OPEN", "o")]),
    ("a value changed", [("OPEN", "open"), ("CLOSED", "closed")]),
    ("members reordered", [("CLOSED", "c"), ("OPEN", "o")]),
]


@pytest.mark.parametrize("what, after", MEMBER_CHANGES, ids=[c[0] for c in MEMBER_CHANGES])
def test_an_importer_that_built_tables_from_the_enum_runs_again(project, what, after):
    project.save("status", status(BEFORE))
    project.save("tables", TABLES)
    project.save("status", status(after))
    tables = project.module("tables")
    assert tables.CHOICES == after and tables.BY_CODE == {v: n for n, v in after}


@pytest.mark.parametrize("what, after", MEMBER_CHANGES, ids=[c[0] for c in MEMBER_CHANGES])
def test_a_cached_lookup_that_scans_the_enum_is_emptied(project, what, after):
    project.save("status", status(BEFORE))
    project.save("lookup", LOOKUP)
    lookup = project.module("lookup")
    assert [lookup.by_name(n) for n in ("OPEN", "PENDING", "CLOSED")] == ["o", None, "c"]
    project.save("status", status(after))
    assert [lookup.by_name(n) for n in ("OPEN", "PENDING", "CLOSED")] == [dict(after).get(n) for n in ("OPEN", "PENDING", "CLOSED")]


def test_an_edit_that_leaves_the_members_leaves_the_importer(project):
    project.save("status", status(BEFORE))
    project.save("tables", TABLES)
    choices = project.module("tables").CHOICES
    project.save("status", status(BEFORE) + "\n\ndef helper():\n    return 1\n")
    assert project.module("tables").CHOICES is choices
