"""enum: members added at the end of an Enum join the old class.

The core updates an Enum's methods in place but rebuilds it when its
members change, and old members then belong to the old class. When the
save only adds members after the existing ones (the common edit), the new
members are moved to the old class instead: Color.BLUE exists, `Color(3)`
finds it, old members keep their identity, and code holding the class sees
all of them. Removed, renamed or renumbered members, aliases and Flag
enums (whose members combine) still rebuild the class, with the core's note.
"""

import enum

from . import Adapter
from ..update import safe_equal


def members(cls):
    return [(name, member._value_) for name, member in cls.__dict__["_member_map_"].items()]


class EnumAdapter(Adapter):
    module = "enum"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_extended_enum, self.update_enum)]

    def is_extended_enum(self, up, old, new):
        from ..rules import class_change, is_class

        if not (is_class(up, old, new) and isinstance(old, enum.EnumMeta)) or issubclass(old, enum.Flag):
            return False
        before, after = members(old), members(new)
        if len(after) <= len(before) or any(a[0] != b[0] or not safe_equal(a[1], b[1]) for a, b in zip(before, after)):
            return False
        names = new.__dict__["_member_names_"]
        added = [name for name, _ in after[len(before):]]
        if any(name not in names for name in added):  # an alias
            return False
        return class_change(up, old, new) == "its members changed"

    def update_enum(self, up, old, new, where):
        from ..rules import update_class_body

        added = [name for name in new.__dict__["_member_map_"] if name not in old.__dict__["_member_map_"]]
        member_map = dict(old._member_map_)
        value_map = dict(old._value2member_map_)
        unhashable = list(old.__dict__.get("_unhashable_values_", ()))
        order = len(old._member_names_)
        for name in added:
            member = new._member_map_[name]
            up.on_undo(setattr, member, "__class__", new)
            member.__class__ = old
            if "__objclass__" in member.__dict__:
                member.__objclass__ = old
            if "_sort_order_" in member.__dict__:
                member._sort_order_ = order
            order += 1
            member_map[name] = member
            try:
                value_map[member._value_] = member
            except TypeError:  # an unhashable value
                unhashable.append(member._value_)
            up.set_class_attr(old, name, member)
        up.set_class_attr(old, "_member_names_", list(old._member_names_) + added)
        up.set_class_attr(old, "_member_map_", member_map)
        up.set_class_attr(old, "_value2member_map_", value_map)
        if "_unhashable_values_" in old.__dict__:
            up.set_class_attr(old, "_unhashable_values_", unhashable)
        return update_class_body(up, old, new, where)
