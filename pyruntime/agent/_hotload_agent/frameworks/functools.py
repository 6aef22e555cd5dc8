"""functools: lru_cache'd functions and partials take the new code in place.

- functools.lru_cache and functools.cache wrap a function in a C object the
  core cannot patch, so references to it kept running the old code. The
  wrapper calls the function it was given, which is also its __wrapped__:
  that function is updated in place instead, and the cache is cleared, as
  its results came from the old code (a fresh run starts empty too).
- A module-level functools.partial keeps its object and takes the new
  arguments (partial's __setstate__), its function updated in place.
"""

import functools

from . import Adapter


def is_cache_wrapper(obj):
    return type(obj).__name__ == "_lru_cache_wrapper" and hasattr(obj, "cache_clear")


class FunctoolsAdapter(Adapter):
    module = "functools"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_cache_pair, self.update_cache), (self.is_partial_pair, self.update_partial)]

    def is_cache_pair(self, up, old, new):
        return (is_cache_wrapper(old) and type(old) is type(new)
                and getattr(old, "__qualname__", None) == getattr(new, "__qualname__", None)
                and getattr(old, "cache_parameters", dict)() == getattr(new, "cache_parameters", dict)())

    def update_cache(self, up, old, new, where):
        inner = old.__wrapped__
        if up.resolve(inner, new.__wrapped__, where) is not inner:
            return False  # its function could not take the new code: bind the new wrapper
        old.cache_clear()
        return True

    def is_partial_pair(self, up, old, new):
        return type(old) is type(new) is functools.partial

    def update_partial(self, up, old, new, where):
        func = up.resolve(old.func, new.func, where)
        if func is not old.func:
            return False
        up.on_undo(old.__setstate__, old.__reduce__()[2])
        old.__setstate__((func, new.args, new.keywords or None, new.__dict__ or None))
        return True
