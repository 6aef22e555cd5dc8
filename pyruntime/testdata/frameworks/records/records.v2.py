"""Classes whose fields a save changes (version 2): fields added, methods edited, a partial's arguments changed."""
import dataclasses
import enum
import functools

import attr
import attrs


@attr.s
class Point:
    x = attr.ib()
    y = attr.ib(default=0)
    tags = attr.ib(factory=list)

    def norm(self):
        return abs(self.x) + abs(self.y)


@attrs.define
class Slotted:
    x: int
    y: int = 0

    def norm(self):
        return abs(self.x) + abs(self.y)


@dataclasses.dataclass
class Size:
    w: int
    h: int = 1

    def area(self):
        return self.w * self.h


class Priority(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


def power(x, e):
    return x ** e


cube = functools.partial(power, e=4)
