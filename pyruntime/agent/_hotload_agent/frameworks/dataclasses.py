"""dataclasses: a dataclass whose fields change is updated in place.

The core rebuilds a dataclass whose fields changed (live instances keep the
old class). Without __slots__ it can be updated in place instead: the old
class takes the new __init__, __repr__, __eq__, fields and defaults, so
code holding the class and live instances see the new definition. A field
with a plain default is also a class attribute, which a live instance made
before the field existed reads; a field without one (or with a
default_factory) is missing from those instances, and a note says so.
"""

from . import Adapter
from .models import field_changes, names, take_generated
from ..rules import class_change, is_class, update_class_body


def dataclass_fields(cls):
    """{name: (type, default, factory)} of a dataclass's fields."""
    return {name: (repr(f.type), repr(f.default), repr(f.default_factory))
            for name, f in cls.__dict__["__dataclass_fields__"].items()}


class DataclassesAdapter(Adapter):
    module = "dataclasses"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_dataclass_pair, self.update_dataclass)]

    def is_dataclass_pair(self, up, old, new):
        return (is_class(up, old, new) and "__dataclass_fields__" in old.__dict__
                and "__dataclass_fields__" in new.__dict__
                and class_change(up, old, new) == "its dataclass fields changed")

    def update_dataclass(self, up, old, new, where):
        added, _, _ = field_changes(dataclass_fields(old), dataclass_fields(new))
        take_generated(up, old, new)
        update_class_body(up, old, new, where)
        # A plain default is a class attribute, here or on a base (an inherited field).
        missing = [name for name in added if not any(name in c.__dict__ for c in old.__mro__)]
        if missing:
            up.note(where, "new field%s %s without a plain default: instances made before this save do not "
                           "have %s (reading raises AttributeError, and so do repr and ==); new instances do"
                    % ("s" if len(missing) > 1 else "", names(missing), "them" if len(missing) > 1 else "it"))
        return True
