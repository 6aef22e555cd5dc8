"""The import graph: resolving relative imports and ordering importers."""

import os
import sys
import types

import pytest

from _hotload_agent.files import stat_version
from _hotload_agent.graph import Workspace, strongly_connected
from _hotload_agent.shape import absolute_module


@pytest.mark.parametrize("package, module, level, want", [
    ("", "os", 0, "os"),
    ("pkg", "mod", 1, "pkg.mod"),
    ("pkg.sub", "mod", 2, "pkg.mod"),
    ("pkg.sub", None, 1, "pkg.sub"),
    ("pkg", "mod", 3, None),  # beyond the top-level package
])
def test_absolute_module(package, module, level, want):
    assert absolute_module(package, module, level) == want


def test_strongly_connected_puts_each_component_after_what_it_imports():
    edges = {"a": ["b"], "b": ["c"], "c": ["b"], "d": []}
    found = strongly_connected(["a", "b", "c", "d"], edges)
    assert sorted(map(sorted, found)) == [["a"], ["b", "c"], ["d"]]
    order = [sorted(c) for c in found]
    assert order.index(["b", "c"]) < order.index(["a"])


def test_a_module_the_users_code_imported_is_noted_with_the_version_of_its_source(tmp_path, monkeypatch):
    path = tmp_path / "noted.py"
    path.write_bytes(b"import json\r\nvalue = 1\r\n")  # CRLF stays as written
    module = types.ModuleType("noted")
    module.__file__ = str(path)
    monkeypatch.setitem(sys.modules, "noted", module)
    workspace = Workspace()
    workspace.add_roots([str(tmp_path)])

    workspace.note_loaded()

    ran = workspace.ran["noted"]
    assert (ran.module, ran.path) == (module, str(path))
    assert ran.source == b"import json\r\nvalue = 1\r\n"
    assert ran.version == stat_version(os.stat(path))
    assert "json" in ran.imports()  # read from that source


def test_a_loaded_module_whose_file_is_gone_is_not_noted(tmp_path, monkeypatch):
    module = types.ModuleType("vanished")
    module.__file__ = str(tmp_path / "vanished.py")
    monkeypatch.setitem(sys.modules, "vanished", module)
    workspace = Workspace()
    workspace.add_roots([str(tmp_path)])

    workspace.note_loaded()

    assert "vanished" not in workspace.ran



REGISTRY = "PLUGINS = []\n\n\ndef register(name):\n    PLUGINS.append(%s)\n"


def write(project, short, source):
    (project.dir / project.file(short)).write_text(source.replace("M_", project.prefix))


def test_independent_importers_run_again_in_the_order_the_program_imported_them(project):
    write(project, "registry", REGISTRY % "name")
    write(project, "b_plugin", "from M_registry import register\n\nregister('b')\n")
    write(project, "a_plugin", "from M_registry import register\n\nregister('a')\n")
    project.save("main", "import M_registry\nimport M_b_plugin\nimport M_a_plugin\n")

    reply = project.save("registry", REGISTRY % "name.upper()")

    assert project.module("registry").PLUGINS == ["B", "A"]  # as a fresh run of main registers them
    assert reply["reloaded"][:3] == [project.name(n) for n in ("registry", "b_plugin", "a_plugin")]


def test_an_importer_imported_first_still_runs_after_the_modules_it_imports(project):
    write(project, "registry", REGISTRY % "name")
    write(project, "b_plugin", "import M_a_plugin\nfrom M_registry import register\n\nregister('b')\n")
    write(project, "a_plugin", "from M_registry import register\n\nregister('a')\n")
    project.save("main", "import M_registry\nimport M_b_plugin\nimport M_a_plugin\n")

    project.save("registry", REGISTRY % "name.upper()")

    assert project.module("registry").PLUGINS == ["A", "B"]  # b imports a before it registers, as in a fresh run
