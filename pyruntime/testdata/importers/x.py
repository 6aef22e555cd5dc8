# x and y import each other: a cycle, re-run as one group.
import y
from base import K

X = K
