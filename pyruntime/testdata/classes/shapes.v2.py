"""Classes whose edits can and cannot update live instances (version 2)."""
import dataclasses
import enum


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return "hi " + self.name

    def added(self):
        return "added for " + self.name


class Loud(Greeter):
    def greet(self):
        return super().greet().upper()

    def added(self):
        return super().added() + "!"


@dataclasses.dataclass
class Size:
    """Only a method changes: updated in place."""
    w: int
    h: int

    def area(self):
        return self.w * self.h * 10


@dataclasses.dataclass
class Point:
    """Gets a new field with a default: updated in place (frameworks/dataclasses.py)."""
    x: int
    y: int
    z: int = 0


class Mode(enum.Enum):
    """Same members, a method changes: updated in place."""
    ON = 1
    OFF = 2

    def label(self):
        return self.name.upper() + "!"


class Color(enum.Enum):
    """Gets a new member at the end: updated in place (frameworks/enum.py)."""
    RED = 1
    GREEN = 2
    BLUE = 3


class Shade(enum.Enum):
    """A member renamed: cannot be updated in place."""
    LIGHT = 1
    DEEP = 2


class Base:
    pass


class Other:
    pass


class Child(Other):
    pass


class Slotted:
    __slots__ = ("a", "b")


class Meta(type):
    pass


class WithMeta:
    pass


origin = Greeter("origin")  # made after the class statement: an instance of the class kept
