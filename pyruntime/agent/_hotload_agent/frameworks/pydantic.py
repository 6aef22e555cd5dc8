"""pydantic 2: models updated in place say what live instances lack, and the
models that nest an edited model validate with its new code.

- A model class is updated in place by the core's class rule (its
  validator, serializer and schema come from the new class), so code that
  holds the class, and live instances, run the new methods and validators.
  If its fields changed, a note says what instances made before the save
  lack: pydantic keeps field values in each instance's __dict__, out of
  reach without a heap scan.
- pydantic compiles a nested model's schema into the validator of every
  model that uses it. After a save, the user's models that refer to a model
  updated in place, and that did not run again, are rebuilt
  (model_rebuild(force=True)), undoably, so they validate with its new code.
- A model (or pydantic dataclass) that a module that ran again defines, or
  that nests one of its classes, was compiled by the run against the new
  classes, which the save then dropped for the old ones it updated in
  place: its validator would build instances of a class nothing binds and
  refuse those of the class the module binds. Such models get their field
  types pointed at the kept classes and are rebuilt; one whose schema still
  names a dropped class (a type pydantic keeps where this cannot reach) gets
  a note. Its validators that are classmethods (every @field_validator,
  a @model_validator(mode="before")) were bound to the class the run made:
  they are bound to the kept class, so `cls` in them is the class the
  module binds.
"""

import copy
import dataclasses
import functools
import operator
import sys
import types
import typing

from . import Adapter
from .live import user_namespaces
from .models import field_changes, note_field_changes
from ..update import MISSING, qualified
from ..rules import is_class, update_class

# Class attributes model_rebuild sets, restored on rollback.
REBUILT = ("__pydantic_core_schema__", "__pydantic_validator__", "__pydantic_serializer__",
           "__pydantic_complete__", "__pydantic_fields__", "__pydantic_computed_fields__",
           "__signature__", "__pydantic_decorators__", "__pydantic_fields_complete__")


def base_model():
    main = sys.modules.get("pydantic.main")
    return getattr(main, "BaseModel", None)


def fields(cls):
    """{name: (annotation, required, default)} of a model's fields."""
    found = {}
    for name, info in (cls.__dict__.get("__pydantic_fields__") or {}).items():
        found[name] = (repr(info.annotation), info.is_required(), repr(info.default))
    return found


def mentions(annotation, classes, depth=0):
    """Reports whether a type annotation refers to one of classes."""
    if depth > 10:
        return False
    if any(annotation is c for c in classes):
        return True
    return any(mentions(arg, classes, depth + 1) for arg in typing.get_args(annotation))


def kept_classes(up):
    """{id(new class): old class} of the classes this save updated in place:
    the new ones the run made, which the modules no longer bind."""
    found = {}
    for pair in up.keep:  # (old, new) pairs the rules were asked about, among other objects
        if not (type(pair) is tuple and len(pair) == 2):
            continue
        old, new = pair
        if isinstance(old, type) and isinstance(new, type) and up.claimed.get(id(old)) is new:
            found[id(new)] = old
    return found


def swap(annotation, kept, depth=0):
    """annotation with the dropped classes in it (`list[Price]`,
    `Optional[Price]`, `Annotated[Price, ...]`, `Price | None`) replaced by
    the kept ones; annotation itself when it holds none, or when its shape
    is one this cannot rebuild (the schema check notes what is left)."""
    if depth > 10:
        return annotation
    alias = getattr(types, "GenericAlias", ())  # Python 3.9's list[Price]
    if isinstance(annotation, type) and id(annotation) in kept and not isinstance(annotation, alias):
        return kept[id(annotation)]
    args = getattr(annotation, "__args__", None)
    if not isinstance(args, tuple) or not args:
        return annotation
    swapped = tuple(swap(a, kept, depth + 1) for a in args)
    if all(a is b for a, b in zip(args, swapped)):
        return annotation
    try:
        if alias and isinstance(annotation, alias):  # list[Price]
            return alias(annotation.__origin__, swapped)
        union = getattr(types, "UnionType", None)
        if union is not None and isinstance(annotation, union):  # Price | None
            return functools.reduce(operator.or_, swapped)
        if hasattr(annotation, "copy_with"):  # typing's List[Price], Optional, Union, Annotated
            return annotation.copy_with(swapped if not hasattr(annotation, "__metadata__") else swapped[:1])
    except Exception:  # a shape of alias that takes its arguments otherwise
        pass
    return annotation


def names_dropped(schema, kept):
    """Reports whether a core schema (dicts, lists and tuples) holds one of
    the dropped classes, a method bound to one, or a reference named after
    one (pydantic's refs end in the class's id); True for no schema."""
    if not isinstance(schema, dict):
        return True
    refs = {":%d" % k for k in kept}
    todo, seen = [schema], set()
    while todo:
        value = todo.pop()
        if id(value) in kept or (isinstance(value, str) and ":" in value and value[value.rindex(":"):] in refs):
            return True
        if dropped_method(value, kept):  # a classmethod validator bound to a dropped class
            return True
        if isinstance(value, (dict, list, tuple)) and id(value) not in seen:
            seen.add(id(value))
            todo.extend(value.values() if isinstance(value, dict) else value)
    return False


def dropped_method(value, kept):
    """Reports whether value is a method bound to a dropped class (a
    classmethod validator of the class the run made)."""
    return type(value) is types.MethodType and id(value.__self__) in kept


def holds_dropped_method(func, kept):
    """Reports whether one of func's closure cells holds a method bound to
    a dropped class (the shim pydantic wraps a pydantic 1 style @validator in)."""
    for cell in getattr(func, "__closure__", None) or ():
        try:
            if dropped_method(cell.cell_contents, kept):
                return True
        except ValueError:  # an empty cell
            continue
    return False


def rebound(decorator, cls, kept):
    """The function of a pydantic decorator (a validator) bound to cls, if
    the run bound it to a dropped class; None if it did not."""
    func = getattr(decorator, "func", None)
    if dropped_method(func, kept):
        return types.MethodType(func.__func__, cls)
    shim = getattr(decorator, "shim", None)
    if shim is not None and holds_dropped_method(func, kept):
        return shim(getattr(cls, decorator.cls_var_name))
    return None


def rebound_decorators(cls, kept):
    """cls's validators and serializers (pydantic's DecoratorInfos), those
    bound to a dropped class bound to cls, as a new object; None when none
    was (or pydantic keeps them in another shape)."""
    infos = cls.__dict__.get("__pydantic_decorators__")
    if not dataclasses.is_dataclass(infos) or isinstance(infos, type):
        return None
    changes = {}
    for field in dataclasses.fields(infos):
        table = getattr(infos, field.name, None)
        if not isinstance(table, dict):
            continue
        new = dict(table)
        for name, decorator in table.items():
            func = rebound(decorator, cls, kept)
            if func is not None:
                new[name] = dataclasses.replace(decorator, func=func)
        if any(new[name] is not table[name] for name in table):
            changes[field.name] = new
    return dataclasses.replace(infos, **changes) if changes else None


def is_pydantic_dataclass(value):
    return isinstance(value, type) and "__pydantic_fields__" in value.__dict__ and "__dataclass_fields__" in value.__dict__


def restore_class_dict(cls, before):
    for key in REBUILT:
        value = before.get(key, MISSING)
        if value is MISSING:
            if key in cls.__dict__:
                type.__delattr__(cls, key)
        else:
            type.__setattr__(cls, key, value)


def generic_models():
    """The parametrized generic models pydantic keeps (`Page[Item]`): made
    once, and given back by its cache each time code asks for them again,
    even after the module that defines Page runs again. An empty list if
    the cache is not where pydantic 2 keeps it."""
    generics = sys.modules.get("pydantic._internal._generics")
    cache = getattr(generics, "_GENERIC_TYPES_CACHE", None)
    try:
        return list(cache.values()) if cache is not None else []
    except Exception:  # a cache of another shape, or changed while read
        return []


def ran_again(cls, modules):
    """Reports whether cls is a definition of one of modules, which ran
    again in this save: its schema is new. A parametrized generic model
    (`Page[Item]`) is not, even in a module that ran again (pydantic names
    it after the module that asked for it first, and binds it there): the
    module got it back from pydantic's cache, as it was made then."""
    meta = cls.__dict__.get("__pydantic_generic_metadata__") or {}
    return cls.__module__ in modules and meta.get("origin") is None


class PydanticAdapter(Adapter):
    module = "pydantic"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.updated = []  # model classes updated in place
        self.rules = [(self.is_model_pair, self.update_model)]

    def is_model_pair(self, up, old, new):
        base = base_model()
        return (base is not None and isinstance(old, type) and isinstance(new, type)
                and issubclass(old, base) and issubclass(new, base))

    def update_model(self, up, old, new, where):
        if not is_class(up, old, new):
            return False
        changes = field_changes(fields(old), fields(new))
        if not update_class(up, old, new, where):
            return False
        note_field_changes(up, where, changes, "model_dump()")
        self.updated.append(old)
        return True

    def after_rerun(self, up, modules):
        if not self.updated:
            return
        base = base_model()
        kept = kept_classes(up)
        seen = set()
        compiled = []  # models the run compiled against the classes it made
        models = [v for namespace in user_namespaces(self.workspace) for v in list(namespace.values())]
        for value in models + generic_models():
            if not isinstance(value, type) or id(value) in seen or value is base or id(value) in kept:
                continue
            model = issubclass(value, base)
            if not model and not is_pydantic_dataclass(value):
                continue
            seen.add(id(value))
            if ran_again(value, up.modules):
                compiled.append(value)
            elif model:
                infos = (value.__dict__.get("__pydantic_fields__") or {}).values()
                if any(mentions(info.annotation, self.updated) for info in infos):
                    compiled.append(value)
        # In the order the modules bind them, nested models first as written;
        # a model rebuilt before one it nests takes its stale schema, and
        # is rebuilt again.
        for _ in range(3):
            for cls in compiled:
                self.rebuild(up, cls, kept)
            compiled = [cls for cls in compiled if names_dropped(cls.__dict__.get("__pydantic_core_schema__"), kept)]
            if not compiled:
                return
        for cls in compiled:
            up.note(qualified(cls), "still validates with classes of the code that ran before this save was "
                    "applied (a type hotload could not point at the kept class); its instances may not be the "
                    "class the module binds: restart the runtime", cls)

    def rebuild(self, up, cls, kept):
        """Rebuilds cls's schema, validator and serializer, its field types
        pointed at the classes the save kept and its classmethod validators
        bound to cls, undoably."""
        before = {key: cls.__dict__[key] for key in REBUILT if key in cls.__dict__}
        up.on_undo(restore_class_dict, cls, before)
        fields = cls.__dict__.get("__pydantic_fields__")
        if isinstance(fields, dict):
            pointed = {}
            for name, info in fields.items():
                annotation = swap(info.annotation, kept)
                if annotation is not info.annotation:
                    info = copy.copy(info)
                    info.annotation = annotation
                pointed[name] = info
            type.__setattr__(cls, "__pydantic_fields__", pointed)
        decorators = rebound_decorators(cls, kept)
        if decorators is not None:
            type.__setattr__(cls, "__pydantic_decorators__", decorators)
        if is_pydantic_dataclass(cls):
            sys.modules["pydantic.dataclasses"].rebuild_dataclass(cls, force=True)
        else:
            cls.model_rebuild(force=True)
