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
"""

import sys
import typing

from . import Adapter
from .live import user_namespaces
from .models import field_changes, note_field_changes
from ..update import MISSING
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
        seen = set()
        models = [v for namespace in user_namespaces(self.workspace) for v in list(namespace.values())]
        for value in models + generic_models():
            if (not isinstance(value, type) or id(value) in seen or not issubclass(value, base)
                    or value is base or ran_again(value, up.modules)):
                continue
            seen.add(id(value))
            infos = (value.__dict__.get("__pydantic_fields__") or {}).values()
            if any(mentions(info.annotation, self.updated) for info in infos):
                self.rebuild(up, value)

    def rebuild(self, up, cls):
        before = {key: cls.__dict__[key] for key in REBUILT if key in cls.__dict__}
        up.on_undo(restore_class_dict, cls, before)
        cls.model_rebuild(force=True)
