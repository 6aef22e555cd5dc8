"""functools: a module-level partial keeps its object and takes the new
arguments.

`cube = functools.partial(power, e=3)` makes a new partial on every run, and
code that took `cube` before the save kept calling with the old arguments.
A partial's arguments cannot be assigned, but partial's __setstate__ sets
them: the old partial takes the new function (updated in place) and
arguments. (lru_cache'd functions are the core's: rules.update_lru_cache.)

A module that registers implementations on another module's
`functools.singledispatch` function (`from core import render`, then
`@render.register def _(value: Money)`) left them registered when its new
version no longer did (the registration deleted, the type it names
changed): a fresh run would dispatch those types to the default. While the
module runs again, the register of each such function it holds (by name,
or one level into a user module it imports) notes what the run registers;
afterwards, each implementation of the module's that the version before
registered and this run did not is taken off, as no fresh run has it.
"""

import functools
import types

from . import Adapter
from ..update import safe_equal


class FunctoolsAdapter(Adapter):
    module = "functools"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_partial_pair, self.update_partial)]
        self.watched = []  # (dispatcher, its register, its registry, {type: the module's impl}, types registered)

    def before_run(self, up, module):
        name, self.watched = module.__name__, []
        is_user = up.workspace.is_loaded if up.workspace is not None else (lambda name: False)
        for dispatcher in others_dispatchers(module, is_user):
            original = dispatcher.__dict__["register"]
            registry = closure_value(original, "registry")
            if not isinstance(registry, dict):
                continue
            own = {cls: impl for cls, impl in registry.items() if getattr(impl, "__module__", None) == name}
            if own:
                seen = set()
                self.watched.append((dispatcher, original, registry, own, seen))
                up.set_attr(dispatcher, "register", recording(original, registry, seen))

    def after_run(self, up, module):
        watched, self.watched = self.watched, []
        for dispatcher, original, registry, own, seen in watched:
            dispatcher.register = original
            dropped = [cls for cls, impl in own.items() if cls not in seen and registry.get(cls) is impl]
            for cls in dropped:
                up.on_undo(registry.__setitem__, cls, own[cls])
                del registry[cls]
            if dropped:
                clear = dispatcher.__dict__.get("_clear_cache")
                if callable(clear):
                    clear()
                    up.on_undo(clear)

    def is_partial_pair(self, up, old, new):
        return type(old) is type(new) is functools.partial

    def update_partial(self, up, old, new, where):
        func = up.resolve(old.func, new.func, where)
        if func is not old.func:
            return False
        up.on_undo(old.__setstate__, old.__reduce__()[2])
        before = (old.args, old.keywords)
        old.__setstate__((func, new.args, new.keywords or None, new.__dict__ or None))
        if not safe_equal(before, (old.args, old.keywords)):
            up.changed_in_place()  # calling it computes something else: importers that called it re-run
        return True


def is_dispatcher(value):
    """Reports whether value is a functools.singledispatch function."""
    return (isinstance(value, types.FunctionType) and "registry" in value.__dict__
            and "dispatch" in value.__dict__ and isinstance(value.__dict__.get("register"), types.FunctionType))


def others_dispatchers(module, is_user):
    """The singledispatch functions of other modules that module holds by
    name, or one level into a user module it imports (`core.render`);
    is_user tells a user module's name."""
    name, found = module.__name__, {}
    for value in list(module.__dict__.values()):
        if type(value) is types.ModuleType and value is not module and is_user(value.__name__):
            candidates = list(value.__dict__.values())
        else:
            candidates = [value]
        for candidate in candidates:
            if is_dispatcher(candidate) and candidate.__module__ != name:
                found[id(candidate)] = candidate
    return list(found.values())


def closure_value(func, var):
    """The value of func's free variable var, or None."""
    code, cells = getattr(func, "__code__", None), getattr(func, "__closure__", None) or ()
    if code is None or var not in code.co_freevars:
        return None
    try:
        return cells[code.co_freevars.index(var)].cell_contents
    except (IndexError, ValueError):
        return None


# functools' own test of `@f.register(int)` (a type, or a union of types from 3.11)
valid_dispatch_type = getattr(functools, "_is_valid_dispatch_type", lambda cls: isinstance(cls, type))


def recording(original, registry, seen):
    """A singledispatch function's register that also puts in seen each type
    it registers a function for (an old function updated in place may have
    been registered for another type before: that entry stays out of seen)."""
    def register(cls, func=None):
        if func is None and valid_dispatch_type(cls):
            return lambda f: register(cls, f)
        f = cls if func is None else func
        before = {key: value for key, value in registry.items() if value is f}
        for key in before:
            del registry[key]
        try:
            result = original(cls, func)
            seen.update(key for key, value in registry.items() if value is f)
        finally:
            for key, value in before.items():
                registry.setdefault(key, value)
        return result

    register.__wrapped__ = original
    return register
