"""The adapters' pure parts: ownership, registry filtering, change descriptions."""

import collections
import functools
import types

import pytest

from _hotload_agent.frameworks import ADAPTERS, active
from _hotload_agent.frameworks.flask import in_scopes, without
from _hotload_agent.frameworks.live import binding_line, owner
from _hotload_agent.frameworks.models import field_changes
from _hotload_agent.frameworks.sqlalchemy import describe_change


def made_in(module):
    f = types.FunctionType((lambda: None).__code__, {"__name__": module})
    f.__module__ = module
    return f


def test_every_adapter_names_its_framework_and_none_is_imported_by_the_agent():
    import sys

    for cls in ADAPTERS:
        assert cls.module, cls
    # The agent imports no framework: only those already imported are active.
    assert {type(a).__name__ for a in active()} == {c.__name__ for c in ADAPTERS if c.module in sys.modules}


@pytest.mark.parametrize("wrap", [
    lambda f: f,
    lambda f: functools.partial(f, 1),
    lambda f: functools.partial(functools.partial(f, 1), 2),
    lambda f: types.MethodType(f, object()),
])
def test_owner_looks_through_wrappers(wrap):
    assert owner(wrap(made_in("views"))) == "views"


def test_owner_of_something_without_a_module():
    assert owner(object()) is None


def test_binding_line_finds_the_assignment(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("import x\n\nbp: Blueprint = Blueprint('bp')\nbp == 1\n")
    module = types.SimpleNamespace(__file__=str(path))
    assert binding_line(module, "bp") == (str(path), 3)
    assert binding_line(module, "missing") is None


def test_without_drops_owned_functions_and_scopes_keeping_defaultdicts():
    mine, theirs = made_in("views"), made_in("other")
    registry = collections.defaultdict(list, {None: [mine, theirs], "shop": [theirs], "shop.sub": [theirs]})
    kept = without(registry, lambda f: owner(f) == "views", scopes={"shop"})
    assert dict(kept) == {None: [theirs]}
    assert kept.default_factory is list
    assert dict(registry) == {None: [mine, theirs], "shop": [theirs], "shop.sub": [theirs]}  # untouched


@pytest.mark.parametrize("key, scopes, want", [
    ("shop.index", {"shop"}, True),
    ("shop", {"shop"}, True),
    ("shopping.index", {"shop"}, False),
    (None, {"shop"}, False),
])
def test_in_scopes(key, scopes, want):
    assert in_scopes(key, scopes) is want


def test_field_changes():
    assert field_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == (["c"], [], ["b"])
    assert field_changes({"a": 1}, {}) == ([], ["a"], [])


def test_describe_change_separates_table_from_mapper_changes():
    base = {"table": "users", "columns": [("id",), ("name",)], "properties": [("id", ("ColumnProperty", ["id"]))],
            "validators": [], "inherits": None, "polymorphic_identity": "None"}
    added = dict(base, columns=[("id",), ("name",), ("age",)])
    assert describe_change(base, added) == ("column 'age' added", True)
    validated = dict(base, validators=[("name", "check")])
    assert describe_change(base, validated) == ("its @validates methods changed", False)
    # A Python-side default is the mapper's: the table stays as it was.
    status = ("status", "String(length=10)", False, False, None, None, [], "draft", None, "edited", None, None)
    defaulted = dict(base, columns=[("id",), status])
    renewed = dict(base, columns=[("id",), status[:7] + ("new",) + status[8:]])
    assert describe_change(defaulted, renewed) == ("the default of column 'status' changed", False)
    updated = dict(base, columns=[("id",), status[:9] + ("changed",) + status[10:]])
    assert describe_change(defaulted, updated) == ("the onupdate value of column 'status' changed", False)
    served = dict(base, columns=[("id",), status[:8] + ("now()",) + status[9:]])
    assert describe_change(defaulted, served) == ("column 'status' changed", True)


def test_touches_sees_a_framework_in_what_a_module_holds():
    import logging
    from _hotload_agent.frameworks.live import touches

    plain = types.ModuleType("plain")
    plain.x, plain.f = 1, (lambda: None)
    assert not touches(plain, ("logging",))
    for value in (logging, logging.getLogger("t"), logging.getLogger, logging.Handler):
        holder = types.ModuleType("holder")
        holder.value = value
        assert touches(holder, ("logging",)), value
    sub = types.ModuleType("sub")
    sub.Custom = type("Custom", (logging.Handler,), {})  # a user class on a framework's
    assert touches(sub, ("logging",))
    assert not touches(sub, ("log",))  # a prefix is a whole package name


@pytest.mark.parametrize("args, want", [
    ("thr=0.5", [0.6, 0.9]),  # the same arguments: nothing re-runs
    ("thr=0.25", [0.3, 0.6, 0.9]),  # other arguments: the importer that called it runs again
])
def test_a_partial_given_other_arguments_reruns_the_importers_that_called_it(project, args, want):
    steps = "import functools\n\ndef drop_below(xs, thr):\n    return [x for x in xs if x >= thr]\n\nstrict = functools.partial(drop_below, %s)\n"
    project.save("steps", steps % "thr=0.5")
    project.save("report", "import M_steps\n\nKEPT = M_steps.strict([0.1, 0.3, 0.6, 0.9])\n")
    reply = project.save("steps", steps % args)
    assert project.module("report").KEPT == want
    assert (project.name("report") in reply["reloaded"]) == (args != "thr=0.5")
