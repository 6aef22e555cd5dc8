"""Classes whose fields a save changes (version 1)."""
import dataclasses
import enum
import functools

import attr
import attrs


@attr.s
class Point:
    x = attr.ib()

    def norm(self):
        return abs(self.x)


@attrs.define
class Slotted:
    x: int

    def norm(self):
        return abs(self.x)


@dataclasses.dataclass
class Size:
    w: int

    def area(self):
        return self.w * self.w


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 3


def power(x, e):
    return x ** e


cube = functools.partial(power, e=3)
