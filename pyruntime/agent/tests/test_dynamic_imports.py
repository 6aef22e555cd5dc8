"""Modules imported by a name computed at run time (dynamic.py)."""

import sys


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
