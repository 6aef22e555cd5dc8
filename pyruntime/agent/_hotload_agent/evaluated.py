"""Definitions an evaluation bound over the module's own.

The user edits a function, selects its def and evaluates it (Evaluate
Selection) to try it, then saves the file. The evaluation bound the
module's name to a new function; the one the module's run made before,
which importers took (`from mathx import scale`), stayed as it was, as
did a class whose instances the program holds. A save updates in place
what the module's names hold: it would update the evaluated object only,
and what took the module's own before the evaluation would run the old
code after the save, where a fresh run of the saved file runs the new.

So an evaluation remembers, per module, each function and class of the
module that its code bound the name of to another definition of that
name (the first one, over several evaluations), and the module's next
run takes it as the old object of its name (Update.run): the run updates
it in place and binds it, as if the evaluation had not happened. The
evaluated object stays as it was. A save that stands forgets them; one
rolled back keeps them for the next.
"""

import types

from .update import same_definition


def definitions(module):
    """{name: object} of the functions and classes of module's own that
    its namespace binds, and the wrappers of its functions that say what
    they wrap (`functools.lru_cache`, `functools.wraps`)."""
    name = module.__name__
    return {key: value for key, value in list(module.__dict__.items())
            if (isinstance(value, (types.FunctionType, type)) or wraps(value))
            and getattr(value, "__module__", None) == name}


def wraps(value):
    try:
        return isinstance(getattr(value, "__wrapped__", None), types.FunctionType)
    except Exception:  # an object whose attributes raise
        return False


def remember(workspace, module, before):
    """Records in workspace, after code ran in module's namespace, the
    definitions of before (definitions' result from before it ran) whose
    name the code bound to another definition of that name."""
    namespace = module.__dict__
    for key, old in before.items():
        new = namespace.get(key)
        if new is not old and type(new) is type(old) and same_definition(old, new):
            workspace.evaluated_over.setdefault(module.__name__, {}).setdefault(key, old)


def taken_over(workspace, name, before):
    """{key: (the evaluated object before holds, the module's own it was
    evaluated over)} for module name, whose namespace before the run
    before copies."""
    over = workspace.evaluated_over.get(name) or {}
    return {key: (before[key], old) for key, old in over.items()
            if key in before and before[key] is not old and same_definition(old, before[key])}
