"""Two folders that are not packages, each with a module of the same name
(`a/tool.py`, `b/tool.py`): `python a/main.py` and `python b/main.py`
each import their own folder's. A save or evaluation of a file lets its
folder hold the names it provides; the other folder's modules are set
aside with their state, and come back when a file of theirs runs."""

import os
import sys
import uuid

import pytest

from _hotload_agent import ops
from _hotload_agent.hover import Inspector
from _hotload_agent.graph import Workspace


class Folders:
    """Folders a/, b/ and shared/ under one workspace root, each on
    sys.path as the server puts a file's folder there. Module names start
    with a prefix of their own (sys.modules is shared by the tests); M_ in
    a source stands for it."""

    class Agent:
        attached = False
        loaded_before = frozenset()  # what Python loaded before the agent (shadowed.py)
        app = None

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.prefix = "f" + uuid.uuid4().hex[:8] + "_"
        self.agent = self.Agent()
        self.agent.workspace = Workspace()
        self.sys_path = list(sys.path)
        ops.op_setup(self.agent, {"workspace_roots": [str(tmp_path)]})

    def path(self, rel):
        """The file of rel, "folder/module path": its first part under the
        folder takes the prefix."""
        folder, _, inside = rel.partition("/")
        return os.path.join(str(self.dir), folder, self.prefix + inside)

    def name(self, rel):
        inside = rel.partition("/")[2][:-3]
        if inside.endswith("/__init__"):
            inside = inside[: -len("/__init__")]
        return self.prefix + inside.replace("/", ".")

    def entry(self, rel):
        return os.path.join(str(self.dir), rel.partition("/")[0])

    def write(self, rel, source):
        path = self.path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(source.replace("M_", self.prefix))
        return path

    def request(self, rel, **extra):
        path = self.path(rel)
        msg = {"module": self.name(rel), "path": path, "path_entry": self.entry(rel)}
        msg.update(extra)
        return msg

    def save(self, rel, source=None, fails=False):
        if source is not None:
            self.write(rel, source)
        reply = ops.op_reload(self.agent, self.request(rel))
        assert bool(reply.get("error")) == fails, reply.get("error")
        return reply

    def evaluate(self, rel, code):
        reply = ops.op_evaluate(self.agent, self.request(rel, code=code))
        assert not reply.get("error"), reply["error"]["text"]
        return reply

    def value(self, rel, code):
        return self.evaluate(rel, code)["value"]

    def close(self):
        sys.path[:] = self.sys_path
        for name in [n for n in sys.modules if n.startswith(self.prefix)]:
            del sys.modules[name]


@pytest.fixture
def folders(tmp_path):
    f = Folders(tmp_path)
    f.write("a/tool.py", "NAME = 'a'\n")
    f.write("a/main.py", "from M_tool import NAME\ncount = 0\n")
    f.write("b/tool.py", "NAME = 'b'\n")
    f.write("b/main.py", "from M_tool import NAME\n")
    yield f
    f.close()


def test_each_folders_file_imports_its_own_neighbour(folders):
    folders.save("a/main.py")
    assert folders.value("a/main.py", "NAME") == "'a'"
    reply = folders.save("b/main.py")
    assert folders.value("b/main.py", "NAME") == "'b'"  # not a/tool.py's, which was loaded
    assert sorted(reply["set_aside"]) == [folders.path("a/main.py"), folders.path("a/tool.py")]
    assert "notes" not in reply
    assert sys.modules[folders.name("a/tool.py")].__file__ == folders.path("b/tool.py")


def test_a_folder_set_aside_comes_back_with_its_state(folders):
    folders.save("a/main.py")
    folders.evaluate("a/main.py", "count += 5")
    folders.save("b/main.py")
    reply = folders.evaluate("a/main.py", "count")
    assert reply["value"] == "5"  # the same module object, not a fresh import of a/main.py
    assert sorted(reply["set_aside"]) == [folders.path("b/main.py"), folders.path("b/tool.py")]
    assert folders.value("a/main.py", "NAME") == "'a'"
    assert folders.value("b/main.py", "NAME") == "'b'"


def test_a_hover_shows_a_set_aside_modules_values(folders):
    folders.save("a/main.py")
    folders.evaluate("a/main.py", "count += 5")
    folders.save("b/main.py")
    found = Inspector(folders.agent).lookup(
        {"module": folders.name("a/main.py"), "path": folders.path("a/main.py"), "expr": "count"})
    assert found is not None and found[0]["count"] == 5
    assert folders.name("a/main.py") not in sys.modules or (
        sys.modules[folders.name("a/main.py")].__file__ == folders.path("b/main.py"))  # the hover swapped nothing


def test_a_save_of_a_set_aside_module_reruns_its_folders_importers(folders):
    folders.save("a/main.py")
    folders.save("b/main.py")
    reply = folders.save("a/tool.py", "NAME = 'a2'\n")
    assert reply["reloaded"] == [folders.name("a/tool.py"), folders.name("a/main.py")]
    assert folders.value("a/main.py", "NAME") == "'a2'"
    assert folders.value("b/main.py", "NAME") == "'b'"  # b's program never saw a's tool


def test_a_package_goes_aside_with_its_submodules(folders):
    for folder in "ab":
        folders.write(folder + "/util/__init__.py", "")
        folders.write(folder + "/util/fmt.py", "WHO = %r\n" % folder)
        folders.write(folder + "/report.py", "from M_util.fmt import WHO\n")
    util = folders.prefix + "util"
    folders.save("a/report.py")
    reply = folders.save("b/report.py")
    assert folders.value("b/report.py", "WHO") == "'b'"
    assert sorted(reply["set_aside"]) == sorted(
        folders.path(p) for p in ("a/report.py", "a/util/__init__.py", "a/util/fmt.py"))
    assert sys.modules[util + ".fmt"].__file__ == folders.path("b/util/fmt.py")
    folders.evaluate("a/report.py", "1")
    assert sys.modules[util + ".fmt"].__file__ == folders.path("a/util/fmt.py")
    assert sys.modules[util].fmt is sys.modules[util + ".fmt"]


def test_a_shared_module_that_imported_a_set_aside_module_is_noted(folders):
    folders.write("shared/common.py", "import M_tool\n\ndef who():\n    return M_tool.NAME\n")
    folders.write("a/main.py", "import M_common\n")
    sys.path.append(os.path.join(str(folders.dir), "shared"))
    folders.save("a/main.py")
    reply = folders.save("b/main.py", "import M_tool\n")
    common = folders.name("shared/common.py")
    notes = [n for n in reply.get("notes", []) if n["text"].startswith(common + ":")]
    assert len(notes) == 1, reply.get("notes")
    assert notes[0]["file"] == folders.path("shared/common.py") and notes[0]["line"] == 1
    assert notes[0]["until"] == common
    assert "until it runs again: save " in notes[0]["text"]
    assert "main.py" not in notes[0]["text"]  # it names the module it took, not every one set aside
    assert folders.value("shared/common.py", "who()") == "'a'"  # as the note says


def test_folders_without_names_in_common_set_nothing_aside(folders):
    folders.write("c/other.py", "import M_tool\nNAME = M_tool.NAME\n")
    folders.save("a/main.py")
    before = list(sys.path)
    reply = folders.save("c/other.py")  # c has no tool.py: it imports the one loaded
    assert "set_aside" not in reply
    assert folders.value("c/other.py", "NAME") == "'a'"
    assert sys.path == [folders.entry("c/other.py")] + before  # put in front as ever, nothing moved


def test_nothing_is_set_aside_under_a_running_program(folders):
    folders.save("a/main.py")
    folders.agent.attached = True  # an app that invited hotload in: its modules are its own
    try:
        reply = folders.save("b/main.py")
    finally:
        folders.agent.attached = False
    assert "set_aside" not in reply
    assert sys.modules[folders.name("a/tool.py")].__file__ == folders.path("a/tool.py")


def test_a_reload_only_if_loaded_sets_nothing_aside(folders):
    folders.save("a/main.py")
    reply = ops.op_reload(folders.agent, folders.request("b/tool.py", if_loaded=True))
    assert reply == {"skipped": True}
    assert sys.modules[folders.name("a/tool.py")].__file__ == folders.path("a/tool.py")


def test_a_failed_first_save_in_a_folder_leaves_the_other_folder_aside(folders):
    folders.save("a/main.py")
    reply = folders.save("b/main.py", "from M_tool import NAME\n1 / 0\n", fails=True)
    assert reply["set_aside"]  # set aside whatever b/main.py did after
    assert folders.value("a/main.py", "NAME") == "'a'"
    assert folders.value("a/main.py", "count") == "0"


def test_a_file_loaded_through_a_namespace_package_sets_nothing_aside(folders):
    # app/ has no __init__.py: run.py at the root imports app/tool.py as app.tool,
    # while the root's own tool.py is tool, which other.py imports.
    root = str(folders.dir)
    app = folders.prefix + "app"
    os.makedirs(os.path.join(root, app))
    with open(os.path.join(root, app, folders.prefix + "tool.py"), "w") as f:
        f.write("NAME = 'app'\n")
    for name, source in (("tool", "NAME = 'root'\n"), ("run", "from M_app.M_tool import NAME\n"),
                         ("other", "from M_tool import NAME\n")):
        with open(os.path.join(root, folders.prefix + name + ".py"), "w") as f:
            f.write(source.replace("M_", folders.prefix))
    sys.path.insert(0, root)
    for name in ("run", "other"):
        path = os.path.join(root, folders.prefix + name + ".py")
        assert not ops.op_reload(folders.agent, {"module": folders.prefix + name, "path": path, "path_entry": root}).get("error")
    path = os.path.join(root, app, folders.prefix + "tool.py")
    with open(path, "w") as f:
        f.write("NAME = 'app2'\n")
    # The server names the file tool, from app/, as `python app/tool.py` would see it.
    reply = ops.op_reload(folders.agent, {"module": folders.prefix + "tool", "path": path,
                                          "path_entry": os.path.join(root, app)})
    assert "set_aside" not in reply and "notes" not in reply, reply
    assert reply["reloaded"][0] == app + "." + folders.prefix + "tool"
    assert sys.modules[folders.prefix + "tool"].NAME == "root"
    assert sys.modules[folders.prefix + "run"].NAME == "app2"
