"""functools: a module-level partial keeps its object and takes the new
arguments.

`cube = functools.partial(power, e=3)` makes a new partial on every run, and
code that took `cube` before the save kept calling with the old arguments.
A partial's arguments cannot be assigned, but partial's __setstate__ sets
them: the old partial takes the new function (updated in place) and
arguments. (lru_cache'd functions are the core's: rules.update_lru_cache.)
"""

import functools

from . import Adapter
from ..update import safe_equal


class FunctoolsAdapter(Adapter):
    module = "functools"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_partial_pair, self.update_partial)]

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
