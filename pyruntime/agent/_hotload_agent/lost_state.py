"""State an importer's re-run makes anew.

`s = stack.Stack()` in app.py, and the program pushes onto s. Saving
stack.py may re-run app (its import-time code uses stack, which changed:
see importers.py), and the re-run binds s to a new, empty Stack: what
the program had put in the old one is gone from s, though the user saved
another file. A fresh run followed by the same actions would have it. So
when a module that re-ran as an importer binds a name to a new instance
of the class of the user's it held, and the old one's attributes hold
what the new one's do not, a Warning on the name's line says so, and how
to keep it.
"""

import sys

from .update import own_dict

# The containers whose length says what the program added to an object.
CONTAINERS = (list, dict, set, bytearray)


def note_lost_state(up, name, superseded, shape):
    """Notes each of superseded ((global name, old object, new object) of
    the importer name that re-ran) whose old object held state the new
    one lacks."""
    file = up.sources.get(name, (None, None))[0]
    for key, old, new in superseded:
        if not users_class(up, type(new)):
            continue
        lost = differing(own_dict(old), own_dict(new))
        if not lost or made_elsewhere(up, name, new) or init_changed(up, type(new)):
            continue
        line = shape.lines.get(key, 0) if shape is not None else 0
        up.note("%s.%s" % (name, key),
                "%s ran again, as it uses a module this save changed, so %s is a new %s: the one before held "
                "state the new one lacks (%s). To keep it across saves, make it once: `try: %s` then "
                "`except NameError: %s = ...`" % (name, key, type(new).__name__, ", ".join(lost), key, key),
                (file, line) if file and line else None)


def users_class(up, cls):
    """Reports whether cls is a class of the user's modules: a library's
    objects (a Flask app, a model of a library) keep bookkeeping of their
    own (`_got_first_request`) that differs in a new one without being
    the program's state."""
    module = getattr(cls, "__module__", None)
    if module in up.modules:
        return True
    return up.workspace is not None and module in up.workspace.loaded()


def made_elsewhere(up, name, new):
    """Reports whether another module that ran holds new: the importer
    took it from there (`from config import settings`), and it is that
    module's object, made by its new code."""
    for other in up.modules:
        module = sys.modules.get(other)
        if other != name and module is not None and any(v is new for v in module.__dict__.values()):
            return True
    return False


def init_changed(up, cls):
    """Reports whether this save changed the code of cls's __init__: the
    new instance's values may be the new code's, not a loss."""
    init = getattr(cls, "__init__", None)
    return any(function is init for _, function, _ in up.replaced_code.values())


def differing(old, new):
    """The attributes (sorted, at most five) old has that new lacks, or
    whose list, dict or set holds more in old than in new's: what the
    program added since the import. A value that only differs (a
    default, what an edited `fit` computes) may be the new code's, and
    counts as the same, as does what only new has."""
    if old is None or new is None:
        return []
    out = sorted(set(old) - set(new))
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        if a is not b and type(a) is type(b) and type(a) in CONTAINERS and len(a) > len(b):
            out.append(key)
    return sorted(out)[:5]
