"""attrs: a class whose fields change is updated in place, and live
instances made before a field existed read its default.

attrs generates __init__, __repr__, __eq__ and the rest from the fields.
When a class's fields change, the new methods are the old class's (the core
hands the old class to the decorator, or this adapter's rule copies them),
so new instances have the new fields; but a live instance lacks an added
field, and its repr and == raised AttributeError. attrs keeps no class
attribute for a field's default: after its module runs, this adapter puts
one on each class without __slots__ for each field with a plain default
(not a Factory), so live instances read it as they would the field. A
field without such a default is missing from them, and a note says so. A
class with __slots__ (attrs.define's default) cannot gain fields in place:
the core rebuilds it and says that existing instances keep the old class.
Methods attrs generated replace the old ones (their code comes from a
string, with globals of their own): they are not updated in place.
"""

import sys

from . import Adapter
from .models import names, take_generated
from ..rules import class_change, is_class, update_class_body


def attrs_classes(module):
    """The attrs classes module defines at module level, by qualified name."""
    found = {}
    for value in list(module.__dict__.values()):
        if (isinstance(value, type) and "__attrs_attrs__" in value.__dict__
                and value.__module__ == module.__name__):
            found[value.__qualname__] = value
    return found


def plain_default(attribute):
    """The default a live instance may share, or NOTHING."""
    attr = sys.modules["attr"]
    default = attribute.default
    if default is attr.NOTHING or isinstance(default, attr.Factory):
        return attr.NOTHING
    return default


class AttrsAdapter(Adapter):
    module = "attr"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.fields = {}  # module name -> {qualname: field names before its run}
        self.rules = [(self.is_attrs_pair, self.update_attrs), (self.is_slotted_change, self.note_slotted_change)]

    def before_run(self, up, module):
        self.fields[module.__name__] = {q: [a.name for a in c.__attrs_attrs__]
                                        for q, c in attrs_classes(module).items()}

    def after_run(self, up, module):
        attr = sys.modules["attr"]
        before = self.fields.get(module.__name__, {})
        for qualname, cls in attrs_classes(module).items():
            if "__slots__" in cls.__dict__ or qualname not in before:
                continue
            missing = []
            for attribute in cls.__attrs_attrs__:
                if attribute.name in cls.__dict__:
                    continue
                default = plain_default(attribute)
                if default is not attr.NOTHING:
                    up.set_class_attr(cls, attribute.name, default)
                elif attribute.name not in before[qualname]:
                    missing.append(attribute.name)
            if missing:
                up.note("%s.%s" % (module.__name__, qualname),
                        "new field%s %s without a plain default: instances made before this save do not "
                        "have %s (reading raises AttributeError, and so do repr and ==); new instances do"
                        % ("s" if len(missing) > 1 else "", names(missing), "them" if len(missing) > 1 else "it"),
                        cls)

    def is_attrs_pair(self, up, old, new):
        return (is_class(up, old, new) and "__attrs_attrs__" in old.__dict__ and "__attrs_attrs__" in new.__dict__
                and class_change(up, old, new) is None)

    def update_attrs(self, up, old, new, where):
        take_generated(up, old, new)
        return update_class_body(up, old, new, where)

    def is_slotted_change(self, up, old, new):
        return (is_class(up, old, new) and "__attrs_attrs__" in old.__dict__ and "__attrs_attrs__" in new.__dict__
                and class_change(up, old, new) == "its __slots__ changed")

    def note_slotted_change(self, up, old, new, where):
        before = {a.name for a in old.__attrs_attrs__}
        added = [a.name for a in new.__attrs_attrs__ if a.name not in before]
        what = "gained the field%s %s" % ("s" if len(added) > 1 else "", names(added)) if added else "changed its fields"
        up.note(where, "%s, but it has __slots__ (attrs.define's default), so it cannot change in place: instances "
                       "made before this save keep the old class and its methods; new instances get the new one "
                       "(@attrs.define(slots=False) updates in place)" % what, old)
        return False
