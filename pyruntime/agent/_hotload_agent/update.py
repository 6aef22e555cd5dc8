"""The changes one save makes to live objects, and how to undo them."""

import dis
import functools
import gc
import itertools
import linecache
import math
import sys
import threading
import types

from . import dynamic, effects, elsewhere
from .source import BIND_HOOK, DECORATED_HOOK, run_split


MISSING = object()  # no such name or attribute
NOWHERE = ("", 0)  # a note's place when none fits: the module as a whole

# Module globals that are not state a module's code changes in place:
# modules (an import alias's methods are called, pd.set_option), and the
# definitions a save updates in place already.
NOT_STATE = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
EMPTY = object()  # a closure cell without a value

# Values whose equality is their identity for any program: an importer that
# read an equal one at import time holds what a fresh run would give it.
PLAIN = (int, float, complex, str, bytes, bool, type(None), range)

# Values no update rule takes: bind() leaves them as the module's code made them.
DATA = PLAIN + (list, dict, set, tuple, frozenset, bytearray)
DATA_TYPES = frozenset(DATA)  # for `type(value) in`: a hash lookup

# How far counterpart() looks inside an old binding for the object a new
# definition replaces: decorator stacks are a few levels deep; 32 objects
# is more than any real stack holds and keeps a bad __wrapped__ loop cheap.
CHAIN_DEPTH = 4
CHAIN_OBJECTS = 32


def qualified(obj):
    """Returns "module.Qual.name" for a function or class, for notes."""
    module = getattr(obj, "__module__", None) or "?"
    return "%s.%s" % (module, getattr(obj, "__qualname__", None) or type(obj).__name__)


def code_name(obj):
    """The qualified name of a function's code: what its def statement
    called it, whatever functools.wraps copied onto __qualname__ since."""
    code = obj.__code__
    return getattr(code, "co_qualname", code.co_name)  # co_qualname since 3.11


def same_definition(old, new):
    """Reports whether old and new come from the same def or class statement.

    A name rebound to another function (`op = add if x else mul`) must not
    turn add into mul, so only a definition with the same qualified name may
    update the old object; for functions, the code's own name must agree
    too, so that a wrapper carrying its wrapped function's name
    (functools.wraps) is not taken for that function.
    """
    if (getattr(old, "__module__", None) != getattr(new, "__module__", None)
            or getattr(old, "__qualname__", None) != getattr(new, "__qualname__", None)):
        return False
    if isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
        return code_name(old) == code_name(new)
    return True


def invocable(obj):
    """Reports whether obj is called, or holds what is called, as a
    definition: callable, or a staticmethod or classmethod (a staticmethod
    is callable only from Python 3.10 on, a classmethod never)."""
    return callable(obj) or isinstance(obj, (staticmethod, classmethod))


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
    if type(a) in ALIKE:
        return alike(a, b)
    try:
        return bool(a == b)
    except Exception:  # arrays, odd __eq__: unknown counts as changed
        return False


# The types whose equal values may still differ to a program: 1 and 1.0
# are equal, but `np.array((1, 2.0))` is float where `np.array((1, 2))` is
# int, `1 / -0.0` is -inf, and a tuple holds either. alike tells them apart,
# as Python's compiler tells its constants apart.
ALIKE = frozenset((float, complex, tuple, frozenset))


def alike(a, b, depth=0):
    """Reports whether a and b are equal and of the same types all the way
    down: the same float with the same sign (0.0 is not -0.0), tuples and
    frozensets whose items are alike (1, 1.0 and True differ in them)."""
    if type(a) is not type(b):
        return False
    kind = type(a)
    if kind is float:
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if kind is complex:
        return alike(a.real, b.real) and alike(a.imag, b.imag)
    if kind is tuple and depth < 8:
        return len(a) == len(b) and all(alike(x, y, depth + 1) for x, y in zip(a, b))
    if kind is frozenset and depth < 8:
        return len(a) == len(b) and a == b and alike_key(a, depth) == alike_key(b, depth)
    if kind in ALIKE:
        return False  # nested too deep to tell: unknown counts as changed
    try:
        return bool(a == b)
    except Exception:  # arrays, odd __eq__: unknown counts as changed
        return False


def alike_key(value, depth=0):
    """value as a set item that equal values of other types or signs do
    not match: (int, 1), (float, 1.0, 1.0), (bool, True)."""
    kind = type(value)
    if kind is float:
        return float, value, math.copysign(1.0, value)
    if kind is complex:
        return complex, alike_key(value.real), alike_key(value.imag)
    if kind in (tuple, frozenset) and depth < 8:
        items = (alike_key(item, depth + 1) for item in value)
        return kind, tuple(items) if kind is tuple else frozenset(items)
    if kind in ALIKE:
        return kind, id(value)  # nested too deep to tell: equal only to itself
    return kind, value


def plain(value, depth=0):
    """Reports whether value is immutable data all the way down: numbers,
    strings, None, and tuples and frozensets of them (up to 1000 items,
    beyond which it counts as not plain, to stay cheap)."""
    if isinstance(value, PLAIN):
        return True
    if type(value) in (tuple, frozenset) and depth < 4 and len(value) <= 1000:
        return all(plain(item, depth + 1) for item in value)
    return False


def rebound(old, new):
    """Reports whether a name that held old and now holds new refers to a
    different object or value: equal plain data is the same value."""
    if old is new:
        return False
    if old is MISSING or new is MISSING:
        return True
    return not (type(old) is type(new) and plain(old) and safe_equal(old, new))


def code_same(a, b):
    """Reports whether two code objects do the same thing: the same
    bytecode, names and constants (nested code compared the same way),
    whatever their line numbers."""
    if a is b or a == b:  # equal code (line numbers too) is the same code
        return True
    for attr in ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars",
                 "co_argcount", "co_kwonlyargcount", "co_flags"):
        if getattr(a, attr) != getattr(b, attr):
            return False
    if getattr(a, "co_posonlyargcount", 0) != getattr(b, "co_posonlyargcount", 0):
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not code_same(x, y):
                return False
        elif type(x) is not type(y) or not safe_equal(x, y):
            return False
    return True


def chain(root):
    """root and the objects it is made of, outermost first: what a
    decorator stack or a descriptor holds (functools.wraps' __wrapped__,
    staticmethod's __func__, a property's functions, cached_property's and
    partial's func) and the functions a wrapper's closure holds."""
    found, seen, level = [], set(), [root]
    for _ in range(CHAIN_DEPTH):
        inner = []
        for obj in level:
            if id(obj) in seen or len(found) >= CHAIN_OBJECTS:
                continue
            seen.add(id(obj))
            found.append(obj)
            if isinstance(obj, types.FunctionType):
                wrapped = obj.__dict__.get("__wrapped__")
                if wrapped is not None:
                    inner.append(wrapped)
                for cell in obj.__closure__ or ():
                    value = cell_value(cell)
                    if callable(value) and not isinstance(value, type):
                        inner.append(value)
            elif isinstance(obj, (staticmethod, classmethod)):
                inner.append(obj.__func__)
            elif isinstance(obj, property):
                inner.extend(f for f in (obj.fget, obj.fset, obj.fdel) if f is not None)
            elif isinstance(obj, types.MethodType):
                inner.append(obj.__func__)
            elif isinstance(obj, (functools.partial, functools.cached_property)):
                inner.append(obj.func)
            elif not isinstance(obj, type):
                # lru_cache and other C wrappers; numpy.vectorize keeps its function as pyfunc
                wrapped = own_attr(obj, "__wrapped__") or own_attr(obj, "pyfunc")
                if wrapped is not None:
                    inner.append(wrapped)
        level = inner
        if not level:
            break
    return found


def lookup(namespace, qualname):
    """The object at qualname ("C.m") in a module namespace, reading class
    attributes from the classes' own __dict__; MISSING if there is none."""
    parts = qualname.split(".")
    obj = namespace.get(parts[0], MISSING)
    for part in parts[1:]:
        if not isinstance(obj, type):
            return MISSING
        obj = obj.__dict__.get(part, MISSING)
    return obj


def dunder(name):
    return name.startswith("__") and name.endswith("__")


# The module attributes the import system sets, which a source may also
# assign but whose removal from the source does not remove them in a fresh
# run. Other dunders a version bound and the next does not (a module's
# `__getattr__`, `__dir__`, `__all__`, `__version__`) go, as other names do.
IMPORT_SET = frozenset(("__name__", "__doc__", "__package__", "__loader__", "__spec__", "__path__", "__file__",
                        "__cached__", "__builtins__", "__annotations__"))


class Change:
    """What one module's run changed, for deciding which importers re-run.

    rebound: the names that now refer to a different object or value
    (added and removed names included). inplace: objects the module had
    before were changed in place (a function's code or defaults, a class's
    attributes), so what calling them computes may differ. graph: the
    module's own imports changed.
    """

    def __init__(self, rebound=(), inplace=False, graph=False):
        self.rebound = set(rebound)
        self.inplace = inplace
        self.graph = graph
        self.removed = set()  # names removed because the new source no longer binds them


class Update:
    """The changes one save makes to live objects, and how to undo them.

    Every assignment to an object that existed before the save goes through
    a method that first logs how to restore it; rollback() replays the log
    backwards and puts back the namespaces of the modules that ran.
    """

    def __init__(self, rules, workspace=None):
        self.rules = rules  # [(applies, update)], tried in order
        # The user's loaded modules (graph.Workspace), where registries are
        # looked for; None: only the modules this save runs.
        self.workspace = workspace
        self.undo = []  # (restore function, args), in the order the changes were made
        self.commit = []  # (function, args) to call once the save stands
        self.namespaces = []  # (namespace dict, copy from before the run)
        self.ran_before = {}  # id(namespace dict) -> that copy, for a module that ran
        self.resolved = {}  # (id(old), id(new)) -> the object bound
        self.claimed = {}  # id(old) -> the new object old took the definition of
        self.abcs = None  # every ABC, once a class changed what it has (type_answers.forget)
        self.unborn = set()  # (id(old), id(new)) of functions whose class is not made yet: resolve them again later
        self.recoded = set()  # ids of the old functions that took code that does something else
        self.replaced_code = {}  # id(old code) -> (where, function, old code): the code this save replaced
        self.noted_code = set()  # the ids of the old code in replaced_code that a note names as running
        self._by_name = None  # replaced_code by (file, qualified name), for older_code
        self.superseded = {}  # id(old) -> new: objects module-level names held and now hold another of (instances)
        self.successors = set()  # ids of those new objects
        self.inner = []  # (old code, where, new code, maker): inner functions whose code changed (rules.note_inner_functions)
        self.keep = []  # keeps the objects behind resolved's and claimed's ids alive
        self.modules = set()  # names of the modules this save runs
        self.sources = {}  # module name -> (file, Shape or None): where notes land
        self.previous = {}  # module name -> Shape of the version that ran before, or None
        self.changes = {}  # module name -> Change, for the modules that ran or changed
        self.code_names = {}  # module name -> its names that are not plain data (importers.code_names)
        self.current = None  # the module running now
        self.replaced = []  # (new class, old class) whose creation may have stored the new one
        self.decorated = []  # old objects decorators received again in this save
        self.gone = []  # objects of names this save removed
        self.created = []  # functions and classes this save made and bound, or gave to decorators
        self.rebuilt = []  # (new, old): definitions bound anew in place of the old object
        self.rewrapped_ids = set()  # ids of old objects a decorator note was made for
        self.hashed = {}  # id(class updated in place) -> (class, its hash_of before, where), for the running module
        self.teardowns = []  # names of the modules whose __hotload_teardown__ ran
        self.displaced = {}  # submodule name -> what the package's code bound its name to (keep_submodule)
        self.bodies = []  # the code each module ran in this save (registries: which functions this save made)
        self.importers = set()  # the modules this save runs only as importers of what it changed (lost_state.py)
        self.watched = []  # (module, name, owner, attribute, container, ids, types and size it had) for growth notes
        self.managed = set()  # ids of objects an adapter keeps registered as a fresh run would: no growth note
        self.fleeting = set()  # ids of classes whose instances live for one use (an adapter says): none outlive a save
        self.over = {}  # id(a module's copy from before its run) -> evaluated.taken_over's result for it
        self.restarted = set()  # idents of threads a module's run started again while they ran (frameworks/threading.py)
        self.notes = []  # {"text", "file", "line"}
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

    def on_commit(self, action, *args):
        """Calls action(*args) once the whole save has succeeded, for changes
        a rollback could not take back (emptying a cache)."""
        self.commit.append((action, args))

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
        self.namespaces, self.ran_before = [], {}
        self.commit = []
        try:
            registries.unregister(self)
        except Exception as exc:  # the rollback stands; say what may be left
            failures.append(exc)
        if self.teardowns:
            self.note(self.teardowns[0], "its __hotload_teardown__ ran before the save failed and cannot be undone; "
                      "what it stopped stays stopped until a save succeeds (or restart the runtime)"
                      if len(self.teardowns) == 1 else
                      "the __hotload_teardown__ of %s ran before the save failed and cannot be undone; what they stopped "
                      "stays stopped until a save succeeds (or restart the runtime)" % ", ".join(self.teardowns), NOWHERE)
        for exc in failures:
            self.note("rollback", "could not restore an object (%s: %s); restart the runtime if it misbehaves"
                      % (type(exc).__name__, exc))

    def finish(self):
        """Runs what waited for the save to stand (see on_commit)."""
        for action, args in self.commit:
            try:
                action(*args)
            except Exception as exc:  # the save stands; say what did not happen
                self.note("hotload", "%s failed after the save (%s: %s)" % (getattr(action, "__name__", action), type(exc).__name__, exc))
        self.commit = []

    # --- notes ------------------------------------------------------------------

    def note(self, where, text, obj=None, until=None):
        """Tells the editor what the save could not make as a fresh run
        would: where names the object ("mod.Class.method"), text says what
        still runs old code or what to do. The note lands on the object's
        line: obj's (a function, a code object, or a (file, line) pair) if
        given, else the definition where names in the module's new source.
        until names the module whose next run makes the note untrue, if
        later saves do not (the editor keeps it until then); None: the
        note is about this save."""
        line = "%s: %s" % (where, text)
        if any(n["text"] == line for n in self.notes):
            return
        note = self.placed(line, where, obj)
        if until is not None:
            note["until"] = until
        self.notes.append(note)

    def placed(self, text, where, obj=None):
        """A note saying text, with the place note gives it."""
        note = {"text": text}
        place = self.locate(where, obj)
        if place is not None:
            note["file"], note["line"] = place
            note["source"] = linecache.getline(place[0], place[1]).rstrip("\r\n")
        return note

    def locate(self, where, obj=None):
        """(file, line) of obj, or of the definition where names; None if
        unknown or obj is NOWHERE."""
        if obj is NOWHERE:
            return None
        if isinstance(obj, tuple):
            return obj if obj[0] and obj[1] else None
        code = getattr(obj, "__code__", None) if obj is not None else None
        if isinstance(obj, types.CodeType):
            code = obj
        if isinstance(code, types.CodeType) and code.co_filename and not code.co_filename.startswith("<"):
            return code.co_filename, code.co_firstlineno
        for module in sorted(self.sources, key=len, reverse=True):
            if where != module and not where.startswith(module + "."):
                continue
            file, shape = self.sources[module]
            if not file:
                return None
            qual = where[len(module) + 1:]
            while qual and shape is not None:
                if qual in shape.lines:
                    return file, shape.lines[qual]
                qual = qual.rpartition(".")[0]
            return file, 1
        return None

    # --- running a module ------------------------------------------------------

    def run(self, module, body, last, shape=None, previous=None):
        """Runs a loaded module's new code in its namespace, giving each
        definition's decorators the old object updated in place and binding
        each changed definition to its old object. shape is the new
        source's Shape and previous the one of the version that ran before
        (None if unknown): names previous bound that shape does not are
        removed. Records the module's Change."""
        namespace = module.__dict__
        before = dict(namespace)
        self.namespaces.append((namespace, before))
        self.ran_before[id(namespace)] = before
        name = module.__name__
        self.modules.add(name)
        self.sources[name] = (namespace.get("__file__"), shape)
        self.previous[name] = previous
        self.current = name
        change = self.changes.setdefault(name, Change())
        sizes = {key: len(value) for key, value in before.items() if type(value) in (list, dict, set)}
        if getattr(self.workspace, "evaluated_over", None) and name in self.workspace.evaluated_over:
            from .evaluated import taken_over  # it imports this module
            self.over[id(before)] = taken_over(self.workspace, name, before)
            self.on_commit(self.workspace.evaluated_over.pop, name, None)
        self.watch(name, before)
        prefix = name + "."

        hooked = set()  # the names a def, class or assignment of this run bound

        def bind_hook(key):
            hooked.add(key)
            self.bind(namespace, before, key, prefix)

        # (function, its attributes before the run) of the functions
        # decorators receive again: one may set what it was given on them
        # (`@unit("kg")` setting `f.unit`), which code elsewhere reads.
        marked = []

        def decorated_hook(qualname):
            def hook(new):
                root = lookup(before, qualname)
                if root is not MISSING:
                    marked.extend((f, dict(f.__dict__)) for f in chain(root) if type(f) is types.FunctionType)
                return self.decorated_hook(before, qualname, new, prefix)
            return hook

        namespace[BIND_HOOK] = bind_hook
        namespace[DECORATED_HOOK] = decorated_hook
        self.bodies += [body] if last is None else [body, last]
        paths_before = elsewhere.paths(namespace)
        elsewhere.fresh_path(namespace)
        watch = dynamic.Watch(self.workspace, name) if self.workspace is not None else None
        try:
            value = run_split(body, last, namespace)
        finally:
            namespace.pop(BIND_HOOK, None)
            namespace.pop(DECORATED_HOOK, None)
            if watch is not None:
                watch.end(self, shape.import_set if shape is not None else frozenset(), namespace.get("__file__"))
        # Names bound other than by def or class: `f = decorate(g)`,
        # `handler = make_handler(4)`, `from .impl import f`.
        for key in list(namespace):
            new = namespace.get(key, MISSING)
            if new is not MISSING and new is not before.get(key, MISSING):  # bind's own first test
                self.bind(namespace, before, key, prefix)
                # Both rare: asked only of a name that holds what they look for.
                if type(namespace[key]) is types.FunctionType:
                    self.unread_own_install(namespace, before, key, name)
                if type(before.get(key)) is types.ModuleType:
                    self.keep_submodule(namespace, before, key, prefix)
        self.remove_names(module, before, shape, previous, hooked)
        for f, was in marked:
            now = f.__dict__
            if now.keys() != was.keys() or any(not safe_equal(was[k], now[k]) for k in was):
                self.changed_in_place()  # what a decorator set on it changed
                break
        elsewhere.note_moved(self, name, shape, namespace, paths_before)
        if shape is not None and previous is not None and previous.effects:
            self.note_dropped_effects(name, shape, previous)
        if shape is not None and previous is not None and previous.registers:
            from .type_answers import unregister_dropped  # it imports this module
            unregister_dropped(self, namespace, shape, previous)
        if shape is not None and previous is not None and "__path__" in namespace:
            from .submodules import forget_unimported  # it imports this module
            forget_unimported(self, name, shape, previous)
        for key in set(before) | set(namespace):
            old, new = before.get(key, MISSING), namespace.get(key, MISSING)
            if old is new and key not in sizes:
                continue  # rebound by none of the tests below (__all__ equals itself)
            if key == "__all__":  # what a star import takes: by value, a new list each run
                if not safe_equal(*(tuple(v) if isinstance(v, (list, tuple)) else v for v in (old, new))):
                    change.rebound.add(key)
                continue
            if dunder(key):
                continue
            if rebound(old, new) or (key in sizes and new is old and len(new) != sizes[key]):
                change.rebound.add(key)
        superseded = []
        for key in change.rebound:
            old, new = before.get(key, MISSING), namespace.get(key, MISSING)
            if (old is not MISSING and type(old) is type(new) and type(old) not in DATA
                    and not isinstance(old, (type, types.FunctionType, types.ModuleType))):
                # `counter = Counter()` run again: a registry holding the old
                # one (or its bound method) holds what a fresh run would not.
                self.superseded[id(old)] = new
                self.successors.add(id(new))
                self.keep.append(old)
                superseded.append((key, old, new))
        if superseded and name in self.importers:
            from .lost_state import note_lost_state  # it imports this module
            note_lost_state(self, name, superseded, shape)
        if shape is not None:
            self.mark_kept_changes(change, before, namespace, shape)
        if change.rebound and shape is not None and not change.inplace and change.rebound & set(shape.globals_read):
            change.inplace = True  # its functions read a global that changed: what they compute changed
        if shape is not None and previous is not None and shape.imports != previous.imports:
            change.graph = True
        if self.hashed:
            # Once the module ran: a class decorator given the old class
            # (attrs) generates its __hash__ on it after its update.
            hashes.note_hash_changes(self)
        self.current = None
        return value

    def unread_own_install(self, namespace, before, key, name):
        """Gives key back the value the previous run gave it when this run
        read there one of the module's own functions, which the previous
        run installed in another module's object: `_orig = pd.DataFrame.to_dict`
        then `pd.DataFrame.to_dict = to_dict`, or `_old =
        logging.getLogRecordFactory()` then `logging.setLogRecordFactory(factory)`.
        A fresh run reads there what was there before the module ran (the
        previous run's value): the function it reads now is the one it
        wraps, and calling the "original" would call itself."""
        new, old = namespace[key], before.get(key, MISSING)
        if (type(new) is not types.FunctionType or new.__module__ != name or new.__name__ == key
                or before.get(new.__name__) is not new or old is MISSING):
            return
        if type(old) is types.FunctionType and old.__module__ == name:
            return  # it held one of the module's functions before too
        namespace[key] = old

    def keep_submodule(self, namespace, before, key, prefix):
        """Gives a package's name back its submodule when the package's
        code, run again, bound the name to something else (`def config()`
        in pkg/__init__.py, and pkg/config.py imported after it): in a
        fresh run the import of the submodule, after the package's code,
        binds the name last."""
        old = before.get(key, MISSING)
        if type(old) is types.ModuleType and sys.modules.get(prefix + key) is old:
            self.displaced[prefix + key] = namespace[key]  # the package's again if nothing imports it (submodules.py)
            namespace[key] = old

    def mark_kept_changes(self, change, before, namespace, shape):
        """Counts as changed the globals the module kept across the run (the
        same object before and after, as `try: x except NameError:` keeps
        data loaded once) that its code may have changed in place: it
        assigns an item or attribute of them, or calls a method of them,
        at module level. Their importers that took them or read them at
        import time then run again, as a fresh run of the new code would
        give them what it holds now."""
        for key in itertools.chain(shape.stores, shape.calls):
            old = before.get(key, MISSING)
            if old is not MISSING and namespace.get(key, MISSING) is old and not isinstance(old, NOT_STATE):
                change.rebound.add(key)

    def changed_in_place(self):
        """Records that the running module changed an old object in place."""
        if self.current is not None:
            self.changes.setdefault(self.current, Change()).inplace = True

    def bind(self, namespace, before, name, prefix):
        new = namespace.get(name, MISSING)
        old = self.own_before(before, name)
        if new is MISSING or old is new:
            return
        if old is MISSING:
            if isinstance(new, (types.FunctionType, type)):
                self.created.append(new)
            return
        if type(new) in DATA or type(old) in DATA:
            return  # no rule updates data in place: a module of constants binds them fast
        if self.taken_apart(old, new):
            return
        where = prefix + name
        value = self.resolve(old, new, where)
        if value is new and (isinstance(new, (types.FunctionType, type)) or isinstance(old, types.FunctionType)):
            value = self.rewrapped(old, new, where)
        if value is not new:
            namespace[name] = value
        elif isinstance(new, (types.FunctionType, type)):
            if same_definition(old, new):
                self.rebuilt.append((new, old))  # a registry it fills gets old back on rollback
            else:
                self.created.append(new)

    def own_before(self, before, name):
        """What name held before the run (before copies the namespace):
        the module's own definition an evaluation bound the name over
        with another, if one did (evaluated.py)."""
        old = before.get(name, MISSING)
        over = self.over.get(id(before)) if self.over else None
        if over and name in over and over[name][0] is old:
            return over[name][1]
        return old

    def taken_apart(self, old, new):
        """Reports whether old, which a name held before the run, took
        another definition of that name earlier in this run, which a
        decorator holds (singledispatch's `@f.register def _`, in a module
        or a class body): old keeps that definition, and the name binds
        new, the last, as in a fresh run."""
        claimed = self.claimed.get(id(old))
        return (claimed is not None and claimed is not new and any(d is old for d in self.decorated)
                and not any(obj is old for obj in chain(new)))

    def rewrapped(self, old, new, where):
        """What to bind when old and new are not the same definition: if a
        decorator was added or removed, the objects inside stay the same
        definition, so they still update in place; a note says what code
        that held the old object sees."""
        ours = [getattr(obj, "__module__", None) in self.modules for obj in (old, new)]
        if not invocable(new) or not invocable(old) or not any(ours):
            return new  # only definitions of the modules that ran (not a library's, as an Enum's __new__)
        inner = self.counterpart(old, new, where)
        if inner is not None:  # new is the old definition without a decorator
            if id(old) not in self.rewrapped_ids and getattr(inner, "__module__", None) in self.modules:
                self.rewrapped_ids.add(id(old))
                self.note(where, "a decorator was removed; code that took it before this save "
                          "(callbacks, registries, other modules' references) still calls it through the old decorator", new)
            return inner
        if ours[0] and any(obj is old for obj in chain(new)[1:]) and id(old) not in self.rewrapped_ids:
            # new wraps the old definition: a decorator was added
            self.rewrapped_ids.add(id(old))
            self.note(where, "a decorator was added; code that took it before this save "
                      "(callbacks, registries) still calls it without the decorator", old)
        return new

    def decorated_hook(self, before, qualname, new, prefix):
        """What the next decorator up receives: the old object new's
        definition updated in place, if the old binding at qualname is made
        of one, else new."""
        root = self.own_before(before, qualname) if "." not in qualname else lookup(before, qualname)
        old = None if root is MISSING else self.counterpart(root, new, prefix + qualname, quiet=True)
        if old is None:
            if isinstance(new, (types.FunctionType, type)):
                self.created.append(new)
            return new
        self.decorated.append(old)
        return old

    def counterpart(self, root, new, where, quiet=False):
        """The object in root's chain that new's definition updated in place,
        or None. quiet tries only what would succeed, without notes: the
        classes a decorator has yet to finish (a dataclass's fields) are
        compared again once it has."""
        from .rules import class_change, function_change  # rules imports this module
        for old in chain(root):
            if old is new:
                return old
            if type(old) is not type(new) or not same_definition(old, new):
                continue
            if id(old) in self.claimed and self.claimed[id(old)] is not new:
                continue  # a property's getter, already taken by its getter's new definition
            if quiet:
                try:
                    if isinstance(old, type) and class_change(self, old, new, resolve=False):
                        return None
                    if isinstance(old, types.FunctionType) and function_change(old, new):
                        return None
                except Exception:
                    return None
            return old if self.resolve(old, new, where) is old else None
        return None

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
            if isinstance(old, type) and id(old) not in self.hashed:
                self.hashed[id(old)] = (old, hashes.hash_of(old), where)
            try:
                ok = update(self, old, new, where)
            except Exception as exc:  # an object that refuses: keep the new one
                self.undo_to(mark)
                for undone in list(self.resolved)[known:]:
                    del self.resolved[undone]
                self.note(where, "could not be updated in place (%s: %s); existing references run the old code"
                          % (type(exc).__name__, exc), new)
                ok = False
            self.resolved[key] = old if ok else new
            if key in self.unborn:
                self.unborn.discard(key)
                del self.resolved[key]  # asked again once its class is made (rules.update_class_body)
                return new
            if ok:
                self.claimed[id(old)] = new
                if isinstance(new, type) and registries.creation_may_store(new):
                    self.replaced.append((new, old))
            return self.resolved[key]
        return new

    # --- removed names -------------------------------------------------------------

    def remove_names(self, module, before, shape, previous, hooked=()):
        """Removes the names the version that ran before bound and the new
        one binds nowhere (a fresh run would not have them), unless the new
        source binds names dynamically, and the names it binds only by
        definitions and assignments under an if whose test this run found
        false (hooked: the names the run's definitions and assignments
        bound), whatever they hold. Notes which went, and the lines that
        still read them."""
        if shape is None or previous is None:
            return
        namespace = module.__dict__
        name = module.__name__
        skipped = [key for key in shape.under_if & previous.binds
                   if key not in hooked and not dunder(key) and key in namespace
                   and namespace[key] is before.get(key, MISSING)]
        if skipped:
            skipped = shape.only_under_if(skipped, hooked)
        provided = set()
        for star in shape.stars:
            source = sys.modules.get(star)
            if source is not None:
                provided.update(star_names(source.__dict__))
        gone = []
        for key in sorted((previous.binds - shape.binds - provided) | set(skipped)):
            if key in IMPORT_SET or key not in namespace or namespace[key] is not before.get(key, MISSING):
                continue
            value = namespace[key]
            if isinstance(value, types.ModuleType) and sys.modules.get(name + "." + key) is value:
                continue  # a submodule, bound by the import system
            gone.append(key)
        taken = self.star_taken(shape, previous)
        starred = [key for key in sorted(set(taken) - provided - shape.binds - set(gone))
                   if not dunder(key) and key in namespace and namespace[key] is before.get(key, MISSING) is taken[key]]
        gone += starred  # a star import gave them, and gives them no more
        if not gone:
            return
        file = namespace.get("__file__")
        if shape.dynamic:
            where = (file, shape.dynamic) if file else None
            undefined = [key for key in gone if key not in skipped]
            if undefined:
                self.note(name, "no longer defines %s in its source, but sets globals dynamically (globals(), setattr, "
                          "exec), so they were kept; restart the runtime to drop them" % ", ".join(undefined), where)
            unrun = [key for key in gone if key in skipped]
            if unrun:
                self.note(name, "did not define %s in this run (the `if` around it was false), but sets globals "
                          "dynamically (globals(), setattr, exec), so they were kept; restart the runtime to drop them"
                          % ", ".join(unrun), where)
            return
        self.changes.setdefault(name, Change()).removed.update(gone)
        for key in gone:
            value = namespace.pop(key)
            if getattr(value, "__module__", None) == name and getattr(value, "__qualname__", None) == key:
                self.gone.append(value)
        defined = [key for key in gone if key not in starred and key not in skipped]
        if defined:
            self.note(name, "removed %s, which the new source no longer defines" % ", ".join(defined), NOWHERE)
        unrun = [key for key in gone if key in skipped]
        if unrun:
            self.note(name, "removed %s, which this run did not define (the `if` around it was false)" % ", ".join(unrun),
                      NOWHERE)
        if starred:
            self.note(name, "removed %s, which its star import (`from ... import *`) no longer gives" % ", ".join(starred),
                      NOWHERE)
        for key in gone:
            if key in skipped:
                continue  # a fresh run would not bind it either: its readers fare as they would there
            line = shape.globals_read.get(key)
            if line is not None and file:
                self.note("%s.%s" % (name, key), "is no longer defined, and this line still uses it: it raises NameError when it runs", (file, line))

    def note_dropped_effects(self, name, shape, previous):
        """Notes the statements the version that ran before ran at import
        to change objects of other modules, and the new one does not: what
        they set stays (see effects.py)."""
        gone = []
        for node in effects.dropped(previous, shape):
            reset = effects.resetter(node, previous.aliases, previous.source)
            if reset is not None and not self.set_elsewhere(name, node, previous):
                # Once the save stands, if the setting still holds what the
                # statement set (a call since, of code that a fresh run runs
                # too, set what it holds now).
                self.on_commit(reset)
            else:
                gone.append(effects.quoted(previous, node))
        if gone:
            self.note(name, "no longer runs %s at import, but what the version before set stays in the runtime, "
                      "where a fresh run would not have it: undo it in the runtime, or restart it"
                      % ", ".join("`%s`" % g for g in gone), NOWHERE)

    def set_elsewhere(self, name, node, previous):
        """Reports whether another loaded module of the user's sets at
        import what node (a statement of module name's version before)
        set: a fresh run would run that module's statement too."""
        ran = self.workspace.ran if self.workspace is not None else {}
        wanted = effects.settings(node, previous.aliases)
        for other, version in list(ran.items()):
            shape = version.shape_of() if other != name and other in sys.modules else None
            if shape is not None and any(wanted & effects.settings(n, shape.aliases) for n in shape.effects):
                return True
        return False

    def star_taken(self, shape, previous):
        """{name: object} of what the star imports of the version that ran
        before gave the module, when the source ran in this save (its
        __all__ or its names changed) or is star-imported no more: those
        names a fresh run would not have, unless something else binds them."""
        taken = {}
        for star in previous.stars:
            source = sys.modules.get(star)
            if source is None:
                continue
            was = next((b for ns, b in self.namespaces if ns is source.__dict__), None)
            if was is None:
                if star in shape.stars:
                    continue  # it did not run: it gives what it gave
                was = source.__dict__
            for key in star_names(was):
                taken[key] = was.get(key, MISSING)
        return taken

    # --- after every module ran ---------------------------------------------------

    def watch(self, name, before):
        """Remembers what the lists and sets that outlive the module's
        re-runs hold: the public ones of the objects it holds (a logger's
        handlers, an app's hooks) and the top-level ones of the other user
        modules it refers to (a registry module's list), to say afterwards
        which received another object like one they had. Its own top-level
        lists are its state (kept with `try: x except NameError:`). A
        list another module made anew by running earlier in this save
        (`PLUGINS = []`) does not outlive the re-run: it holds what this
        save's runs added, as a fresh run's would."""
        seen = set()

        def watch(label, owner, attr, container):
            if id(container) not in seen and type(container) in (list, set) and len(container) <= registries.BIG:
                seen.add(id(container))
                self.watched.append((name, label, owner, attr, container, {id(item) for item in container},
                                     {type(item) for item in container}, len(container)))

        own = sys.modules.get(name)
        for key, value in before.items():
            if dunder(key):
                continue
            namespace = None
            if isinstance(value, types.ModuleType):
                namespace = value.__dict__
            elif isinstance(value, types.FunctionType):
                namespace = value.__globals__
            elif not isinstance(value, (type, types.BuiltinFunctionType)):
                for attr, container in (own_dict(value) or {}).items():
                    if not attr.startswith("_"):
                        watch(key, value, attr, container)
            if namespace is None or namespace is getattr(own, "__dict__", None) or id(namespace) in seen:
                continue
            module = namespace.get("__name__")
            if not (self.workspace is not None and module in self.workspace.loaded()):
                continue  # a library's: its adapters know it
            seen.add(id(namespace))
            ran = self.ran_before.get(id(namespace))
            for attr, container in list(namespace.items()):
                if ran is not None and ran.get(attr) is not container:
                    continue  # made by that module's run in this save: it holds this save's additions only
                if not attr.startswith("_"):
                    watch(module, sys.modules.get(module), attr, container)

    def note_running_code(self):
        """Notes the code this save replaced that still runs, as a running
        frame keeps its code: a loop another thread runs (its frames), a
        generator or coroutine the user's modules hold (at module level, or
        one level into a list, tuple or dict of up to HELD_SCAN items
        there), the tasks of an asyncio event loop or a task they hold or
        of a loop a thread runs (a program's `asyncio.run`), and the
        coroutines such a loop's queued callbacks will start
        (queued_coroutines). Each runs the old code until it finishes,
        where a fresh run would run the new."""
        if not self.replaced_code:
            return
        names = {t.ident: t.name for t in threading.enumerate()}
        frames = sys._current_frames()
        # This thread's frame holds frames, and frames would hold it: a
        # cycle that keeps this Update (and the old objects it holds)
        # alive until the garbage collector runs.
        frames.pop(threading.get_ident(), None)
        # Without a generator or coroutine function changed, no suspended frame runs old code.
        suspends = any(code.co_flags & SUSPENDS for _, _, code in self.replaced_code.values())
        asyncio = sys.modules.get("asyncio") if suspends else None
        running_loops = {}  # {id(loop): (an event loop a thread runs, the thread's name)}
        try:
            # Every frame of every stack, the outermost included: a loop's
            # run_forever sits there under a request's frames, however
            # deep they go. A frame costs a dict lookup (Python's recursion
            # limit, 1,000 by default, bounds a stack).
            for ident, frame in frames.items():
                thread = names.get(ident, ident)
                text = ("thread %r is running it: that call keeps the old code until it returns; stop the thread and "
                        "start it again (__hotload_teardown__) or restart the runtime" % thread)
                while frame is not None:
                    self.note_running(frame.f_code, text)
                    loop = frame_loop(asyncio, frame) if asyncio is not None else None
                    if loop is not None:
                        running_loops[id(loop)] = (loop, thread)
                    frame = frame.f_back
        finally:
            frame = None
            frames.clear()
        if not suspends:
            return
        waiting = (asyncio.Task, asyncio.AbstractEventLoop) if asyncio is not None else ()
        seen = set()  # the ids of the loops and tasks noted (note_loop)
        modules = set(self.modules) | set(self.workspace.loaded() if self.workspace is not None else ())
        modules.add("__main__")
        for module in sorted(modules):
            namespace = getattr(sys.modules.get(module), "__dict__", None) or {}
            for key, value in list(namespace.items()):
                if dunder(key):
                    continue  # __builtins__, the module's spec: nothing of the user's runs there
                values = [value]
                if type(value) in (list, tuple) and len(value) <= HELD_SCAN:
                    values = value
                elif type(value) is dict and len(value) <= HELD_SCAN:
                    values = value.values()
                for item in values:
                    if type(item).__module__ == "contextlib" and type(getattr(item, "gen", None)) in SUSPENDED_TYPES:
                        item = item.gen  # a with block a @contextmanager opened (`cm.__enter__()`) and not closed
                    if type(item) not in SUSPENDED_TYPES and not (waiting and isinstance(item, waiting)):
                        continue
                    for code in awaited_codes(item):
                        kind = type(item).__name__
                        self.note_running(code, "%s.%s holds %s %s made before this save that runs it: it runs the "
                                          "old code until it finishes; call it again for one that runs the new code"
                                          % (module, key, "an" if kind[0] in "aeiou" else "a", kind))
                    self.note_loop(asyncio, item, "%s.%s" % (module, key), seen)
        for loop, thread in running_loops.values():
            self.note_loop(asyncio, loop, "the event loop of thread %r" % thread, seen)

    def note_loop(self, asyncio, obj, label, seen):
        """Notes the code the unfinished tasks of obj (a task, or an event
        loop's tasks) run, and that of the coroutines the loop has queued
        to start; label says whose obj is. seen holds the ids of the loops
        and tasks noted already (a module's task is also its loop's): each
        is noted once, under the first label."""
        for task in tasks_of(asyncio, obj):
            if id(task) in seen:
                continue
            seen.add(id(task))
            for code in awaited_codes(task.get_coro()):
                self.note_running(code, "a running task of %s runs it: it runs the old code until it finishes; "
                                  "cancel the task and create it again, or restart the runtime" % label)
        if id(obj) in seen:
            return  # a task, or a loop whose queue was read
        seen.add(id(obj))
        for coroutine in queued_coroutines(asyncio, obj):
            for code in awaited_codes(coroutine):
                self.note_running(code, "a task of %s queued before this save runs it: it starts after the save "
                                  "but runs the old code until it finishes; cancel the task and create it again, or "
                                  "restart the runtime" % label)

    def note_running(self, code, text):
        """Notes text on the function whose old code code is, if this save
        replaced it, or replaced a later version of it (see older_code)."""
        known = self.replaced_code.get(id(code))
        if known is None or known[2] is not code:
            known = self.older_code(code)
            if known is None:
                return
        self.noted_code.add(id(known[2]))
        self.note(known[0], text, known[1])

    def older_code(self, code):
        """The replaced_code entry of the function that code is an earlier
        version of: a frame started before an earlier save runs the code it
        started with, and each save gives the function the code it compiled
        (an edit elsewhere in the file moves its lines), so what this save
        replaced is a later code object of the same function. Matched by
        file and qualified name (before Python 3.11, which names code by its
        bare name, by its variables too); None if code is the function's
        code now, or of no function this save replaced."""
        if self._by_name is None:
            self._by_name = {}
            for entry in self.replaced_code.values():
                self._by_name.setdefault((entry[2].co_filename, code_qualname(entry[2])), entry)
        known = self._by_name.get((code.co_filename, code_qualname(code)))
        if known is None or known[1].__code__ is code:
            return None
        if not hasattr(code, "co_qualname") and code.co_varnames != known[2].co_varnames:
            return None
        return known

    def unnoted_suspending_code(self):
        """[(old code, where, its function's kind, note place)] of the
        generator and coroutine functions this save replaced whose old code
        no note names: a generator or coroutine made before the save and
        kept where note_running_code does not look (an instance, a running
        for loop) runs it, unseen (see old_code.py)."""
        entries = []
        for where, function, code in self.replaced_code.values():
            if code.co_flags & SUSPENDS and id(code) not in self.noted_code:
                kind = SUSPENDING_KINDS.get(code.co_flags & SUSPENDS, "generator")
                entries.append((code, where, kind, self.placed("", where, function)))
        return entries

    def note_stale_closures(self):
        """Notes each changed inner function whose old code a function (or
        frame) still runs once every module ran: a closure its maker
        returned before the save and that is kept where no re-run binds it
        again (in an instance, a list, a running frame). The closures the
        modules bind were updated in place and run the new code, so a
        decorator whose products all sit at module level gets no note.
        Whether any other holds the old code is read from its reference
        count, compared with that of a probe held the same way: no heap scan."""
        for entry in self.inner:
            if registries.still_used(self, entry):
                _, where, new, maker = entry
                self.note(where, "changed: the functions %s made before this save run the old code where they are "
                          "kept other than at module level or in a class (an instance, a list, a callback); call %s "
                          "again for new ones" % (maker, maker), new)

    def note_held_by_threads(self):
        """Notes the module-level state this save made anew while another
        thread still uses the old (held_by_threads.py)."""
        from .held_by_threads import note_held_by_threads  # it imports this module
        note_held_by_threads(self)

    def manage(self, obj):
        """An adapter says that what modules register on obj (an app, a
        command group, a logger) is taken off before they re-run, so its
        containers grow as in a fresh run: no growth note for it."""
        self.managed.add(id(obj))
        self.keep.append(obj)

    def note_growth(self):
        """Notes the watched containers that received, while the module ran
        again, an object of a type they already held, other than what
        reconcile keeps once (a module's function or class): the module
        adds to an object that outlives its re-runs, so each save adds one
        more, where a fresh run adds one. A module's list that code another
        thread is running adds to (`TICKS.append(1)` in a worker's loop)
        grows by itself while the save runs: not noted."""
        threads = None
        for module, label, owner, attr, container, before, kinds, size in self.watched:
            if id(owner) in self.managed:
                continue
            if isinstance(owner, types.ModuleType):
                if owner.__dict__.get(attr) is not container:
                    continue
            else:
                namespace = getattr(sys.modules.get(module), "__dict__", None) or {}
                if namespace.get(label) is not owner or own_dict(owner).get(attr) is not container:
                    continue
            again = [item for item in container if id(item) not in before and type(item) in kinds
                     and registries.definition_key(self, item, ()) is None]
            fresh = sum(1 for item in container if id(item) not in before)
            if len(container) - size > fresh:  # a list got an object it already held: `NAMES.append("x")`
                again += [item for item in container if id(item) in before][:1]
            if not again:
                continue
            if isinstance(owner, types.ModuleType):
                threads = added_by_threads() if threads is None else threads
                if (id(owner.__dict__), attr) in threads:
                    continue
            if isinstance(owner, types.ModuleType):  # on the registry's own line, in its module
                known = self.workspace.ran.get(label) if self.workspace is not None else None
                file = getattr(owner, "__file__", None)
                shape = known.shape_of() if known is not None else None
                line = shape.lines.get(attr) if shape is not None else None
            else:  # on the call that added to it
                file, shape = self.sources.get(module, (None, None))
                line = shape.calls.get(label) if shape is not None else None
            self.note("%s.%s" % (label, attr) if isinstance(owner, types.ModuleType) else "%s.%s.%s" % (module, label, attr),
                      "received another %s while %s ran again (%d before, %d now): it outlives re-runs, so what the module "
                      "adds to it is added again on each save, where a fresh run adds it once; guard the addition or "
                      "restart the runtime" % (type(again[0]).__name__, module, len(container) - len(again), len(container)),
                      (file, line) if file and line else (file, 1) if file else None)

    def reconcile(self):
        """Makes the registries agree with the modules (registries.reconcile)."""
        registries.reconcile(self)


# The methods that add to a list or set.
ADDERS = frozenset(("append", "extend", "insert", "add", "update", "appendleft", "extendleft"))


def added_by_threads():
    """{(id(globals), name)} of the module-level lists and sets that code
    the other threads are running adds to by name (`TICKS.append(1)`):
    what such a list received while a save ran, a thread may have added."""
    found, codes = set(), set()
    me = threading.get_ident()
    for ident, frame in sys._current_frames().items():
        while frame is not None and ident != me:
            code = frame.f_code
            if (id(frame.f_globals), id(code)) not in codes:
                codes.add((id(frame.f_globals), id(code)))
                found.update((id(frame.f_globals), name) for name in added_names(code))
            frame = frame.f_back
    return found


@functools.lru_cache(maxsize=256)
def added_names(code):
    """The global names code calls an adding method of (ADDERS)."""
    names, previous = set(), None
    for instruction in dis.get_instructions(code):
        if (previous is not None and previous.opname == "LOAD_GLOBAL" and instruction.opname in ("LOAD_METHOD", "LOAD_ATTR")
                and instruction.argval in ADDERS):
            names.add(previous.argval)
        previous = instruction
    return frozenset(names)


# The code flags of functions whose calls return a suspended frame.
SUSPENDS = 0x20 | 0x80 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR

# What a function of each of those flags makes when called.
SUSPENDING_KINDS = {0x20: "generator", 0x80: "coroutine", 0x200: "async generator"}

# What holds a suspended frame itself (asyncio's tasks and loops hold
# coroutines: tasks_of).
SUSPENDED_TYPES = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)

# The largest module-level list, tuple or dict note_running_code looks
# into for generators and tasks: a pool of workers or streams is small; a
# data set is not one, and reading it would make every edit of an async
# endpoint cost what the data does.
HELD_SCAN = 1000

def suspended_code(obj):
    """The code a generator, coroutine or async generator runs, if it has
    not finished; None for anything else."""
    kind = type(obj)
    if kind is types.GeneratorType:
        frame, code = obj.gi_frame, obj.gi_code
    elif kind is types.CoroutineType:
        frame, code = obj.cr_frame, obj.cr_code
    elif kind is types.AsyncGeneratorType:
        frame, code = obj.ag_frame, obj.ag_code
    else:
        return None
    return code if frame is not None else None


def awaited_codes(obj):
    """The code of a suspended generator or coroutine and of those it
    awaits or yields from, outermost first (a few levels), through the
    step of an async generator that `async for` awaits."""
    codes = []
    while len(codes) < 20:
        code = suspended_code(obj)
        if code is None:
            break
        codes.append(code)
        obj = getattr(obj, "cr_await", None) or getattr(obj, "gi_yieldfrom", None) or getattr(obj, "ag_await", None)
        if type(obj).__name__ in ASYNC_GENERATOR_STEPS:
            obj = next((r for r in gc.get_referents(obj) if type(r) is types.AsyncGeneratorType), None)
    return codes


# What `async for`, anext() and aclose() await of an async generator: an
# object that names the generator only to the garbage collector.
ASYNC_GENERATOR_STEPS = ("async_generator_asend", "async_generator_athrow")


def tasks_of(asyncio, obj):
    """The unfinished asyncio tasks obj is or runs (an event loop's); none
    without asyncio."""
    if asyncio is None:
        return []
    if isinstance(obj, asyncio.Task):
        return [] if obj.done() else [obj]
    if isinstance(obj, asyncio.AbstractEventLoop) and not obj.is_closed():
        try:
            return list(asyncio.all_tasks(obj))
        except RuntimeError:  # the loop's thread changed its tasks meanwhile
            return []
    return []


def frame_loop(asyncio, frame):
    """The asyncio event loop that frame of a thread's stack runs, if it is
    one of the frames that run one, else None.
    Those are a loop's run_forever (its self), a function with a local
    named loop (asyncio.run before Python 3.11, uvicorn's, a program's
    own) and asyncio.Runner.run (3.11 and later: the runner's _loop). A
    uvloop loop's own methods have no Python frame: the frames that
    called them find it. Only these frames' locals are read."""
    code = frame.f_code
    if code.co_name not in ("run_forever", "run") and "loop" not in code.co_varnames and "loop" not in code.co_cellvars:
        return None
    local = frame.f_locals
    owner = local.get("self")
    for found in (local.get("loop"), owner, (own_dict(owner) or {}).get("_loop")):
        if isinstance(found, asyncio.AbstractEventLoop):
            return found
    return None


def queued_coroutines(asyncio, loop):
    """The coroutines the callbacks an asyncio event loop has queued will
    start: a coroutine handed to run_coroutine_threadsafe, call_soon or
    call_later is made (with the code of its day) at once, but becomes a
    task only when the loop's thread runs the callback, and until then
    no task holds it. Looks at up to HELD_SCAN callbacks of the loop's
    ready queue and as many of its timers, in their arguments and their
    closure (run_coroutine_threadsafe's); none for anything but an open
    loop of asyncio's own (a loop that queues elsewhere, uvloop's, shows
    none)."""
    if asyncio is None or not isinstance(loop, asyncio.AbstractEventLoop) or loop.is_closed():
        return []
    found = []
    for queue in (getattr(loop, "_ready", ()), getattr(loop, "_scheduled", ())):
        try:
            handles = list(itertools.islice(queue, HELD_SCAN))
        except (RuntimeError, TypeError):  # the loop's thread changed it meanwhile; not a queue
            continue
        for handle in handles:
            callback = getattr(handle, "_callback", None)
            held = list(getattr(handle, "_args", None) or ())
            if isinstance(callback, functools.partial):
                held += callback.args
            for cell in getattr(callback, "__closure__", None) or ():
                try:
                    held.append(cell.cell_contents)
                except ValueError:  # an empty cell
                    pass
            found += [item for item in held if type(item) is types.CoroutineType]
    return found


def star_names(namespace):
    """The names `from m import *` takes from a module namespace: its
    __all__, or its names that do not start with an underscore."""
    names = namespace.get("__all__")
    if isinstance(names, (list, tuple)):
        return [n for n in names if isinstance(n, str)]
    return [n for n in namespace if not n.startswith("_")]


def code_qualname(code):
    """code's qualified name (Python 3.11+), else its name."""
    return getattr(code, "co_qualname", code.co_name)


def own_dict(obj):
    """obj's own __dict__ if it is a dict, else None, without running any
    __getattr__."""
    if type(obj) in DATA_TYPES:
        # Built-in data has no __dict__: most of a namespace's values are
        # data, and the AttributeError asking would make costs a microsecond.
        return None
    try:
        attrs = object.__getattribute__(obj, "__dict__")
    except Exception:
        return None
    return attrs if type(attrs) is dict else None


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


def restore_list(container, items):
    container[:] = items


def restore_set(container, items):
    container.clear()
    container.update(items)


def restore_dict(container, items):
    container.clear()
    container.update(items)


def restore_dict_key(container, new_key, old_key, item, old_item):
    container.pop(old_key, None)
    if old_item is not MISSING:
        container[old_key] = old_item
    container[new_key] = item


# At the end: registries imports this module's names.
from . import hashes, registries  # noqa: E402
