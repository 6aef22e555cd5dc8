"""Registries: making the dicts, lists and sets a save's code filled agree
with the modules, without a heap scan.

A class's creation runs code (__init_subclass__, a metaclass, an
attribute's __set_name__) before the update sees the class, and a module's
code registers what it defines (decorators, `handlers.append(f)`) every
time it runs. So after a save, a registry may hold the new class where the
module now binds the old one updated in place, or a definition twice; after
a failed save, what the failed run registered. They are looked for in the
namespaces of the modules that ran, the user modules they refer to, the
classes in those (their bases and metaclasses), the objects they hold, and
one level into the containers found there: where registries live.
"""

import collections
import sys
import types
from abc import ABCMeta

from .update import MISSING, cell_value, lookup, own_dict, qualified, restore_dict, restore_dict_key, restore_list, restore_set

# The containers the registry walk reads and changes: the built-in ones,
# whose reading and writing run no code of the user's.
REGISTRIES = (dict, list, set, collections.OrderedDict, collections.defaultdict)

# The most items the registry walk (containers) reads per save, and
# the largest container it reads: registries are small; a million-item
# data set is not one, and reading it would make saves cost what data does.
BUDGET = 100000
BIG = 10000

# The names the import system gives every module, whose values are its
# own (its spec, loader, builtins), never a registry of the user's: the
# walk passes them by, as they are a third of a small module's names.
MODULE_DUNDERS = frozenset(("__builtins__", "__spec__", "__loader__", "__name__", "__doc__", "__package__",
                            "__file__", "__cached__", "__path__"))

# What a module defines that a registry holds by name: functions and classes.
DEFINITIONS = (types.FunctionType, type)


def unregister(up):
    """After a rollback, takes out of the registries what the failed
    run put there (the code it ran registered objects no undo log
    knows): a definition registered again stays once, a class it made
    gives its place back to the old one, an object it made leaves."""
    swap = {id(new): old for new, old in up.replaced + up.rebuilt}
    again = {id(obj) for obj in up.decorated}
    up.gone, gone = up.created, {id(obj) for obj in up.created}
    log, up.undo = up.undo, []  # nothing to undo: this is the undoing
    versions = {name: (new, old) for name, (old, new) in module_sources(up).items()}
    try:
        for container in containers(up, ()):
            fix_container(up, container, swap, again, gone, versions, undoing=True)
    finally:
        up.undo = log


def reconcile(up, extra_roots=()):
    """Makes the registries agree with the modules: where a class this
    save made was stored while it was created (by __init_subclass__, a
    metaclass, __set_name__), the old class it was resolved to takes its
    place; a list or set that received a definition again (the same
    object, or the module-level function or class of the same name: its
    decorated form, say) keeps it once, at the first place, as the
    module now binds it; objects of removed names leave. Notes the
    classes stored where the walk does not look."""
    swap = {id(new): old for new, old in up.replaced}
    leaked = [i for i in range(len(up.replaced)) if stored(up, i)]
    again = {id(obj) for obj in up.decorated}
    gone = {id(obj) for obj in up.gone}
    versions = module_sources(up)
    for container in containers(up, extra_roots):
        fix_container(up, container, swap, again, gone, versions)
    for i in leaked:
        if stored(up, i):
            old = up.replaced[i][1]
            up.note(qualified(old), "the class this save made was stored while it was created (by __init_subclass__, "
                      "a metaclass or __set_name__) somewhere hotload cannot reach; that reference is a different class "
                      "from %s: restart the runtime if code uses it" % qualified(old), old)

def stored(up, i):
    """Reports whether the new class of up.replaced[i] is referenced
    from more places than itself and this Update: by a registry its
    creation filled. Compared with a class made here and held the same
    way, so the interpreter's own counting cancels out. Only classes of
    type and ABCMeta are counted (other metaclasses hold references of
    their own)."""
    new = up.replaced[i][0]
    if type(new) not in (type, ABCMeta):
        return False
    # new is held by keep, claimed, replaced and this frame: so is probe.
    probe = type("probe", (), {})
    holders = [(None, probe)], {0: probe}  # as keep and claimed hold new
    replaced = [(probe, None)]
    baseline = references(replaced, 0) - own_references(probe)
    # The undo log holds what fix_container replaced, to put it back.
    undo = held_by_undo(up.undo, new)
    stored = references(up.replaced, i) - own_references(new) - undo > baseline
    del holders
    return stored

def containers(up, extra_roots):
    """The dicts, lists and sets a save's registries may be: in the
    namespaces of the modules that ran and of the user's modules they
    hold (or whose functions or classes they hold), in their classes' (and their bases' and metaclasses')
    __dict__, in the __dict__ of objects they hold, and one level into
    those containers. Big containers (over BIG items) are skipped."""
    namespaces, seen = [], set()

    def add_namespace(ns):
        if isinstance(ns, dict) and id(ns) not in seen:
            seen.add(id(ns))
            namespaces.append(ns)

    for name in up.modules:
        module = sys.modules.get(name)
        if module is not None:
            add_namespace(module.__dict__)
    for root in extra_roots:
        add_namespace(root)
    out = []
    budget = [BUDGET]

    def add(container, depth):
        if id(container) in seen or len(container) > BIG or budget[0] <= 0:
            return
        seen.add(id(container))
        budget[0] -= len(container)
        out.append(container)
        if depth < 2:
            values = list(container.values()) if isinstance(container, dict) else list(container)
            for value in values:
                if type(value) in REGISTRIES:
                    add(value, depth + 1)

    users = UserModules(up)
    for ns in list(namespaces):
        for key, value in list(ns.items()):
            if key in MODULE_DUNDERS:
                continue
            if isinstance(value, types.ModuleType) and users.has(getattr(value, "__name__", None)):
                add_namespace(value.__dict__)
            elif isinstance(value, types.FunctionType) and users.has(value.__module__):
                add_namespace(value.__globals__)
            elif isinstance(value, type) and users.has(value.__module__):
                # `from base import Reader`: a registry Reader's
                # __init_subclass__ fills may be a global of base.
                add_namespace(getattr(sys.modules.get(value.__module__), "__dict__", None))
    classes = []
    for ns in namespaces:
        for key, value in list(ns.items()):
            if key in MODULE_DUNDERS:
                continue
            if isinstance(value, type):
                classes.extend(value.__mro__[:-1])
                classes.append(type(value))
            elif type(value) in REGISTRIES:
                add(value, 0)
            else:
                attrs = own_dict(value)
                if attrs:
                    for item in list(attrs.values()):
                        if type(item) in REGISTRIES:
                            add(item, 1)
    for new, old in up.replaced:
        classes.extend(old.__mro__[:-1])
        classes.append(type(old))
    for cls in classes:
        if cls.__module__ == "builtins" or id(cls) in seen:
            continue
        seen.add(id(cls))
        for value in list(cls.__dict__.values()):
            if type(value) in REGISTRIES:
                add(value, 1)
    return out

class UserModules:
    """Which modules are the user's, for one walk: those that ran, else
    the workspace's loaded ones. The workspace compares all of sys.modules
    to know those (20 to 150 us with numpy and pandas loaded), so it is
    asked at most once, and only for a module that did not run."""

    def __init__(self, up):
        self._ran, self._workspace, self._loaded = up.modules, up.workspace, None

    def has(self, name):
        if name in self._ran:
            return True
        if self._loaded is None:
            self._loaded = self._workspace.loaded() if self._workspace is not None else {}
        return name in self._loaded


def module_sources(up):
    """{module name: (the source of the version that ran before, the
    source of the one that ran now)} of the modules this save ran whose
    version before is known."""
    out = {}
    for name in up.modules:
        previous, shape = up.previous.get(name), up.sources.get(name, (None, None))[1]
        if previous is not None and shape is not None and previous.source is not None and shape.source is not None:
            out[name] = (previous.source, shape.source)
    return out


def fix_container(up, container, swap, again, gone, versions, undoing=False):
    if isinstance(container, dict):
        for key, value in list(container.items()):
            if id(value) in gone and value in up.gone:
                up.on_undo(container.__setitem__, key, value)
                del container[key]
                continue
            if id(value) in swap:
                up.on_undo(container.__setitem__, key, value)
                container[key] = swap[id(value)]
            if id(key) in swap and not isinstance(key, (int, str)):
                old = swap[id(key)]
                item = container.pop(key)
                up.on_undo(restore_dict_key, container, key, old, item, container.get(old, MISSING))
                container[old] = item
        if versions:
            without_renamed_keys(up, container, versions)
        in_definition_order(up, container)
    elif isinstance(container, (list, set)):
        items, many = same_named(up, list(container), again, undoing)
        kept, keys, index, last, repeated, changed = [], [], {}, {}, set(), items is not None
        for position, item in enumerate(container if items is None else items):
            item2 = swap.get(id(item), item)
            changed = changed or item2 is not item
            if id(item2) in gone and any(item2 is g for g in up.gone):
                changed = True
                continue
            key = definition_key(up, item2, again)
            if key in many:
                key = None  # in place already: each is a registration of its own
            if key is not None:
                last[key] = position
            if key is not None and key in index:
                # Registered again by this save: once is what a fresh run has.
                changed = True
                repeated.add(key)
                if is_bound(item2) or is_successor(up, item2):
                    kept[index[key]] = item2
                continue
            if key is not None:
                index[key] = len(kept)
            kept.append(item2)
            keys.append(key)
        if isinstance(container, list) and repeated:
            kept = in_registration_order(kept, keys, last, repeated)
        if not changed:
            return
        if isinstance(container, list):
            up.on_undo(restore_list, container, list(container))
            container[:] = kept
        else:
            up.on_undo(restore_set, container, set(container))
            container.clear()
            container.update(kept)

def same_named(up, items, again, undoing=False):
    """The registrations of items (a list or set registry) that share a
    module and a name with others of their module: lambdas (`<lambda>`)
    and functions its source defines under one name several times
    (`@hook def _`). definition_key cannot tell them apart, so they are
    matched by what made them: where this save's run of their module
    registered such objects, the ones its previous run registered
    (functions of its file that this run did not make) leave, and this
    run's take their places, in this run's order. Other such objects, of
    code evaluated in the module, stay. undoing (a failed save): this
    run's leave, and the previous run's stay. Each object stays once.
    Returns (the items so regrouped, or None if unchanged; the keys
    regrouped)."""
    groups = {}
    for position, item in enumerate(items):
        key = definition_key(up, item, again)
        if type(key) is tuple and type(key[1]) is str:
            groups.setdefault(key, []).append(position)
    made, many, out = None, set(), None
    for key, positions in groups.items():
        if not (key[1].endswith("<lambda>") or redefined(up, *key)):
            continue  # one definition: definition_key's case
        many.add(key)
        if made is None:
            made = codes_made(up)
        ours = [p for p in positions if id(getattr(items[p], "__code__", None)) in made]
        file = up.sources.get(key[0], (None, None))[0]
        previous = [p for p in positions if p not in ours and getattr(getattr(items[p], "__code__", None), "co_filename", None) == file]
        if undoing or not ours:
            leaving, regrouped, slots = set(ours), [], []  # keep the others, once each
        else:
            leaving, regrouped, slots = set(previous) | set(ours), once([items[p] for p in ours]), sorted(previous + ours)
        seen = set()
        for p in positions:
            if p in leaving or id(items[p]) in seen:
                out = list(items) if out is None else out
                out[p] = MISSING
            seen.add(id(items[p]))
        if regrouped:
            for slot, item in zip(slots, regrouped):
                out[slot] = item
    if out is None:
        return None, many
    return [item for item in out if item is not MISSING], many


def redefined(up, module, name):
    """Reports whether the version of module that ran now or the one
    before defines name more than once."""
    shapes = (up.sources.get(module, (None, None))[1], up.previous.get(module))
    return any(shape is not None and name in shape.redefined for shape in shapes)


def once(objects):
    """objects, each only at its first place."""
    seen, out = set(), []
    for obj in objects:
        if id(obj) not in seen:
            seen.add(id(obj))
            out.append(obj)
    return out


def codes_made(up):
    """The ids of the code objects of the functions this save's runs made:
    those nested in the code each module ran."""
    ids, todo = set(), list(up.bodies)
    while todo:
        code = todo.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType) and id(const) not in ids:
                ids.add(id(const))
                todo.append(const)
    return ids


def in_registration_order(kept, keys, last, repeated):
    """kept (a list registry without its repeats) with the definitions of
    each module that registered them again in this save in the order of
    that save's registrations, in the places they held: a handler renamed
    or moved up in its module runs where a fresh run would put it, while
    other modules' registrations stay where they are."""
    modules = {key[0] for key in repeated if isinstance(key, tuple)}
    out = list(kept)
    for module in modules:
        slots = [i for i, key in enumerate(keys) if isinstance(key, tuple) and key[0] == module]
        ordered = sorted(slots, key=lambda i: last[keys[i]])
        for slot, i in zip(slots, ordered):
            out[slot] = kept[i]
    return out


def definition_key(up, obj, again):
    """What makes two registrations the same one: for a module-level
    function or class (or a wrapper carrying its name) of a module this
    save ran, its module and name; for an object a decorator received
    again, the object; for an object a module-level name held before this
    save and its successor (`counter = Counter()` run again), or a method
    bound to either, the successor. Closures a factory makes share a name
    but are different registrations: None, as for anything else."""
    if isinstance(obj, (types.FunctionType, type)):
        module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if module in up.modules and isinstance(name, str) and "<locals>" not in name:
            return module, name
    if id(obj) in again:
        return id(obj)
    if up.superseded:
        target, func = (obj.__self__, obj.__func__) if isinstance(obj, types.MethodType) else (obj, None)
        successor = up.superseded.get(id(target), target)
        if id(successor) in up.successors:
            return "instance", id(successor), func
    return None


def is_successor(up, obj):
    """Reports whether obj, or the object a method is bound to, is what a
    module-level name holds after this save in place of an older one."""
    target = obj.__self__ if isinstance(obj, types.MethodType) else obj
    return id(target) in up.successors


def without_renamed_keys(up, container, versions):
    """Takes out of a dict registry the keys a module's definition was
    registered under by the version that ran before and no longer is,
    where this save registered it under a new key: `@register("upper")`
    made `@register("shout")`, a class's `key = "csv"` made "csv2". A
    fresh run has only the new key, where the first of the two was. A key
    counts as the version's when its source spells it as a string
    literal: the old key is one only the old source spells, the new one
    one only the new source spells, so aliases the new version still
    registers (`@route("/")` over `@route("/index")`), keys computed at
    run time and keys other modules set stay. versions: {module: (the
    source whose run made the registrations, the source now standing)}."""
    held = {}
    for key, value in container.items():
        if type(key) is str and isinstance(value, DEFINITIONS) and getattr(value, "__module__", None) in versions:
            definition = definition_key(up, value, ())
            if definition is not None:
                held.setdefault(definition, []).append(key)
    pairs = {}  # old key and new key -> (old key, the new key that replaces it, or None)
    for definition, keys in held.items():
        if len(keys) < 2:
            continue
        old, new = versions[definition[0]]
        stale = [k for k in keys if spelled(old, k) and not spelled(new, k)]
        fresh = [k for k in keys if spelled(new, k) and not spelled(old, k)]
        if stale and fresh:
            for pair in zip(stale, fresh + [None] * (len(stale) - len(fresh))):
                for key in pair:
                    if key is not None:
                        pairs[key] = pair
    if not pairs:
        return
    items = list(container.items())
    placed, done = [], set()
    for key, value in items:
        pair = pairs.get(key)
        if pair is None:
            placed.append((key, value))
        elif pair[0] not in done:  # the first of the two: the new key goes there
            done.add(pair[0])
            if pair[1] is not None:
                placed.append((pair[1], container[pair[1]]))
    up.on_undo(restore_dict, container, items)
    container.clear()
    container.update(placed)


def spelled(source, key):
    """Reports whether source (bytes) spells key as a string literal."""
    try:
        text = key.encode("utf-8")
    except UnicodeError:
        return False
    return b'"' + text + b'"' in source or b"'" + text + b"'" in source


def in_definition_order(up, container):
    """Puts the definitions of a module this save ran that a dict registry
    holds in the order the module now defines them, in the places they
    held, when the dict gained one of them in this save: a command
    inserted before the others is listed first, as in a fresh run, where
    otherwise it would come last (a dict keeps a key where it was first
    set). Other modules' entries stay where they are."""
    if not up.created:
        return  # nothing new in this save: every definition kept its place
    created = {id(obj) for obj in up.created}
    if created.isdisjoint(map(id, container.values())):
        return
    items = list(container.items())
    slots = {}
    for i, (_, value) in enumerate(items):
        key = definition_key(up, value, ())
        if isinstance(key, tuple) and len(key) == 2:
            slots.setdefault(key[0], []).append(i)
    placed = list(items)
    for module, where in slots.items():
        shape = up.sources.get(module, (None, None))[1]
        if shape is None or len(where) < 2 or not any(id(items[i][1]) in created for i in where):
            continue
        ordered = sorted(where, key=lambda i: shape.lines.get(definition_key(up, items[i][1], ())[1], 0))
        for slot, i in zip(where, ordered):
            placed[slot] = items[i]
    if placed != items:
        up.on_undo(restore_dict, container, items)
        container.clear()
        container.update(placed)

def is_bound(obj):
    """Reports whether obj's module binds it under its name."""
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    name = getattr(obj, "__qualname__", None)
    return module is not None and isinstance(name, str) and lookup(module.__dict__, name) is obj


def creation_may_store(cls):
    """Reports whether making cls ran code that may have stored it: an
    __init_subclass__ of a base, a metaclass of the user's, or an
    attribute's __set_name__."""
    meta = type(cls)
    if meta is not type and meta.__module__ not in ("abc", "enum", "typing", "builtins"):
        return True
    for base in cls.__mro__[1:-1]:
        if "__init_subclass__" in base.__dict__ and base.__module__ not in ("typing", "abc", "builtins"):
            return True
    for value in cls.__dict__.values():
        if hasattr(type(value), "__set_name__") and type(value).__module__ not in ("builtins", "functools", "enum", "types"):
            return True
    return False


def still_used(up, entry):
    """Reports whether a function or a frame still runs entry's code (an
    up.inner entry: an inner function's code from before this save) beyond
    what holds it anyway: its old maker's code, whose co_consts hold it
    (the undo log keeps that alive), the entry, the undo log (each closure
    updated in place logs its old code there), and old closures nothing
    but this save's bookkeeping holds (one a class decorator set on a class
    before, which the save took off to set the new one). A probe made and
    held the same way gives the interpreter's own count."""
    outer = compile("def outer():\n    def inner():\n        pass\n", "<probe>", "exec")
    maker = next(c for c in outer.co_consts if isinstance(c, types.CodeType))
    probe = next(c for c in maker.co_consts if isinstance(c, types.CodeType))
    del outer  # only maker holds it now, as the old maker's code holds the old code
    record = (probe,)  # as the entry holds the old code
    baseline = code_references(probe)
    code = entry[0]
    # (code stays a plain local: a closure over it, as a generator
    # expression's, would hold it in a cell that Python 3.14 counts apart.)
    users = code_references(code) - held_by_undo(up.undo, code) - held_by_replaced(up, code) - baseline
    if users <= 0:
        return False
    log = [(None, (types.FunctionType(probe, {}),))]  # as the undo log holds a function
    for function in [log[0][1][0]]:  # as the loop below holds each
        unheld = code_references(function) - 1
    for function in held_functions(up):
        if function.__code__ is code and code_references(function) - held_by_update(up, function) <= unheld:
            users -= 1  # only this save's bookkeeping holds it
    del record, log
    return users > 0


def held_functions(up):
    """The functions the save's bookkeeping holds (the undo log's arguments
    and the pairs it keeps alive), in a list."""
    found, seen = [], set()
    for _, args in up.undo:
        for arg in args:
            if type(arg) is types.FunctionType and id(arg) not in seen:
                seen.add(id(arg))
                found.append(arg)
    for item in up.keep:
        for obj in item if type(item) is tuple else (item,):
            if type(obj) is types.FunctionType and id(obj) not in seen:
                seen.add(id(obj))
                found.append(obj)
    return found


def held_by_replaced(up, code):
    """How many entries of up.replaced_code hold code: a closure updated
    in place logs its old code there."""
    count = 0
    for entry in list(up.replaced_code.values()):
        if entry[2] is code:
            count += 1
    return count


def held_by_update(up, obj):
    """How many references to obj the save's bookkeeping holds (the undo
    log, keep), in a function of its own: a loop variable would count."""
    count = held_by_undo(up.undo, obj)
    for item in up.keep:
        if item is obj:
            count += 1
        elif type(item) is tuple:
            count += sum(1 for x in item if x is obj)
    return count


def code_references(code):
    """sys.getrefcount of a code object, called the same way for each."""
    return sys.getrefcount(code)


def references(pairs, i):
    """sys.getrefcount of pairs[i][0], called the same way for every class."""
    return sys.getrefcount(pairs[i][0])


def held_by_undo(undo, obj):
    """How many references to obj the undo log's arguments hold (in a
    function of its own: a loop variable left holding obj would count)."""
    count = 0
    for _, args in undo:
        for arg in args:
            if arg is obj:
                count += 1
            elif type(arg) in (list, set):
                count += sum(1 for item in arg if item is obj)
    return count


def own_references(cls):
    """How many references cls holds to itself: its __mro__, its
    descriptors for __dict__, __weakref__ and slots, its methods' __class__
    cells."""
    own = 1
    for value in cls.__dict__.values():
        if isinstance(value, (types.GetSetDescriptorType, types.MemberDescriptorType)) and value.__objclass__ is cls:
            own += 1
        for f in (value, getattr(value, "__func__", None), getattr(value, "fget", None)):
            if isinstance(f, types.FunctionType) and f.__closure__:
                own += sum(1 for cell in f.__closure__ if cell_value(cell) is cls)
    return own


