"""An Enum whose __init__ sets its members' attributes from their values:
edited, the members keep their identity and get the attributes the new
__init__ gives, as a fresh run's members have."""

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
