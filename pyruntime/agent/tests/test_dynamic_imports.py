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


@pytest.mark.parametrize("importer", [
    "from M_core import VALUE\n\ndef value():\n    return VALUE\n",  # re-runs: VALUE rebound in it
    "import M_core\n\ndef value():\n    return M_core.VALUE\n",  # reads it late: changed in place
])
def test_a_loader_that_keeps_the_modules_it_imported_by_name_but_uses_none_does_not_re_run(project, importer):
    """`mods = [importlib.import_module(n) for n in names]`: the list holds
    the same modules after their save, with their names as they are now."""
    project.save("core", "VALUE = 1\n")
    project.save("plugin", importer)
    del sys.modules[project.name("plugin")]
    project.agent.workspace.ran.pop(project.name("plugin"), None)
    project.save("loader", "import importlib\n\nMODS = [importlib.import_module(n) for n in ['M_plugin']]\n")
    reply = project.save("core", "VALUE = 2\n")
    assert project.name("loader") not in reply["reloaded"]
    assert project.module("loader").MODS[0].value() == 2


@pytest.mark.parametrize("source, uses", [
    ("MODS = [importlib.import_module(n) for n in names]\n", False),
    ("MODS = {n: importlib.import_module(n) for n in sorted(names)}\n", False),
    ("mod = importlib.import_module(n)\nX = mod.X\n", True),
    ("mod = importlib.import_module(n)\nmod.setup()\n", True),
    ("MODS = [importlib.import_module(n) for n in names]\nregister(MODS)\n", True),
    ("X = __import__(n).X\n", True),
])
def test_a_shape_tells_whether_its_code_at_import_uses_what_it_imported_by_name(source, uses):
    source = ("import importlib\nnames, n = [], 'json'\n" + source).encode()
    shape = Shape("app", "/w/app.py", parse(source, "/w/app.py"), source)
    assert shape.uses_beyond is uses
