"""pandas: accessors and extension dtypes a module registers are registered
once, as the class the module name holds.

`@pd.api.extensions.register_dataframe_accessor("geo")` on a class that runs
again warned that it overrides an attribute ("registration of accessor ...
is overriding a preexisting attribute") on every save, and DataFrame.geo
then made instances of the new class while the module's name held the old
one, updated in place: two classes for one accessor.

- Before modules re-run, the accessors their classes provide leave
  DataFrame, Series and Index, so registering them again is quiet.
- After the re-run, each accessor and each registered extension dtype
  refers to the class the module name now holds (the old class, updated in
  place), once.
- pandas 3 makes an accessor object for each use (`df.geo`) and keeps none,
  so an accessor class whose __init__ now sets an attribute has no
  instance made before the save that lacks it, unless a module holds one
  (`geo = df.geo`): no note says so then. pandas 2 keeps one on each frame
  that used it, which the note is right about.

Rollback puts the accessors back.
"""

import sys

from . import Adapter
from .live import touches

OWNERS = ("DataFrame", "Series", "Index")


def accessor_class(value):
    """The class an accessor descriptor makes, or None if value is not one."""
    kind = type(value).__name__
    if kind not in ("Accessor", "CachedAccessor"):
        return None
    return value.__dict__.get("_accessor")


def bound_class(cls):
    """The class its module's name holds in place of cls (the old one that
    cls updated), or cls."""
    module = sys.modules.get(getattr(cls, "__module__", None) or "")
    held = getattr(module, getattr(cls, "__name__", ""), None)
    if held is not cls and isinstance(held, type) and held.__qualname__ == cls.__qualname__:
        return held
    return cls


class PandasAdapter(Adapter):
    module = "pandas"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.touched = False  # a module that ran holds something of pandas

    def owners(self):
        pandas = sys.modules["pandas"]
        return [getattr(pandas, name) for name in OWNERS if isinstance(getattr(pandas, name, None), type)]

    def before_run(self, up, module):
        if not touches(module, ("pandas",)):
            return
        self.touched = True
        names = {module.__name__}
        for owner in self.owners():
            registered = owner.__dict__.get("_accessors")
            for key in list(registered or ()):
                value = owner.__dict__.get(key)
                cls = accessor_class(value)
                if cls is not None and getattr(cls, "__module__", None) in names:
                    if type(value).__name__ == "Accessor" and not self.kept(cls):
                        # pandas 3 makes one per `df.geo`, and keeps none
                        # (pandas 2's CachedAccessor keeps it on the frame).
                        up.fleeting.add(id(cls))
                    up.del_class_attr(owner, key)
                    if isinstance(registered, set) and key in registered:
                        registered = registered - {key}
                        up.set_class_attr(owner, "_accessors", registered)

    def kept(self, cls):
        """Reports whether a module of the user's holds an instance of cls
        at module level (`geo = df.geo`): one made before the save."""
        loaded = self.workspace.loaded() if self.workspace is not None else {}
        for name in loaded:
            module = sys.modules.get(name)
            if module is not None and any(type(v) is cls for v in list(vars(module).values())):
                return True
        return False

    def after_rerun(self, up, modules):
        if not self.touched:
            return
        for owner in self.owners():
            for key in list(owner.__dict__.get("_accessors") or ()):
                value = owner.__dict__.get(key)
                cls = accessor_class(value)
                if cls is not None and bound_class(cls) is not cls:
                    up.set_attr(value, "_accessor", bound_class(cls))
        base = sys.modules.get("pandas.core.dtypes.base")
        registry = getattr(base, "_registry", None)
        dtypes = getattr(registry, "dtypes", None)
        if isinstance(dtypes, list):
            kept, seen = [], set()
            for dtype in dtypes:
                dtype = bound_class(dtype)
                if id(dtype) not in seen:
                    seen.add(id(dtype))
                    kept.append(dtype)
            if len(kept) != len(dtypes) or any(a is not b for a, b in zip(kept, dtypes)):
                up.set_attr(registry, "dtypes", kept)
