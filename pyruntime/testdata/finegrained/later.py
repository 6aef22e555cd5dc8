# Calls scaled only when called.
import core


def f():
    return core.scaled(1)
