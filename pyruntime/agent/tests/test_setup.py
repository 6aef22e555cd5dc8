"""setup names the workspace files the preloads loaded: the zygote holds
them as they were at its start, and a save of one of them starts a new
zygote."""

import os
import sys
import uuid

from _hotload_agent import ops
from _hotload_agent.graph import Workspace
from _hotload_agent.reads import Reads


class Agent:
    attached = False
    loaded_before = frozenset()
    app = None


def test_setup_names_the_workspace_files_the_preloads_loaded(tmp_path):
    prefix = "s" + uuid.uuid4().hex[:8] + "_"
    (tmp_path / (prefix + "data.py")).write_text(f"import {prefix}helper\nimport json\nDATA = [1]\n")
    (tmp_path / (prefix + "helper.py")).write_text("TAG = 'h1'\n")
    (tmp_path / (prefix + "other.py")).write_text("X = 1\n")
    agent = Agent()
    agent.workspace = Workspace()
    try:
        reply = ops.op_setup(agent, {"sys_path": [str(tmp_path)], "workspace_roots": [str(tmp_path)], "preload": [prefix + "data"]})
    finally:
        sys.path.remove(str(tmp_path))
    assert reply["preload_errors"] == {}
    assert reply["preloaded_files"] == sorted([str(tmp_path / (prefix + "data.py")), str(tmp_path / (prefix + "helper.py"))])
    # With their mtimes, so that the server sees one changed outside the editor.
    assert reply["preloaded_mtimes"] == {f: os.stat(f).st_mtime_ns for f in reply["preloaded_files"]}


def test_setup_without_preloads_names_no_file(tmp_path):
    agent = Agent()
    agent.workspace = Workspace()
    try:
        reply = ops.op_setup(agent, {"sys_path": [str(tmp_path)], "workspace_roots": [str(tmp_path)]})
    finally:
        sys.path.remove(str(tmp_path))
    assert reply["preloaded_files"] == []


def test_setup_says_what_the_preloads_read_as_they_ran(tmp_path):
    """A preload that reads a settings file as it imports: the server
    watches the file, and sees it changed outside the editor by its mtime."""
    prefix = "s" + uuid.uuid4().hex[:8] + "_"
    settings = tmp_path / "settings.json"
    settings.write_text('{"v": 0}')
    (tmp_path / (prefix + "cfg.py")).write_text(
        "import json, os\nSETTINGS = json.load(open(os.path.join(os.path.dirname(__file__), 'settings.json')))\n")
    agent = Agent()
    agent.workspace = Workspace()
    agent.reads = Reads()
    try:
        reply = ops.op_setup(agent, {"sys_path": [str(tmp_path)], "workspace_roots": [str(tmp_path)], "preload": [prefix + "cfg"]})
    finally:
        sys.path.remove(str(tmp_path))
    cfg = str(tmp_path / (prefix + "cfg.py"))
    assert reply["data_reads"] == [{"module": prefix + "cfg", "file": cfg, "data": [str(settings)]}]
    assert reply["preloaded_mtimes"] == {cfg: os.stat(cfg).st_mtime_ns, str(settings): os.stat(settings).st_mtime_ns}


def test_setup_names_a_preload_of_the_workspace_that_failed(tmp_path):
    """Held too: fixed, it starts a zygote that imports it."""
    prefix = "s" + uuid.uuid4().hex[:8] + "_"
    (tmp_path / (prefix + "data.py")).write_text("DATA = [\n")
    agent = Agent()
    agent.workspace = Workspace()
    try:
        reply = ops.op_setup(agent, {"sys_path": [str(tmp_path)], "workspace_roots": [str(tmp_path)],
                                     "preload": [prefix + "data", "no_such_module_" + prefix]})
    finally:
        sys.path.remove(str(tmp_path))
    assert set(reply["preload_errors"]) == {prefix + "data", "no_such_module_" + prefix}
    assert reply["preloaded_files"] == [str(tmp_path / (prefix + "data.py"))]
