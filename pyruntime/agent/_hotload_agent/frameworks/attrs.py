"""attrs: a class whose fields change is updated in place, and live
instances made before a field existed read its default.

attrs generates __init__, __repr__, __eq__ and the rest from the fields; the
core copies the new ones onto the old class, so new instances have the new
fields, but a live instance lacks an added field and its repr and ==
raised AttributeError. attrs keeps no class attribute for a field's
default: this adapter puts one there for each field with a plain default
(not a Factory), on every save, so live instances read it as they would
the field. A field without such a default is missing from them, and a note
says so. A class with __slots__ (attrs.define's default) cannot gain fields
in place: the core rebuilds it and says that existing instances keep the
old class.
"""

import sys

from . import Adapter
from .models import field_changes, names, take_generated


def attrs_fields(cls):
    """{name: (type, default)} of an attrs class's own fields, by name."""
    return {a.name: (repr(a.type), repr(a.default)) for a in cls.__dict__["__attrs_attrs__"]}


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
        self.rules = [(self.is_attrs_pair, self.update_attrs)]

    def is_attrs_pair(self, up, old, new):
        from ..rules import class_change, is_class

        return (is_class(up, old, new) and "__attrs_attrs__" in old.__dict__ and "__attrs_attrs__" in new.__dict__
                and "__slots__" not in new.__dict__ and class_change(up, old, new) is None)

    def update_attrs(self, up, old, new, where):
        from ..rules import update_class_body

        attr = sys.modules["attr"]
        added, _, _ = field_changes(attrs_fields(old), attrs_fields(new))
        take_generated(up, old, new)
        update_class_body(up, old, new, where)
        missing = []
        for attribute in new.__attrs_attrs__:
            default = plain_default(attribute)
            if attribute.name in old.__dict__:
                continue
            if default is attr.NOTHING:
                if attribute.name in added:
                    missing.append(attribute.name)
                continue
            up.set_class_attr(old, attribute.name, default)
        if missing:
            up.note(where, "new field%s %s without a plain default: instances made before this save do not "
                           "have %s (reading raises AttributeError, and so do repr and ==); new instances do"
                    % ("s" if len(missing) > 1 else "", names(missing), "them" if len(missing) > 1 else "it"))
        return True
