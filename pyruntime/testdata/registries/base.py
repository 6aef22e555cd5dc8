"""Registries the plugins fill: one by __init_subclass__, one by a decorator."""


class Plugin:
    registry = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Plugin.registry[cls.__name__.lower()] = cls


ITEMS = []


def add(f):
    ITEMS.append(f)
    return f
