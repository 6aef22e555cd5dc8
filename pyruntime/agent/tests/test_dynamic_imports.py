"""Modules imported by a name computed at run time (dynamic.py)."""

import sys

import pytest

from _hotload_agent.shape import Shape
from _hotload_agent.source import parse


def test_a_module_no_longer_imported_by_name_leaves(project):
    project.save("sqlite", "NAME = 'sqlite'\n")
    project.save("memory", "NAME = 'memory'\n")
    for short in ("sqlite", "memory"):  # loaded by the importer's run, as a fresh run loads them
        del sys.modules[project.name(short)]
        project.agent.workspace.ran.pop(project.name(short), None)
    source = "import importlib\n\nbackend = importlib.import_module('M_%s')\n"
    project.save("app", source % "sqlite")
    project.module("sqlite").marked = True
    project.save("app", source % "sqlite")
    assert project.module("sqlite").marked  # imported again: handed back, not run again
    project.save("app", source % "memory")
    assert project.name("sqlite") not in sys.modules
    assert project.module("app").backend.NAME == "memory"


def test_a_module_a_static_import_loads_is_not_one_by_name(project):
    (project.dir / project.file("lib")).write_text("import {0}dep\n".format(project.prefix))
    (project.dir / project.file("dep")).write_text("X = 1\n")
    project.save("app", "import importlib\nimport M_lib\n\nEXTRA = importlib.import_module('json')\n")
    assert project.name("dep") not in project.agent.workspace.dynamic.get(project.name("app"), ())


def test_an_importer_that_keeps_the_module_re_runs(project):
    project.save("ser", "def dump(x):\n    return 'v1:%s' % x\n")
    del sys.modules[project.name("ser")]
    project.agent.workspace.ran.pop(project.name("ser"), None)
    project.save("codec", "mod = __import__('M_ser')\nSAMPLE = mod.dump(0)\n")
    reply = project.save("ser", "def dump(x):\n    return 'v2:%s' % x\n")
    assert reply["reloaded"] == [project.name("ser"), project.name("codec")]
    assert project.module("codec").SAMPLE == "v2:0"


def test_a_loader_that_imports_by_name_for_the_effect_only_does_not_re_run(project):
    """A loop importing every plugin by name keeps none of them: a save of
    one re-runs the loader no more than a fresh run's would need."""
    project.save("plugin", "X = 1\n")
    del sys.modules[project.name("plugin")]
    project.agent.workspace.ran.pop(project.name("plugin"), None)
    project.save("loader", "import importlib\n\nfor _name in ['M_plugin']:\n    importlib.import_module(_name)\n")
    reply = project.save("plugin", "X = 2\n")
    assert reply["reloaded"] == [project.name("plugin")]


@pytest.mark.parametrize("source, keeps", [
    ("importlib.import_module(n)\n", False),
    ("for n in names:\n    importlib.import_module(n)\n", False),
    ("if names:\n    __import__(names[0])\n", False),
    ("mod = importlib.import_module(n)\n", True),
    ("for n in names:\n    MODS[n] = importlib.import_module(n)\n", True),
    ("__import__(n).setup()\n", True),
])
def test_a_shape_tells_an_import_by_name_kept_from_one_for_its_effect(source, keeps):
    source = ("import importlib\nnames, n, MODS = [], 'json', {}\n" + source).encode()
    shape = Shape("app", "/w/app.py", parse(source, "/w/app.py"), source)
    assert shape.keeps_by_name is keeps
