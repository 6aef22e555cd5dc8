"""enum: an Enum whose members change keeps its class and its members.

The core updates an Enum's methods in place but rebuilds it when its
members change, and old members then belong to the old class: a member
kept from before the save is no longer one of the class's (`is`, `==` and
dict lookups fail). Instead the old class takes the new members: a member
added, anywhere, joins it; one whose value changed (members of a plain
Enum, not of a str or int Enum, whose value is the member itself) keeps
its identity and takes the new value and attributes, as `auto()`
renumbering does to the members after an inserted one; a removed one
leaves the class, and a note says that code holding it still has it.
Iteration, lookups by value and by name follow the new definition, and the
save counts as a change in place: importers whose import-time code read the
class (`CHOICES = [s.value for s in Status]`) run again, and the caches of
code that reads it (an lru_cache lookup) are emptied. Aliases
and Flag enums (whose members combine) still rebuild the class, with the
core's note.
"""

import enum

from . import Adapter
from ..update import MISSING, safe_equal
from ..rules import class_change, is_class, update_class_body


def enum_machinery(key, value):
    """Attributes EnumType makes for each class (its __new__, how it makes
    values), not the class's own code."""
    return key in ("__new__", "_generate_next_value_", "_new_member_", "_missing_") and \
        getattr(value, "__module__", None) == "enum"


def members(cls):
    return [(name, member._value_) for name, member in cls.__dict__["_member_map_"].items()]


def has_aliases(cls):
    return len(cls.__dict__["_member_map_"]) != len(cls.__dict__["_member_names_"])


# The tables EnumType keeps of a class's values, whichever the Python
# version has (3.13 added the map, 3.14 the hashable list).
VALUE_TABLES = ("_value2member_map_", "_unhashable_values_", "_unhashable_values_map_", "_hashable_values_")


def substituted(table, members):
    """table (a dict or a list) with the new class's members replaced by
    the old class's (members maps their ids)."""
    if isinstance(table, dict):
        return {key: members.get(id(value), value) for key, value in table.items()}
    if isinstance(table, list):
        return [members.get(id(value), value) for value in table]
    return table


# A member's attributes that say where it sits, not what the definition
# gives it: the same for the old member and the new definition's.
MEMBER_MACHINERY = ("__objclass__", "_name_", "_sort_order_")


def members_differ(old, new):
    """Reports whether a member of new, the class run again, has other
    attributes than old's member of its name: what the class's __init__
    (or __new__) sets from its value, edited."""
    fresh = new.__dict__["_member_map_"]
    for name, member in old.__dict__["_member_map_"].items():
        other = fresh.get(name)
        if other is None:
            continue
        mine, theirs = member.__dict__, other.__dict__
        if {k for k in mine if k not in MEMBER_MACHINERY} != {k for k in theirs if k not in MEMBER_MACHINERY}:
            return True
        if any(not safe_equal(mine[k], v) for k, v in theirs.items() if k not in MEMBER_MACHINERY):
            return True
    return False


class EnumAdapter(Adapter):
    module = "enum"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_reshaped_enum, self.update_enum)]

    def is_reshaped_enum(self, up, old, new):
        if not (is_class(up, old, new) and isinstance(old, enum.EnumMeta)) or issubclass(old, enum.Flag):
            return False
        if has_aliases(old) or has_aliases(new):
            return False
        before, after = dict(members(old)), dict(members(new))
        plain = old.__dict__.get("_member_type_") is object and new.__dict__.get("_member_type_") is object
        if not plain and any(n in after and not safe_equal(v, after[n]) for n, v in before.items()):
            return False  # a str or int member is its value: it cannot take another
        change = class_change(up, old, new)
        return change == "its members changed" or (change is None and members_differ(old, new))

    def update_enum(self, up, old, new, where):
        # The rule applies only when the members changed (added, removed,
        # moved, other values or attributes): what iterating the class or
        # looking a member up gives differs, so importers whose import-time
        # code read it (`CHOICES = [s.value for s in Status]`) run again and
        # caches of code that reads it are emptied, as for any change in place.
        up.changed_in_place()
        known = old._member_map_
        member_map, ids = {}, {}
        for name, fresh in new._member_map_.items():
            member = known.get(name)
            if member is None:
                member = fresh
                up.on_undo(setattr, member, "__class__", new)
                member.__class__ = old
                if "__objclass__" in member.__dict__:
                    member.__objclass__ = old
                up.set_class_attr(old, name, member)
            else:
                # Its value and what a custom __init__ set, as the new definition says.
                for key, value in fresh.__dict__.items():
                    if key not in MEMBER_MACHINERY and member.__dict__.get(key, MISSING) is not value:
                        up.set_attr(member, key, value)
                for key in [k for k in member.__dict__ if k not in fresh.__dict__ and k not in MEMBER_MACHINERY]:
                    up.on_undo(setattr, member, key, member.__dict__[key])
                    delattr(member, key)
            member_map[name] = member
            ids[id(fresh)] = member
        removed = [name for name in known if name not in member_map]
        for name in removed:
            if name in old.__dict__:
                up.del_class_attr(old, name)
        order = list(new._member_names_)
        for position, name in enumerate(order):
            member = member_map[name]
            if "_sort_order_" in member.__dict__ and member._sort_order_ != position:
                up.set_attr(member, "_sort_order_", position)
        up.set_class_attr(old, "_member_names_", order)
        up.set_class_attr(old, "_member_map_", member_map)
        for table in VALUE_TABLES:
            if table in new.__dict__:
                up.set_class_attr(old, table, substituted(new.__dict__[table], ids))
        if removed:
            up.note(where, "member%s %s removed: code that took %s before this save still holds %s, which a fresh run "
                    "would not have" % ("s" if len(removed) > 1 else "", ", ".join(removed),
                                        "them" if len(removed) > 1 else "it", "them" if len(removed) > 1 else "it"), old)
        return update_class_body(up, old, new, where, skip=enum_machinery)
