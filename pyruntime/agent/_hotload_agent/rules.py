"""The update rules: how an old object takes a new definition in place."""

import collections
import contextvars
import dis
import enum
import functools
import inspect
import sys
import types

from . import type_answers
from .update import DATA_TYPES, EMPTY, MISSING, cell_value, chain, code_qualname, code_same, invocable, own_attr, qualified, safe_equal, same_definition


def type_key(annotation):
    """Compares annotations by name: a re-run makes new class objects."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return qualified(annotation)
    return repr(annotation)


def written_annotations(cls):  # novm (annotationlib: Python 3.14+; ImportError before)
    """cls's own annotations as written (source text), evaluating nothing;
    None before Python 3.14, where annotations are values already.

    Since 3.14 (PEP 649/749) annotations are evaluated when read: a
    dataclass field's type is a ForwardRef when its class names itself
    (`left: Tree | None`) on the first run, and the old class on a re-run,
    so only the text compares the same way each time.
    """
    try:
        import annotationlib
    except ImportError:
        return None
    try:
        return annotationlib.get_annotations(cls, format=annotationlib.Format.STRING)
    except Exception:  # an odd __annotate__: compare the fields' types instead
        return None


def dataclass_fields_changed(old, new):
    old_fields = getattr(old, "__dataclass_fields__", None)
    new_fields = getattr(new, "__dataclass_fields__", None)
    if old_fields is None and new_fields is None:
        return False
    if old_fields is None or new_fields is None or list(old_fields) != list(new_fields):
        return True
    old_text, new_text = written_annotations(old), written_annotations(new)
    for name, a in old_fields.items():
        b = new_fields[name]
        if old_text is not None and new_text is not None:
            # A field the class inherits is in neither: its base, which
            # class_change checked first, is updated in place or replaced.
            if old_text.get(name) != new_text.get(name):
                return True
        elif type_key(a.type) != type_key(b.type):
            return True
        if not safe_equal(a.default, b.default) or not safe_equal(a.default_factory, b.default_factory):
            return True
        for flag in ("init", "repr", "compare", "hash", "kw_only"):
            if getattr(a, flag, None) != getattr(b, flag, None):
                return True
    return False


def enum_members(cls):
    return [(name, member._value_) for name, member in cls.__members__.items()]


def enum_members_changed(old, new):
    a, b = enum_members(old), enum_members(new)
    return len(a) != len(b) or any(x[0] != y[0] or not safe_equal(x[1], y[1]) for x, y in zip(a, b))


def slots_of(cls):
    slots = cls.__dict__.get("__slots__")
    if slots is None:
        return None
    return (slots,) if isinstance(slots, str) else tuple(slots)


def is_code(value):
    """Reports whether a class attribute is behaviour rather than data."""
    return isinstance(value, (types.FunctionType, staticmethod, classmethod, property,
                              functools.cached_property, types.DynamicClassAttribute))


def point_super_at(up, old, new):
    """Points the __class__ cell of every function new's body holds at old,
    where it holds new: zero-argument super() reads the class there, and
    live instances are instances of old, which new's functions now serve.
    The functions are found as chain() finds them: through staticmethod,
    classmethod, property, cached_property, partial, a wrapper's closure
    (a decorator without functools.wraps) and __wrapped__ (functools.wraps,
    lru_cache), so a method under any decorator still finds its class."""
    for value in new.__dict__.values():
        kind = type(value)
        if kind is types.FunctionType and not value.__dict__ and value.__code__.co_freevars in PLAIN_FREEVARS:
            point_cell_at(up, value, old, new)  # a plain method holds no other function: chain's lists cost more
            continue
        if kind in NO_FUNCTIONS:
            continue  # __module__, __doc__, __dict__'s descriptor: every class has them
        for f in chain(value):
            if isinstance(f, types.FunctionType):
                point_cell_at(up, f, old, new)


# The types of class attributes that hold no function chain() would find:
# data, and the descriptors of a class's instance dict and slots.
NO_FUNCTIONS = DATA_TYPES | {types.GetSetDescriptorType, types.MemberDescriptorType}

# The free variables of a method that is not a closure: none, or super()'s class.
PLAIN_FREEVARS = ((), ("__class__",))


def point_cell_at(up, f, old, new):
    """Points f's __class__ cell at old if it holds new."""
    freevars = f.__code__.co_freevars
    if "__class__" in freevars:
        cell = f.__closure__[freevars.index("__class__")]
        if cell_value(cell) is new:
            up.set_cell(cell, old)


# Class attributes an in-place update leaves alone: the class's own slots for
# instance dicts and weak references, its identity, and ABC's per-class cache.
CLASS_KEEP = frozenset(("__dict__", "__weakref__", "__module__", "__qualname__", "__slots__", "_abc_impl"))

# Class attributes that describe the class's source rather than what it
# does: a change to them alone is no reason for an importer to re-run.
METADATA = frozenset(("__doc__", "__firstlineno__", "__static_attributes__"))

# The class attributes a save keeps the contents of when they are written
# empty and their line did not change: caches.
CACHES = (dict, list, set, collections.OrderedDict, collections.defaultdict, collections.deque)

# Descriptors that belong to the class that made them (__slots__ members).
SLOT_DESCRIPTORS = (types.MemberDescriptorType, types.GetSetDescriptorType)


# Each rule is (applies(update, old, new), apply(update, old, new, where)).
# apply changes old in place through the update's undo log and returns True,
# or returns False (with a note when references are left behind) to bind new.

def is_function(up, old, new):
    return type(old) is types.FunctionType and type(new) is types.FunctionType and same_definition(old, new)


def function_change(old, new):
    """Says why old cannot take new's code in place, or returns None."""
    if old.__globals__ is not new.__globals__:
        return "it now comes from another module's namespace"
    if old.__code__.co_freevars != new.__code__.co_freevars:
        return "its free variables changed"
    return None


def generated(f):
    """Reports whether f was made by exec for its class rather than by a
    def in its module's file: compiled from a string (dataclasses' methods,
    exec'd in the module's own globals, come from "<string>"; attrs' from
    "<attrs generated init ...>"), or run in a namespace of its own, as
    namedtuple makes __new__. Nothing but its class holds such a function."""
    if f.__code__.co_filename.startswith("<"):
        return True
    module = sys.modules.get(f.__module__ or "")
    return module is None or module.__dict__ is not f.__globals__


def update_function(up, old, new, where):
    reason = function_change(old, new)
    if reason:
        if generated(old) or generated(new):
            return False  # made by exec for the class (a namedtuple's __new__): nothing else holds it
        up.note(where, reason + "; existing references run the old code", new)
        return False
    freevars = old.__code__.co_freevars
    cells = []
    for name, old_cell, new_cell in zip(freevars, old.__closure__ or (), new.__closure__ or ()):
        a, b = cell_value(old_cell), cell_value(new_cell)
        if a is b:
            continue
        if name == "__class__":
            if b is EMPTY:
                # A decorator in a class body got new: its class is not made
                # yet, so whether old's class is kept is not known. The
                # class's update asks again, with new pointed at old's class.
                up.unborn.add((id(old), id(new)))
            # super()'s class: update_class points it at the old class; if
            # it still differs, the class itself was replaced.
            return False
        cells.append((old_cell, a, b))
    # functools.wraps keeps the wrapped function in __dict__["__wrapped__"]:
    # update it too, and keep the old one, as the wrapper's cell does.
    if old.__dict__ or new.__dict__:
        merged = {}
        for key, value in new.__dict__.items():
            was = old.__dict__.get(key, MISSING)
            merged[key] = value if was is MISSING else up.resolve(was, value)
        if merged != old.__dict__:
            up.set_attr(old, "__dict__", merged)
    for cell, a, b in cells:
        # A closure's values are those of the new run (a memoizing
        # decorator's cache starts empty again), its functions the old
        # objects updated in place.
        value = b if a is EMPTY or b is EMPTY else up.resolve(a, b)
        if value is not a:
            up.set_cell(cell, value)
            if not safe_equal(a, value):
                up.changed_in_place()
    if not code_same(old.__code__, new.__code__):
        up.changed_in_place()
        up.recoded.add(id(old))
        up.replaced_code[id(old.__code__)] = (where, old, old.__code__)
        note_inner_functions(up, old, new, where)
    for attr in ("__defaults__", "__kwdefaults__"):
        if not safe_equal(getattr(old, attr), getattr(new, attr)):
            up.changed_in_place()
    for attr in FUNCTION_ATTRS:
        value = getattr(new, attr, MISSING)
        if value is not MISSING and getattr(old, attr) is not value:
            up.set_attr(old, attr, value)
    update_annotations(up, old, new)
    return True


# What update_function gives the old function of the new one, besides its
# closure and annotations: `__type_params__` (Python 3.12+, `def
# first[T: int]`) holds TypeVars the new run made, with their new bounds,
# constraints and defaults.
FUNCTION_ATTRS = ("__code__", "__defaults__", "__kwdefaults__", "__doc__", "__type_params__")


def note_inner_functions(up, old, new, where):
    """Records the functions defined inside old whose code this save
    changed: the ones old made before the save (closures a factory
    returned, wrappers a decorator made) keep the old code, except those
    bound at module level or in a class of a module this save re-ran,
    which are updated in place. Once every module ran, the Update notes
    those whose old code a function still runs (Update.note_stale_closures)."""
    before = {code_qualname(c): c for c in old.__code__.co_consts if isinstance(c, types.CodeType)}
    for code in new.__code__.co_consts:
        if not isinstance(code, types.CodeType) or code.co_name.startswith("<") and code.co_name != "<lambda>":
            continue  # comprehensions and generator expressions run at once
        was = before.get(code_qualname(code))
        if was is None or code_same(was, code):
            continue
        up.inner.append((was, "%s.<locals>.%s" % (where, code.co_name), code, where.rpartition(".")[2]))


def annotations_of(f):
    """Where f's annotations are, as (attribute, value), read without
    evaluating them.

    Since Python 3.14 (PEP 649/749) reading __annotations__ runs the
    function's __annotate__, which raises NameError for a name imported only
    under `if TYPE_CHECKING:`; __annotate__ itself is the annotations,
    unevaluated. Without one (before 3.14, or once __annotations__ was
    assigned) they are a plain dict, and reading it runs nothing.
    """
    annotate = getattr(f, "__annotate__", None)
    if annotate is not None:
        return "__annotate__", annotate
    return "__annotations__", f.__annotations__


def update_annotations(up, old, new):
    # Assigning either attribute resets the other: __annotate__ drops the
    # cached dict, __annotations__ sets __annotate__ to None.
    before, after = annotations_of(old), annotations_of(new)
    if before[0] == after[0] and before[1] is after[1]:
        return
    if annotations_differ(before, after):
        # Code that read them (typing.get_type_hints, inspect.signature, a
        # dispatch table an importer built at import) holds the old ones.
        up.changed_in_place()
    up.on_undo(setattr, old, *before)
    setattr(old, *after)


def annotations_differ(before, after):
    """Reports whether two functions' annotations (annotations_of) say
    different things: their __annotate__'s code, or their dicts' items."""
    (kind, a), (other, b) = before, after
    if kind != other:
        return True
    if kind == "__annotate__":
        return not code_same(a.__code__, b.__code__)
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a is not b
    return list(a) != list(b) or any(not safe_equal(a[k], b[k]) for k in a)


def is_method_wrapper(up, old, new):
    return type(old) is type(new) and isinstance(old, (staticmethod, classmethod))


def update_method_wrapper(up, old, new, where):
    # __func__ is read-only: update the function inside, or bind the new wrapper.
    return up.resolve(old.__func__, new.__func__, where) is old.__func__


def is_property(up, old, new):
    return type(old) is type(new) and isinstance(old, property)


def update_property(up, old, new, where):
    # fget, fset and fdel are read-only: every one must update in place.
    for attr in ("fget", "fset", "fdel"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a is b:
            continue
        if a is None or b is None or up.resolve(a, b, "%s.%s" % (where, attr)) is not a:
            return False
    if old.__doc__ != new.__doc__:
        up.set_attr(old, "__doc__", new.__doc__)
    return True


def is_cached_property(up, old, new):
    return type(old) is type(new) is functools.cached_property


def update_cached_property(up, old, new, where):
    if old.attrname != new.attrname:
        return False
    func = up.resolve(old.func, new.func, where)
    if func is not old.func:
        up.set_attr(old, "func", func)
    if id(func) in up.recoded:  # (the decorator got it updated already)
        # The value lives in each instance's __dict__, which only a heap scan would find.
        up.note(where, "changed: instances that computed it before this save keep the value the old code "
                "computed (it is cached in each instance); `del obj.%s` recomputes it, new instances use the new code"
                % old.attrname, func)
    return True


def is_class(up, old, new):
    # Only classes of the modules this save runs: a class another module's
    # factory made (a declarative base, say) is not ours to rewrite.
    return (isinstance(old, type) and isinstance(new, type) and same_definition(old, new)
            and old.__module__ in up.modules)


def class_change(up, old, new, resolve=True):
    """Says why old cannot soundly take new's definition, or returns None.
    Without resolve, a base that is a different object counts as replaced
    rather than being updated first."""
    if type(old) is not type(new):
        return "its metaclass changed"
    if [qualified(b) for b in old.__bases__] != [qualified(b) for b in new.__bases__]:
        return "its bases changed"
    for a, b in zip(old.__bases__, new.__bases__):
        if a is not b and (not resolve or up.resolve(a, b) is not a):
            return "its base %s was replaced" % qualified(a)
    if slots_of(old) != slots_of(new):
        return "its __slots__ changed"
    if dataclass_fields_changed(old, new):
        return "its dataclass fields changed"
    if isinstance(old, enum.EnumMeta) and enum_members_changed(old, new):
        return "its members changed"
    if not safe_equal(old.__dict__.get("_fields"), new.__dict__.get("_fields")):
        return "its fields changed"  # a namedtuple's
    return None


def update_class(up, old, new, where):
    reason = class_change(up, old, new)
    if reason == "its bases changed" and not isinstance(old, enum.EnumMeta):
        mark = len(up.undo)
        if rebase(up, old, new):
            reason = class_change(up, old, new)
            if reason:
                up.undo_to(mark)
    if reason:
        up.note(where, reason + "; existing instances still use the old class", old)
        return False
    return update_class_body(up, old, new, where)


def rebase(up, old, new):
    """Gives old new's bases in place (each the old base updated in place
    when it is the same definition), so that live instances and subclasses
    follow; Python refuses when the instances' layout would change (a base
    with other C fields or __slots__), and then old is rebuilt. Returns
    whether it did."""
    by_name = {qualified(b): b for b in old.__bases__}
    bases = []
    for base in new.__bases__:
        was = by_name.get(qualified(base))
        bases.append(base if was is None or was is base else up.resolve(was, base))
    try:
        up.set_attr(old, "__bases__", tuple(bases))
    except TypeError:  # "__bases__ assignment: 'LookupError' deallocator differs from 'AppError'"
        return False
    type_answers.forget(up)  # isinstance answers and dispatch cached for the old bases
    return True


def update_class_body(up, old, new, where, skip=None):
    """Gives old the attributes of new's body, updating functions in place,
    and removes those new lacks; skip(key, value) names attributes to leave
    alone on either side (a framework's machinery: an ORM's mapper)."""
    point_super_at(up, old, new)
    codes_before = own_codes(old)  # before its functions take the new code
    names_before = set(old.__dict__)
    # An enum keeps its members and their tables; only its methods change.
    only_code = isinstance(old, enum.EnumMeta)
    members = old.__dict__.get("_member_map_") or {}
    kept = unchanged_data(up, old)
    persisted = []
    kept_for = {}  # id(new attribute) -> the old one it updated in place
    for key, value in list(new.__dict__.items()):
        if key in CLASS_KEEP or key in members or (only_code and not is_code(value)):
            continue
        if skip is not None and (skip(key, value) or skip(key, old.__dict__.get(key))):
            continue
        was = old.__dict__.get(key, MISSING)
        if was is value:
            continue  # already the new one (an adapter set it: a generated method)
        if was is MISSING:
            up.set_class_attr(old, key, value)
            up.changed_in_place()
            continue
        if isinstance(was, SLOT_DESCRIPTORS) and type(was) is type(value):
            continue
        if key in kept and type(was) in CACHES and type(value) is type(was) and not value:
            # An empty container as written (a cache) whose line did not
            # change keeps what it holds, as module state does.
            persisted.append(key)
            continue
        if up.taken_apart(was, value):
            up.set_class_attr(old, key, value)  # `@render.register def _` again: was is one of them
            up.changed_in_place()
            continue
        resolved = up.resolve(was, value, "%s.%s" % (where, key))
        if resolved is value and invocable(value) and invocable(was):
            resolved = up.rewrapped(was, value, "%s.%s" % (where, key))  # a decorator added or removed
        if resolved is not value:
            kept_for[id(value)] = resolved
        if resolved is not was:
            up.set_class_attr(old, key, resolved)
            if key not in METADATA and (not safe_equal(was, resolved) or is_code(resolved)):
                up.changed_in_place()
    refer_to_kept(up, old, new, kept_for)
    for key in [k for k in old.__dict__ if k not in new.__dict__]:
        value = old.__dict__[key]
        if key in CLASS_KEEP or key in members or (only_code and not is_code(value)):
            continue
        if skip is not None and skip(key, value):
            continue
        up.del_class_attr(old, key)
        up.changed_in_place()
    if set(old.__dict__) != names_before or subclasshook_recoded(up, old):
        type_answers.forget(up)  # isinstance and issubclass may answer otherwise now
    note_new_instance_attributes(up, old, codes_before, where)
    change = up.changes.get(up.current)
    for key in persisted:
        value = old.__dict__.get(key)
        if skip is not None and skip(key, value):
            continue
        if value and change is not None and change.inplace:
            up.note("%s.%s" % (where, key), "keeps what it held before the save (%d item%s), as its line did not change; "
                    "if code this save changed made them, empty it or restart the runtime"
                    % (len(value), "" if len(value) == 1 else "s"), old)
    return True


def subclasshook_recoded(up, cls):
    """Whether this save gave other code to the __subclasshook__ cls
    defines, which decides what an ABC counts as its subclasses (its
    classmethod decorator received it updated already)."""
    hook = cls.__dict__.get("__subclasshook__")
    return id(getattr(hook, "__func__", hook)) in up.recoded


def refer_to_kept(up, old, new, kept_for):
    """Makes the containers new's body built from its own functions
    (`HANDLERS = {"start": on_start}`) hold the old functions they updated
    in place, as the class's attributes do: in a class body a def binds
    the new function, which the class then drops for the old one."""
    if not kept_for:
        return
    for key, value in list(new.__dict__.items()):
        if old.__dict__.get(key) is not value or type(value) not in (dict, list, tuple):
            continue  # not set on old (a kept cache), or not a container
        if type(value) is dict:
            for k, v in list(value.items()):
                if id(v) in kept_for:
                    value[k] = kept_for[id(v)]
        elif type(value) is list:
            value[:] = [kept_for.get(id(v), v) for v in value]
        elif any(id(v) in kept_for for v in value):
            up.set_class_attr(old, key, tuple(kept_for.get(id(v), v) for v in value))


def note_new_instance_attributes(up, cls, before, where):
    """Notes the attributes the class's initialization code (initializers)
    now sets on self that it did not, and the class gives no default for:
    instances made before the save lack them (a fresh run's instances
    would have them). before is own_codes(cls) from before the save. A
    class whose instances live for one use (up.fleeting) has none to note."""
    if id(cls) in up.fleeting:
        return
    now = own_codes(cls)
    if not initializers_changed(before, now):
        return
    was, setup = initializers(cls, before), initializers(cls, now)
    had = set().union(*(self_attributes(code) for code in was.values()))
    setters = {}  # attribute -> the names of the methods that now set it
    for name, code in setup.items():
        for attr in self_attributes(code) - had:
            setters.setdefault(attr, []).append(name)
    missing = sorted(a for a in setters if not any(a in base.__dict__ for base in cls.__mro__))
    if missing:
        by = sorted({name for a in missing for name in setters[a]}, key=list(setup).index)
        up.note(where, "%s now set%s %s: instances made before this save do not have %s (reading %s raises "
                "AttributeError); new instances do" % (" and ".join(by), "s" if len(by) == 1 else "",
                                                       ", ".join("self." + n for n in missing),
                                                       "them" if len(missing) > 1 else "it",
                                                       "them" if len(missing) > 1 else "it"), cls)


def own_codes(cls):
    """{name: code} of what cls itself defines: a plain function's code,
    None for anything else."""
    return {k: v.__code__ if type(v) is types.FunctionType else None for k, v in list(cls.__dict__.items())}


# The methods that set up a new instance, as a class or dataclasses call them.
INITIALIZERS = ("__init__", "__post_init__")


def initializers_changed(before, now):
    """Whether a save that left cls's own functions as now (own_codes)
    changed one that may set up its instances: __init__, __post_init__, or
    a function they name (`self._setup()`). Cheap: read from the names
    their code uses, without disassembling it, and comparing only those
    functions, as this runs on each class a save updates."""
    named = set(INITIALIZERS)
    for codes in (before, now):
        for name in INITIALIZERS:
            if codes.get(name) is not None:
                named.update(codes[name].co_names)
    return any(not same_code(before.get(k), now.get(k)) for k in named if k in before or k in now)


def same_code(a, b):
    return a is b or (a is not None and b is not None and code_same(a, b))


def initializers(cls, own):
    """{method name: code} of the code that sets up a new instance of cls
    as the user wrote it: __init__ (unless a library generated it, as
    dataclasses do), __post_init__ (which a dataclass's __init__ calls),
    and the methods they call on self (`self._setup()`), one level down.
    own is own_codes(cls), of the version to read; inherited methods are
    read from the bases."""
    def code_of(name):
        if name in own:
            return own[name]
        value = next((base.__dict__[name] for base in cls.__mro__[1:] if name in base.__dict__), None)
        return value.__code__ if type(value) is types.FunctionType else None

    found = {}
    for name in INITIALIZERS:
        code = code_of(name)
        if code is not None and not code.co_filename.startswith("<"):
            found[name] = code
    for code in list(found.values()):
        for name in sorted(names_on_self(code, SELF_CALLS)):
            helper = code_of(name)
            if helper is not None and name not in found:
                found[name] = helper
    return found


# The instructions that read an attribute, as `self.m()` reads m (3.12+ reads methods with LOAD_ATTR).
SELF_CALLS = ("LOAD_METHOD", "LOAD_ATTR")


def self_attributes(code):
    """The names a method's code assigns as attributes of its first
    argument (`self.x = ...`), read from its bytecode."""
    return names_on_self(code, ("STORE_ATTR",))


def names_on_self(code, opnames):
    """The attribute names that instructions of one of opnames use on a
    method's first argument (`self.x`), read from its bytecode."""
    if not code.co_argcount:
        return set()
    me = code.co_varnames[0]
    found, previous = set(), None
    for instruction in dis.get_instructions(code):
        if instruction.opname in opnames and previous is not None and previous.opname.startswith("LOAD_FAST"):
            loaded = previous.argval[-1] if isinstance(previous.argval, tuple) else previous.argval  # 3.13's pairs
            if loaded == me:
                found.add(instruction.argval)
        if instruction.opname not in ("CACHE", "EXTENDED_ARG"):
            previous = instruction
    return found


def unchanged_data(up, cls):
    """The names of cls's data attributes whose assignment in the class
    body is the same in the new source as in the one that ran before."""
    source = up.sources.get(cls.__module__)
    previous = up.previous.get(cls.__module__)
    if source is None or source[1] is None or previous is None:
        return ()
    new = source[1].class_data.get(cls.__qualname__) or {}
    old = previous.class_data.get(cls.__qualname__) or {}
    return {key for key, dump in new.items() if old.get(key) == dump}


def is_lru_cache(up, old, new):
    return type(old) is type(new) is LRU_CACHE_WRAPPER


def update_lru_cache(up, old, new, where):
    """An lru_cache wrapper is C code: it cannot take new code, but the
    function it wraps can. When both wrap the same function (the old one,
    updated in place before the decorator ran again) with the same
    parameters, the old wrapper is kept and its cache emptied once the
    save stands, since its results came from the old code. Made with
    other parameters (maxsize, typed), the new one is bound, with a note,
    and the old one emptied all the same: it calls the new code."""
    if not same_wrapped(up, old, new, where):
        return note_native_wrapper(up, old, new, where)
    up.on_commit(old.cache_clear)
    params = getattr(old, "cache_parameters", None)
    if params is not None and params() != new.cache_parameters():
        up.note(where, "its cache's settings changed, so a new %s is bound; references to the old one elsewhere run the "
                "new code with the old settings" % wrapper_kind(old), own_attr(new, "__wrapped__"))
        return False
    return True


def is_clearable_cache(up, old, new):
    # A caching wrapper of another library, or of the user's, that offers
    # cache_clear (cachetools.cached): an object, not a function, with no
    # code of its own to swap.
    return (type(old) is type(new) and not isinstance(old, (type, types.FunctionType))
            and own_attr(old, "__wrapped__") is not None and offers_cache_clear(old))


def update_clearable_cache(up, old, new, where):
    """As for lru_cache: when both wrap the same function (the old one,
    updated in place before the decorator ran again), the old wrapper's
    cache is emptied once the save stands, since its results came from the
    old code, and the old wrapper is kept, so references to it elsewhere
    call the new code; unless the new one was made with other cache
    settings, which it then stands for, with a note."""
    if not same_wrapped(up, old, new, where):
        return note_native_wrapper(up, old, new, where)
    up.on_commit(old.cache_clear)
    if cache_settings(old) != cache_settings(new):
        up.note(where, "its cache's settings changed, so a new %s is bound; references to the old one elsewhere run the "
                "new code with the old settings" % wrapper_kind(old), own_attr(new, "__wrapped__"))
        return False
    return True


def same_wrapped(up, old, new, where):
    """Whether the wrappers old and new wrap one function: the old one,
    updated in place before the decorator ran again, or updated in place
    now. A method decorated in its class's body while the class was not
    made yet (its super() cell empty) is updated only once the class is."""
    a, b = own_attr(old, "__wrapped__"), own_attr(new, "__wrapped__")
    if a is b:
        return True
    return isinstance(a, types.FunctionType) and isinstance(b, types.FunctionType) and up.resolve(a, b, where) is a


def offers_cache_clear(value):
    """Whether value's type, or value itself, defines cache_clear: read
    without running any __getattr__ of the value's."""
    try:
        inspect.getattr_static(value, "cache_clear")
    except AttributeError:
        return False
    return True


def cache_settings(wrapper):
    """What a caching wrapper was made with, as far as it shows it: its
    cache_parameters() (functools-style), its cache's type and bounds
    (maxsize, ttl) and its key function, as cachetools' keep them. A
    wrapper with other settings cannot stand for the new one."""
    params = own_attr(wrapper, "cache_parameters") or getattr(type(wrapper), "cache_parameters", None)
    try:
        params = params() if callable(params) else None
    except Exception:
        params = None
    cache = own_attr(wrapper, "cache")
    try:
        bounds = (getattr(cache, "maxsize", None), getattr(cache, "ttl", None))
    except Exception:
        bounds = None
    return params, type(cache), bounds, own_attr(wrapper, "cache_key")


def is_native_wrapper(up, old, new):
    # functools.lru_cache and other decorators written in C: a callable
    # object wrapping a function, with no code of its own to swap.
    return (type(old) is type(new) and not isinstance(old, (type, types.FunctionType)) and callable(old)
            and own_attr(old, "__wrapped__") is not None and own_attr(new, "__wrapped__") is not None
            and own_attr(old, "__qualname__") == own_attr(new, "__qualname__"))


def note_native_wrapper(up, old, new, where):
    up.note(where, "a %s cannot be updated in place; existing references run the old code" % wrapper_kind(old),
            own_attr(new, "__wrapped__"))
    return False


def wrapper_kind(wrapper):
    """The name of wrapper's type, with its module unless a builtin."""
    kind = type(wrapper)
    return kind.__qualname__ if kind.__module__ == "builtins" else qualified(kind)


def is_context_var(up, old, new):
    return type(old) is type(new) is contextvars.ContextVar and old.name == new.name


def keep_context_var(up, old, new, where):
    """A ContextVar made again by a module's re-run would lose what running
    tasks, threads and the runtime's own context set in the old one (a fresh
    run sets it in the one variable there is): the name keeps the old one
    when the new one is made alike. One with another default cannot be
    changed in place: the name takes it, and a note says what it lost when
    the save's own context (the one evaluations share) has a value in the
    old one; the contexts of other threads and tasks cannot be read."""
    if safe_equal(default_of(old), default_of(new)):
        return True
    if old.get(MISSING) is not MISSING:
        up.note(where, "is a new ContextVar, made with another default: values that running tasks, threads and "
                "evaluations set in the old one before this save are not in it; set them again, or restart the runtime")
    return False


def default_of(var):
    """var's default, MISSING if it has none (read in an empty context)."""
    try:
        return contextvars.Context().run(var.get)
    except LookupError:
        return MISSING


LRU_CACHE_WRAPPER = type(functools.lru_cache()(lambda: None))


UPDATE_RULES = [
    (is_function, update_function),
    (is_class, update_class),
    (is_method_wrapper, update_method_wrapper),
    (is_property, update_property),
    (is_cached_property, update_cached_property),
    (is_lru_cache, update_lru_cache),
    (is_clearable_cache, update_clearable_cache),
    (is_native_wrapper, note_native_wrapper),
    (is_context_var, keep_context_var),
]
