"""Classes whose edits can and cannot update live instances (version 1)."""
import dataclasses
import enum


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return "hello " + self.name

    def removed(self):
        return "removed in v2"


class Loud(Greeter):
    def greet(self):
        return super().greet().upper()


@dataclasses.dataclass
class Size:
    """Only a method changes: updated in place."""
    w: int
    h: int

    def area(self):
        return self.w * self.h


@dataclasses.dataclass
class Point:
    """Gets a new field with a default: updated in place (frameworks/dataclasses.py)."""
    x: int
    y: int


class Mode(enum.Enum):
    """Same members, a method changes: updated in place."""
    ON = 1
    OFF = 2

    def label(self):
        return self.name.lower()


class Color(enum.Enum):
    """Gets a new member at the end: updated in place (frameworks/enum.py)."""
    RED = 1
    GREEN = 2


class Shade(enum.Enum):
    """A member renamed: cannot be updated in place."""
    LIGHT = 1
    DARK = 2


class Base:
    pass


class Other:
    pass


class Child(Base):
    pass


class Slotted:
    __slots__ = ("a",)


class Meta(type):
    pass


class WithMeta(metaclass=Meta):
    pass


origin = Greeter("origin")  # made after the class statement: an instance of the class kept
