"""What a model class's fields did in a save, and the note for live instances.

Shared by the adapters of libraries that keep field values in each
instance (pydantic, attrs, dataclasses): a class updated in place gives new
instances its new fields, but instances made before the save cannot be
found without a heap scan, so they keep the fields they were made with, and
the editor is told.
"""


def field_changes(old, new):
    """Compares {name: description} of a class's fields before and after:
    returns (added, removed, changed) lists of names."""
    added = [name for name in new if name not in old]
    removed = [name for name in old if name not in new]
    changed = [name for name in new if name in old and not same(old[name], new[name])]
    return added, removed, changed


def same(a, b):
    try:
        return bool(a == b)
    except Exception:  # values with odd __eq__ (arrays): unknown counts as changed
        return a is b


def names(items):
    return ", ".join(repr(n) for n in items)


def note_field_changes(up, where, changes, dump):
    """Notes what instances made before the save lack, if anything: added
    fields (reading them raises AttributeError, dump leaves them out)."""
    added, _, _ = changes
    if added:
        up.note(where, "new field%s %s: instances made before this save do not have %s (reading %s raises "
                       "AttributeError, %s leaves %s out); new instances do"
                % ("s" if len(added) > 1 else "", names(added), "them" if len(added) > 1 else "it",
                   "them" if len(added) > 1 else "it", dump, "them" if len(added) > 1 else "it"))


def take_generated(up, old, new):
    """Sets on old the methods a class decorator generated for new (their
    code comes from a string, "<string>" or "<attrs generated init ...>"):
    they replace the old ones rather than update them in place, as their
    closures differ whenever the fields do."""
    for key, value in new.__dict__.items():
        code = getattr(value, "__code__", None)
        if code is not None and code.co_filename.startswith("<") and old.__dict__.get(key) is not value:
            up.set_class_attr(old, key, value)
