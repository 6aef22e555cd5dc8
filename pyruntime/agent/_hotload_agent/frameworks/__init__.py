"""Framework adapters: what a save must also do for code built on a framework.

The core (update, rules, ops) knows no framework. An adapter knows one: its
registries, route tables, mappers and generated methods, and how a save
must treat them so that the running program behaves as a fresh run of the
new code would, or the editor is told (a note) what does not.

Each adapter is a small module in this folder with one class deriving from
Adapter, listed in ADAPTERS. It is inert until its framework is imported:
active() returns only those whose top-level module is in sys.modules, and an
adapter imports nothing of its framework at load time.

Every change an adapter makes to an object that existed before the save goes
through the Update's undo log (up.set_attr, up.on_undo, ...), so a failed
save rolls it back with everything else.
"""

import sys


class Adapter:
    """One framework's part in a save. Every hook is optional.

    An instance lives for one save, so what before_rerun finds (the apps it
    unlocked, say) is still there for after_rerun and for its rules.

    A save runs the saved module, then each importer that must re-run
    (one that takes from a module that ran a name that now refers to a
    different object or value, see importers.py): which importers run is
    known only as the save goes, so before_run and after_run are called
    around each module's run, before_rerun once before the first.

    What the Update offers adapters (see update.py): up.set_attr,
    up.set_class_attr, up.del_class_attr, up.set_cell and up.on_undo log an
    undo step, so a failed save rolls the change back; up.on_commit(fn,
    *args) runs fn once the whole save stands (for what cannot be undone);
    up.note(where, text, obj) tells the editor, as a Warning on obj's line
    (a function, a class of a module that ran, or a (file, line) pair);
    up.resolve(old, new) updates old in place from new when a rule allows;
    up.claimed maps id(old) to the new object old took the definition of;
    up.changes[module name].rebound are the names a module's run rebound;
    up.manage(obj) says the adapter keeps obj's registries as a fresh run
    would (no note that they grew while a module ran again).
    """

    # The framework's top-level module; the adapter is active once it is imported.
    module = ""
    # Update rules [(applies, update)] tried before the core's UPDATE_RULES,
    # with the same signatures (see rules.py). Bound methods are fine.
    rules = ()

    def __init__(self, workspace=None):
        # The user's loaded modules (graph.Workspace), where live framework
        # objects (apps, routers, command groups) are found without a heap
        # scan; None finds none.
        self.workspace = workspace

    def before_rerun(self, up, modules):
        """Called once before a save runs anything (modules: the saved
        module's object, in a list), after it compiled."""

    def before_run(self, up, module):
        """Called just before a loaded module's code runs again: the saved
        module, then each importer that must re-run."""

    def after_run(self, up, module):
        """Called just after that module's code ran without an exception,
        its definitions bound to the old objects updated in place."""

    def after_rerun(self, up, modules):
        """Called after every module of the save ran without an exception
        (modules: those that ran, in order), and the core made registries
        agree with the modules (Update.reconcile)."""

    def files_changed(self, paths):
        """Called, apart from any save, when files of the workspace that
        are not Python code changed (paths: absolute), a template saved:
        what the framework keeps of them (compiled templates) must go, as
        a fresh run would read them again. Returns short texts of what
        went, for the log; () when none of paths concerns it. Cheap when
        it does not: every such file's change comes here."""
        return ()


# The adapters, in the order their hooks run.
ADAPTERS = []


def active(workspace=None):
    """The adapters whose framework is imported, as instances for one save:
    not a project's own file of the framework's name (a logging.py of
    yours, imported as logging: see shadowed.py). Run on every save, so
    the cheap tests come first: most frameworks are not loaded, and the
    loaded ones are in no folder of the workspace."""
    roots = workspace.roots if workspace is not None else ()
    found = []
    for cls in ADAPTERS:
        module = sys.modules.get(cls.module)
        if module is None:
            continue
        file = getattr(module, "__file__", None)
        if roots and isinstance(file, str) and file.startswith(roots) and workspace.user_file(module):
            continue
        found.append(cls(workspace))
    return found


# Each adapter module imports Adapter from this one, so they come last.
from .atexit import AtexitAdapter  # noqa: E402
from .attrs import AttrsAdapter  # noqa: E402
from .click import ClickAdapter  # noqa: E402
from .codecs import CodecsAdapter  # noqa: E402
from .dataclasses import DataclassesAdapter  # noqa: E402
from .django import DjangoAdapter  # noqa: E402
from .enum import EnumAdapter  # noqa: E402
from .flask import FlaskAdapter  # noqa: E402
from .functools import FunctoolsAdapter  # noqa: E402
from .logging import LoggingAdapter  # noqa: E402
from .pandas import PandasAdapter  # noqa: E402
from .pydantic import PydanticAdapter  # noqa: E402
from .pydantic_v1 import PydanticV1Adapter  # noqa: E402
from .sqlalchemy import SQLAlchemyAdapter  # noqa: E402
from .starlette import StarletteAdapter  # noqa: E402
from .threading import ThreadingAdapter  # noqa: E402

# Pydantic before Starlette: FastAPI routes a save made take the models it rebuilt.
ADAPTERS += [FlaskAdapter, PydanticAdapter, PydanticV1Adapter, StarletteAdapter, SQLAlchemyAdapter,
             AttrsAdapter, DataclassesAdapter, EnumAdapter, ClickAdapter, LoggingAdapter, PandasAdapter,
             FunctoolsAdapter, DjangoAdapter, AtexitAdapter, CodecsAdapter, ThreadingAdapter]
