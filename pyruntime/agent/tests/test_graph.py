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
