"""The answers Python caches about classes, forgotten when a class they
are about changed in place.

isinstance and issubclass against an ABC (collections.abc.Iterable,
Hashable, a typing.Protocol, a class of abc.ABC's) cache their answer, yes
or no, in the ABC, per class asked about; functools.singledispatch caches
the implementation it found for each class. A class updated in place
keeps its identity, so those answers outlive the save: a class that gains
__iter__ stays not Iterable, one that gains __eq__ (so loses __hash__)
stays Hashable. A fresh run asks anew.

A module that no longer registers a class with an ABC
(`Storage.register(Frozen)` deleted) leaves it registered, as the ABC
outlives the save: it is taken off the registry.

Only a change of what a class has (its attribute names, its bases) or of
how an ABC answers (its __subclasshook__, its members) can change an
answer: an edited method body cannot, and costs nothing here.
"""

import abc
import sys
import types

from .update import DATA_TYPES, own_attr


def forget(up):
    """Forgets the cached answers that may be about a class this save
    changed in place, or given by it: every ABC's isinstance and
    issubclass caches, and the dispatch caches of the singledispatch
    functions of the user's modules. Again if the save is rolled back:
    answers asked meanwhile are about the new code.

    The members a typing.Protocol caches (Python 3.12+:
    __protocol_attrs__, and which are not methods) need nothing here: a
    Protocol updated in place takes them from its new class, which
    computed them, and a Protocol derived from it is the definition of a
    module that runs again, as it subclasses a class the save changed."""
    if up.abcs is None:
        up.abcs = all_abcs()
    up.on_undo(forget_answers, up)
    forget_answers(up)


def forget_answers(up):
    for cls in up.abcs:
        abc.ABCMeta._abc_caches_clear(cls)
    for clear in dispatch_cache_clears(up):
        clear()


def all_abcs():
    """Every class whose metaclass is abc.ABCMeta's (ABCs, Protocols).

    Which ABCs hold an answer about a class is not known (any ABC may have
    been asked about it): the ABCs of its MRO are not enough, as a class
    meets Iterable, Hashable or a Protocol only through isinstance, and
    the counter ABCMeta.register bumps voids only the "no" answers.
    Nothing lists the ABCs but the class tree: it is walked from object
    through __subclasses__, which visits each class once (2,000 with numpy
    and pandas loaded: 1-2 ms), once per save that changes what a class
    has. It is no heap scan: only classes are visited."""
    found, seen, stack = [], set(), [object]
    while stack:
        for cls in type.__subclasses__(stack.pop()):
            if id(cls) not in seen:
                seen.add(id(cls))
                stack.append(cls)
                if isinstance(cls, abc.ABCMeta):
                    found.append(cls)
    return found


def dispatch_cache_clears(up):
    """The _clear_cache of each functools.singledispatch function of the
    user's loaded modules, at module level or in their classes (a
    singledispatchmethod's): the implementation each cached for a class
    may no longer be the one its new bases pick. One in a library, or
    kept elsewhere, is not found."""
    names = set(up.modules) | set(up.workspace.loaded() if up.workspace is not None else ())
    found = []
    for name in names:
        namespace = getattr(sys.modules.get(name), "__dict__", None) or {}
        for value in list(namespace.values()):
            if isinstance(value, type):
                if getattr(value, "__module__", None) == name:
                    found += [dispatcher_clear(v) for v in list(vars(value).values())]
            else:
                found.append(dispatcher_clear(value))
    return [clear for clear in found if clear is not None]


def dispatcher_clear(value):
    """value's dispatch cache's clear, if value is a singledispatch
    function or a singledispatchmethod, else None; read without running
    any __getattr__ of the value's."""
    if type(value) in DATA_TYPES:
        return None
    if not isinstance(value, types.FunctionType):
        value = own_attr(value, "dispatcher")  # a singledispatchmethod's singledispatch function
        if not isinstance(value, types.FunctionType):
            return None
    clear = value.__dict__.get("_clear_cache")
    return clear if callable(clear) and "dispatch" in value.__dict__ else None


def unregister_dropped(up, namespace, shape, previous):
    """Takes off its ABC's registry each class that the module's version
    before registered (`Storage.register(Frozen)`, `@Storage.register`,
    at module level) and the new one, shape, does not, when both are the
    objects the module binds now: a fresh run would not register it. A
    class a module registers with another module's ABC is taken off too.
    Which module registered a class is not known: one that another module
    registers as well is taken off all the same."""
    for abc_name, class_name in previous.registers:
        if (abc_name, class_name) in shape.registers:
            continue
        cls, sub = lookup_dotted(namespace, abc_name), namespace.get(class_name)
        if isinstance(cls, abc.ABCMeta) and isinstance(sub, type) and sub in registered(cls):
            unregister(up, cls, sub)


def lookup_dotted(namespace, dotted):
    """The object at a dotted name ("base.Exporter") from a namespace,
    reading only module and class attributes; None if there is none."""
    first, *rest = dotted.split(".")
    obj = namespace.get(first)
    for part in rest:
        if not isinstance(obj, (types.ModuleType, type)):
            return None
        obj = obj.__dict__.get(part)
    return obj


def registered(cls):
    """The classes registered with the ABC cls (its virtual subclasses)."""
    dump = getattr(abc, "_get_dump", None)  # the C implementation's
    if dump is not None:
        return [ref() for ref in dump(cls)[0]]
    return list(cls._abc_registry)  # _py_abc's WeakSet


def unregister(up, cls, sub):
    """Takes sub off the registry of the ABC cls, which offers no way to
    but emptying it: the others are registered again. Undone by
    registering sub again. ABCMeta's own methods, not a class's own
    register (a plugin base's classmethod) of the same name."""
    others = [c for c in registered(cls) if c is not None and c is not sub]
    abc.ABCMeta._abc_registry_clear(cls)
    abc.ABCMeta._abc_caches_clear(cls)
    for other in others:
        abc.ABCMeta.register(cls, other)
    up.on_undo(abc.ABCMeta.register, cls, sub)
    forget(up)
