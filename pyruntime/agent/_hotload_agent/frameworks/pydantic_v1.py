"""pydantic's v1 API (`pydantic.v1`, or pydantic 1.x itself): validators can
be edited, and a model whose fields change says what live instances lack.

- pydantic v1 refuses a second validator with the same qualified name (a
  guard against copy-paste), which is every validator of a module that runs
  again: before modules re-run, their validators' names are forgotten.
- A model updated in place whose fields changed gets a note: instances made
  before the save keep the fields they were made with (pydantic keeps field
  values in each instance's __dict__, out of reach without a heap scan).
"""

import sys

from . import Adapter
from .models import field_changes, note_field_changes
from ..rules import is_class, update_class

# Where the v1 API lives: pydantic 2's compatibility copy, or pydantic 1.x.
PACKAGES = ("pydantic.v1", "pydantic")


def v1_packages():
    """The loaded v1 APIs, as (BaseModel, the set of validator names)."""
    found = []
    for package in PACKAGES:
        validators = sys.modules.get(package + ".class_validators")
        main = sys.modules.get(package + ".main")
        names = getattr(validators, "_FUNCS", None)
        if isinstance(names, set) and main is not None:
            found.append((main.BaseModel, names))
    return found


class PydanticV1Adapter(Adapter):
    module = "pydantic"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_model_pair, self.update_model)]

    def before_run(self, up, module):
        prefix = module.__name__ + "."
        for _, names in v1_packages():
            forgotten = [name for name in names if name.startswith(prefix)]
            for name in forgotten:
                names.discard(name)
            if forgotten:
                up.on_undo(names.update, forgotten)

    def is_model_pair(self, up, old, new):
        if not (isinstance(old, type) and isinstance(new, type)):
            return False
        return any(issubclass(old, base) and issubclass(new, base) for base, _ in v1_packages())

    def update_model(self, up, old, new, where):
        if not is_class(up, old, new):
            return False
        changes = field_changes(v1_fields(old), v1_fields(new))
        if not update_class(up, old, new, where):
            return False
        note_field_changes(up, where, changes, "dict()")
        return True


def v1_fields(cls):
    """{name: (type key, default)} of a v1 model's fields."""
    return {name: (repr(f.outer_type_), f.required, f.default) for name, f in cls.__fields__.items()}
