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
- A TypeAdapter, and a @validate_call function, at module level or in a
  class of the user's modules, compiled its validator once: against the
  classes the run made if its module ran again, against a model's code
  before the save otherwise. Those whose types name a class the save kept
  or updated in place (or a model rebuilt here) are built again against
  the kept classes, undoably.
"""

import copy
import dataclasses
import functools
import operator
import sys
import types
import typing

from . import Adapter
from .live import binding_line, user_namespaces
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


# What a TypeAdapter's rebuild sets, and a @validate_call wrapper's,
# restored on rollback.
ADAPTER_STATE = ("core_schema", "validator", "serializer", "pydantic_complete")
CALL_STATE = ("__pydantic_validator__", "__return_pydantic_validator__", "__pydantic_complete__")


def saved(obj, names):
    """{name: value} of obj's attributes names, MISSING for those unset."""
    return {name: getattr(obj, name, MISSING) for name in names}


def restore(obj, before):
    for name, value in before.items():
        if value is not MISSING:
            setattr(obj, name, value)
        elif hasattr(obj, name):
            delattr(obj, name)


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


def adapter_type():
    """pydantic's TypeAdapter class; None before pydantic 2 loaded it."""
    return getattr(sys.modules.get("pydantic.type_adapter"), "TypeAdapter", None)


def call_wrapper(value):
    """The validator object a @validate_call function calls (pydantic's
    ValidateCallWrapper, held in the wrapper's closure), or None if value
    is not one."""
    if type(value) is not types.FunctionType or "raw_function" not in value.__dict__:
        return None
    kind = getattr(sys.modules.get("pydantic._internal._validate_call"), "ValidateCallWrapper", None)
    for cell in value.__closure__ or ():
        try:
            wrapper = getattr(cell.cell_contents, "__self__", None)
        except ValueError:  # an empty cell
            continue
        if kind is not None and isinstance(wrapper, kind):
            return wrapper
    return None


def validating(namespace, adapter):
    """[(where, value, owner)] of the TypeAdapters and @validate_call
    functions namespace binds, and those in the bodies of the classes it
    defines: where names them, owner is the class that holds one or None.
    adapter is pydantic's TypeAdapter class (None: none is loaded)."""
    def validates(value):
        return (adapter is not None and isinstance(value, adapter)) or call_wrapper(value) is not None

    module = namespace.get("__name__")
    found = []
    for name, value in list(namespace.items()):
        if validates(value):
            found.append(("%s.%s" % (module, name), value, None))
        elif isinstance(value, type) and value.__module__ == module and value.__qualname__ == name:
            found += [("%s.%s.%s" % (module, name, key), attr, value)
                      for key, attr in list(value.__dict__.items()) if validates(attr)]
    return found


def annotations(function):
    """function's annotations as values ({} if they cannot be evaluated)."""
    try:
        return dict(function.__annotations__ or {})
    except Exception:  # Python 3.14's __annotate__ naming what is not bound
        return {}


def rebuild_adapter(up, adapter, namespace, kept, changed):
    """Builds a TypeAdapter's validator again, undoably, if its schema
    names one of changed ({id: class}: the dropped, updated and rebuilt
    classes). Its type names the kept classes already (the run bound each
    class as it was defined); the schema of each was the dropped one's.
    namespace is the module's that binds it, where the type's names are
    found. Returns whether the adapter names no dropped class now."""
    schema = adapter.__dict__.get("core_schema")
    if not isinstance(schema, dict) or not names_dropped(schema, changed):
        return True  # not built yet (defer_build: built on first use), or from classes the save left alone
    up.on_undo(restore, adapter, saved(adapter, ADAPTER_STATE))
    adapter.rebuild(force=True, _types_namespace=namespace)
    return not names_dropped(adapter.core_schema, kept)


def called(wrapper):
    """The function a ValidateCallWrapper validates the calls of (inside
    its functools.partial, if it is one)."""
    return getattr(wrapper, "schema_type", None) or wrapper.function


def rebuild_call(up, wrapper, changed):
    """Builds a @validate_call function's validator again, undoably, if
    its annotations name one of changed (see rebuild_adapter). Returns
    True."""
    function = called(wrapper)
    classes = list(changed.values())
    if not any(mentions(a, classes) for a in annotations(function).values()):
        return True
    up.on_undo(restore, wrapper, saved(wrapper, CALL_STATE))
    wrapper._create_validators()
    return True


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
        namespaces = list(user_namespaces(self.workspace))
        models = [v for namespace in namespaces for v in list(namespace.values())]
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
        self.rebuild_models(up, compiled, kept)
        # A validator compiled against a class the save kept, updated or
        # rebuilt here holds what that class validated before.
        changed = dict(kept)
        changed.update((id(cls), cls) for cls in self.updated + compiled)
        adapter = adapter_type()
        for namespace in namespaces:
            for where, value, owner in validating(namespace, adapter):
                if id(value) not in seen:  # one imported elsewhere too
                    seen.add(id(value))
                    self.rebuild_validating(up, where, value, owner, namespace, kept, changed)

    def rebuild_models(self, up, compiled, kept):
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

    def rebuild_validating(self, up, where, value, owner, namespace, kept, changed):
        """Builds a TypeAdapter's or a @validate_call function's validator
        again (see rebuild_adapter, rebuild_call); a note if it cannot."""
        wrapper = call_wrapper(value)
        try:
            if wrapper is not None:
                done = rebuild_call(up, wrapper, changed)
            else:
                done = rebuild_adapter(up, value, namespace, kept, changed)
        except Exception:  # a pydantic without these methods, or a type that no longer builds
            done = False
        if done:
            return
        if wrapper is not None:
            place = called(wrapper)
        else:
            place = owner or binding_line(sys.modules.get(namespace.get("__name__")), where.rpartition(".")[2])
        up.note(where, "still validates with the classes of the code that ran before this save was applied "
                "(hotload could not build its validator again); it may give instances of a class the module "
                "no longer binds: make it again, or restart the runtime", place)

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
