"""How a class's instances hash, before and after a save that updated the
class in place.

A set or a dict places each key by the hash it had when it went in, and
finds it again only under that hash. A class updated in place keeps its
live instances, so when the save gives it another __hash__ (one added,
removed, or edited; a dataclass's generated one, whose fields or flags
changed), the instances already in sets or used as dict keys stay where
their old hash put them: `Point(1, 2) in seen` misses one that is there,
where a fresh run would find it. Nothing can move them but rebuilding
those containers, which only a heap scan would find: the editor is told,
on the __hash__ def (or the class line when there is none, or it was
generated).

A class whose instances were unhashable before (`__hash__ = None`, which
Python sets for a class with __eq__ but no __hash__) could be in no set,
and one whose instances are unhashable now makes every lookup of them
raise TypeError, as a fresh run does: neither is noted. Nor is an edit that
leaves the hash function alone (another method, __eq__'s body): only the
class's own __hash__ is compared, by its code, which costs nothing when it
did not change. It is compared once the module ran, as a class decorator
given the old class (attrs) generates its __hash__ after the update.
"""

import types

from .update import MISSING, code_same


def hash_of(cls):
    """What says how cls's instances hash, from cls's own namespace: MISSING
    (it inherits __hash__), None (unhashable), the code of its __hash__
    function, or the object it assigned (`__hash__ = object.__hash__`).
    Read before the update: the function's code is taken in place."""
    value = cls.__dict__.get("__hash__", MISSING)
    if isinstance(value, types.FunctionType):
        return value.__code__
    return value


def hash_changed(before, after):
    """Whether instances hashed by before (hash_of) would hash otherwise by
    after, both hashable."""
    if before is None or after is None or before is after:
        return False
    if isinstance(before, types.CodeType) and isinstance(after, types.CodeType):
        return not code_same(before, after)
    return True


def note_hash_changes(up):
    """Notes each class the running module updated in place that hashes its
    instances otherwise than it did (up.hashed: the classes, with their
    hash_of before the update), and forgets them."""
    for cls, before, where in up.hashed.values():
        note_hash_change(up, cls, before, where)
    up.hashed.clear()


def note_hash_change(up, cls, before, where):
    """Notes that cls, updated in place, hashes its instances otherwise
    than it did (before: hash_of(cls) before the update)."""
    after = hash_of(cls)
    if not hash_changed(before, after):
        return
    value = cls.__dict__.get("__hash__")
    code = getattr(value, "__code__", None)
    written = isinstance(code, types.CodeType) and not code.co_filename.startswith("<")
    if after is MISSING:
        what = "no longer defines __hash__"
    elif before is MISSING:
        what = "now defines __hash__"
    elif written:
        what = "its __hash__ changed"
    else:
        what = "the __hash__ its decorator generates changed (with its fields or flags)"
    up.note(where, "%s: instances hash differently than before this save; those already in sets or used as dict "
            "keys stay where their old hash put them, so lookups miss them and equal new ones go in beside them; "
            "rebuild those containers or restart the runtime" % what, value if written else None)
