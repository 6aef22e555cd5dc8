"""The changes one save makes to live objects, and how to undo them."""

import types

from .source import BIND_HOOK, run_split


MISSING = object()  # no such name or attribute
EMPTY = object()  # a closure cell without a value


def qualified(obj):
    """Returns "module.Qual.name" for a function or class, for notes."""
    module = getattr(obj, "__module__", None) or "?"
    return "%s.%s" % (module, getattr(obj, "__qualname__", None) or type(obj).__name__)


def same_definition(old, new):
    """Reports whether old and new come from the same def or class statement.

    A name rebound to another function (`op = add if x else mul`) must not
    turn add into mul, so only a definition with the same qualified name may
    update the old object.
    """
    return (getattr(old, "__module__", None) == getattr(new, "__module__", None)
            and getattr(old, "__qualname__", None) == getattr(new, "__qualname__", None))


def cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return EMPTY


def own_attr(obj, name):
    """An attribute from obj's own __dict__, without running any __getattr__."""
    try:
        return object.__getattribute__(obj, "__dict__").get(name)
    except Exception:
        return None


def safe_equal(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, (type, types.FunctionType)):
        return qualified(a) == qualified(b)
    try:
        return bool(a == b)
    except Exception:  # arrays, odd __eq__: unknown counts as changed
        return False


class Update:
    """The changes one save makes to live objects, and how to undo them.

    Every assignment to an object that existed before the save goes through
    a method that first logs how to restore it; rollback() replays the log
    backwards and puts back the namespaces of the modules that ran.
    """

    def __init__(self, rules):
        self.rules = rules  # [(applies, update)], tried in order
        self.undo = []  # (restore function, args), in the order the changes were made
        self.namespaces = []  # (namespace dict, copy from before the run)
        self.resolved = {}  # (id(old), id(new)) -> the object bound
        self.keep = []  # keeps the objects behind resolved's ids alive
        self.modules = set()  # names of the modules this save runs
        self.notes = []
        self.reloaded = []

    # --- the undo log --------------------------------------------------------

    def set_attr(self, obj, attr, value):
        self.undo.append((setattr, (obj, attr, getattr(obj, attr))))
        setattr(obj, attr, value)

    def set_class_attr(self, cls, key, value):
        # type.__setattr__ rather than setattr: a metaclass such as EnumMeta
        # guards its attributes against user code, not against us.
        self.undo.append((restore_class_attr, (cls, key, cls.__dict__.get(key, MISSING))))
        type.__setattr__(cls, key, value)

    def del_class_attr(self, cls, key):
        self.undo.append((restore_class_attr, (cls, key, cls.__dict__[key])))
        type.__delattr__(cls, key)

    def on_undo(self, restore, *args):
        """Logs restore(*args) to run if the save is rolled back: for changes
        made other than through the methods here (an adapter's registry)."""
        self.undo.append((restore, args))

    def set_cell(self, cell, value):
        self.undo.append((restore_cell, (cell, cell_value(cell))))
        restore_cell(cell, value)

    def undo_to(self, mark):
        while len(self.undo) > mark:
            restore, args = self.undo.pop()
            restore(*args)

    def rollback(self):
        """Puts every object and namespace this save touched back as it was."""
        failures = []
        while self.undo:
            restore, args = self.undo.pop()
            try:
                restore(*args)
            except Exception as exc:  # keep going: restore all that can be
                failures.append(exc)
        for namespace, before in reversed(self.namespaces):
            namespace.clear()
            namespace.update(before)
        self.namespaces = []
        for exc in failures:
            self.note("rollback", "could not restore an object (%s: %s)" % (type(exc).__name__, exc))

    def note(self, where, text):
        line = "%s: %s" % (where, text)
        if line not in self.notes:
            self.notes.append(line)

    # --- running a module ------------------------------------------------------

    def run(self, module, body, last):
        """Runs a loaded module's new code in its namespace and binds each
        changed definition to its old object, updated in place."""
        namespace = module.__dict__
        before = dict(namespace)
        self.namespaces.append((namespace, before))
        prefix = module.__name__ + "."

        def bind_hook(name):
            self.bind(namespace, before, name, prefix)

        namespace[BIND_HOOK] = bind_hook
        try:
            value = run_split(body, last, namespace)
        finally:
            namespace.pop(BIND_HOOK, None)
        # Names bound other than by def or class: `f = decorate(g)`,
        # `handler = make_handler(4)`, `from .impl import f`.
        for name in list(namespace):
            self.bind(namespace, before, name, prefix)
        return value

    def bind(self, namespace, before, name, prefix):
        new = namespace.get(name, MISSING)
        old = before.get(name, MISSING)
        if old is MISSING or new is MISSING or old is new:
            return
        value = self.resolve(old, new, prefix + name)
        if value is not new:
            namespace[name] = value

    def resolve(self, old, new, where=None):
        """Returns what a name that held old and now holds new should hold:
        old, updated in place from new, when a rule allows, else new."""
        if old is new:
            return old
        key = (id(old), id(new))
        done = self.resolved.get(key)
        if done is not None:
            return done
        for applies, update in self.rules:
            try:
                if not applies(self, old, new):
                    continue
            except Exception:  # an object with odd attributes is not one a rule knows
                continue
            self.keep.append((old, new))
            self.resolved[key] = old  # a cycle back to this pair finds it in progress
            mark, known = len(self.undo), len(self.resolved)
            where = where or qualified(old)
            try:
                ok = update(self, old, new, where)
            except Exception as exc:  # an object that refuses: keep the new one
                self.undo_to(mark)
                for undone in list(self.resolved)[known:]:
                    del self.resolved[undone]
                self.note(where, "could not be updated in place (%s: %s); existing references run the old code"
                          % (type(exc).__name__, exc))
                ok = False
            self.resolved[key] = old if ok else new
            return self.resolved[key]
        return new


def restore_class_attr(cls, key, value):
    if value is MISSING:
        if key in cls.__dict__:
            type.__delattr__(cls, key)
    else:
        type.__setattr__(cls, key, value)


def restore_module_attr(module, key, value):
    if value is MISSING:
        module.__dict__.pop(key, None)
    else:
        module.__dict__[key] = value


def restore_cell(cell, value):
    if value is EMPTY:
        try:
            del cell.cell_contents
        except ValueError:
            pass
    else:
        cell.cell_contents = value
