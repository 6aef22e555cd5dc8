# Python 3.14+ only: annotations that name what only a type checker imports,
# and a dataclass that names itself, unquoted (PEP 649 evaluates them lazily).
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal


def total(price: Decimal, count: int) -> Decimal:
    return price * count


@dataclass
class Tree:
    value: int
    left: Tree | None = None
    right: Tree | None = None

    def size(self) -> int:
        return 1 + sum(t.size() for t in (self.left, self.right) if t)
