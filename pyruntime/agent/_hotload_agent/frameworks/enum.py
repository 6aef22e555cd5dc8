"""enum: members added to an Enum join the old class.

The core updates an Enum's methods in place but rebuilds it when its
members change, and old members then belong to the old class. When the
save only adds members (the common edit), anywhere in the class, the new
members are moved to the old class instead: Color.BLUE exists, `Color(3)`
finds it, iteration follows the new order, old members keep their
identity, and code holding the class sees all of them. Removed, renamed or
renumbered members, aliases and Flag enums (whose members combine) still
rebuild the class, with the core's note.
"""

import enum

from . import Adapter
from ..update import safe_equal
from ..rules import class_change, is_class, update_class_body


def enum_machinery(key, value):
    """Attributes EnumType makes for each class (its __new__, how it makes
    values), not the class's own code."""
    return key in ("__new__", "_generate_next_value_", "_new_member_", "_missing_") and \
        getattr(value, "__module__", None) == "enum"


def members(cls):
    return [(name, member._value_) for name, member in cls.__dict__["_member_map_"].items()]


class EnumAdapter(Adapter):
    module = "enum"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_extended_enum, self.update_enum)]

    def is_extended_enum(self, up, old, new):
        if not (is_class(up, old, new) and isinstance(old, enum.EnumMeta)) or issubclass(old, enum.Flag):
            return False
        before, after = dict(members(old)), dict(members(new))
        if len(after) <= len(before) or any(n not in after or not safe_equal(v, after[n]) for n, v in before.items()):
            return False
        names = new.__dict__["_member_names_"]
        if any(name not in names for name in after if name not in before):  # an alias
            return False
        return class_change(up, old, new) == "its members changed"

    def update_enum(self, up, old, new, where):
        known = old._member_map_
        member_map = {}
        value_map = dict(old._value2member_map_)
        unhashable = list(old.__dict__.get("_unhashable_values_", ()))
        for name in new._member_map_:
            member = known.get(name)
            if member is None:
                member = new._member_map_[name]
                up.on_undo(setattr, member, "__class__", new)
                member.__class__ = old
                if "__objclass__" in member.__dict__:
                    member.__objclass__ = old
                try:
                    value_map[member._value_] = member
                except TypeError:  # an unhashable value
                    unhashable.append(member._value_)
                up.set_class_attr(old, name, member)
            member_map[name] = member
        order = list(new._member_names_)
        for position, name in enumerate(order):
            member = member_map[name]
            if "_sort_order_" in member.__dict__ and member._sort_order_ != position:
                up.set_attr(member, "_sort_order_", position)
        up.set_class_attr(old, "_member_names_", order)
        up.set_class_attr(old, "_member_map_", member_map)
        up.set_class_attr(old, "_value2member_map_", value_map)
        if "_unhashable_values_" in old.__dict__:
            up.set_class_attr(old, "_unhashable_values_", unhashable)
        return update_class_body(up, old, new, where, skip=enum_machinery)
