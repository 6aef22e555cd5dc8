"""atexit: a module that registers an exit handler at import registers it
once, however often it is saved.

`atexit.register(flush)` at module level ran again with the module, and
atexit kept every registration: after three saves, flush ran three times at
exit, where a fresh run runs it once. While a module re-runs,
atexit.register first takes off what it is given: the module's own
function is the old object updated in place, so it stays registered once,
with the new code. Anything else (a lambda, a bound method of an object
the run made) is a new object each time: it is registered again, and a note
on the call says so. Rollback takes off what a failed run registered anew.

A function the version before registered at module level
(`atexit.register(flush)`) that this run did not register (the line
deleted, or the function renamed: `atexit.register(save_all)`) is taken off,
as a fresh run would not run it at exit; rollback registers it again.
"""

import sys
import types

from . import Adapter


def module_function(func, name):
    """Reports whether func is a function a def at module name's top level made."""
    return (isinstance(func, types.FunctionType) and func.__module__ == name
            and "<" not in func.__qualname__)  # not a lambda, nor a function's inner function


class AtexitAdapter(Adapter):
    module = "atexit"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.original = None  # atexit.register while a module re-runs
        self.registered = set()  # id of each function the module's run registered

    def before_run(self, up, module):
        atexit = sys.modules["atexit"]
        if self.original is None:
            self.original = atexit.register
        original, name = self.original, module.__name__
        existed = {id(value) for value in module.__dict__.values()}  # what the re-run binds again
        self.registered = registered = set()

        def register(func, *args, **kwargs):
            registered.add(id(func))
            atexit.unregister(func)  # the module's last run registered it: once is a fresh run's
            if id(func) not in existed:
                up.on_undo(atexit.unregister, func)
                if not module_function(func, name):
                    file, shape = up.sources.get(name, (None, None))
                    line = shape.calls.get("atexit") if shape is not None else None
                    up.note(name, "registers another exit handler with atexit (%s) each time it runs, where a "
                            "fresh run registers one; register a module-level function instead"
                            % getattr(func, "__qualname__", type(func).__name__), (file, line) if file and line else None)
            return original(func, *args, **kwargs)

        register.__wrapped__ = original
        up.set_attr(atexit, "register", register)

    def after_run(self, up, module):
        atexit = sys.modules["atexit"]
        atexit.register = self.original
        self.unregister_dropped(up, module, atexit)

    def unregister_dropped(self, up, module, atexit):
        """Takes off atexit what the module's version before registered at
        module level by name (`atexit.register(flush)`, `@atexit.register`)
        and this run did not register."""
        previous = up.previous.get(module.__name__)
        if previous is None or not previous.registers:
            return
        before = up.ran_before.get(id(module.__dict__), {})
        for target, key in previous.registers:
            first, _, rest = target.partition(".")
            owner = before.get(first)
            if rest or owner is not atexit:
                continue
            func = before.get(key)
            if isinstance(func, types.FunctionType) and id(func) not in self.registered:
                atexit.unregister(func)
                up.on_undo(self.original, func)

    def after_rerun(self, up, modules):
        if self.original is not None:
            sys.modules["atexit"].register = self.original
