"""A loaded module whose file is deleted or renamed: a fresh run could not
import it. A save that reaches it forgets it, so code that imports it
raises as in a fresh run, and the modules that still hold what they took
from it are named on their import lines."""

import os
import sys

from _hotload_agent import ops


def reload(project, short, source):
    path = project.dir / project.file(short)
    path.write_text(source.replace("M_", project.prefix))
    return ops.op_reload(project.agent, {"module": project.name(short), "path": str(path)})


def delete(project, short):
    os.remove(str(project.dir / project.file(short)))


def gone_notes(reply):
    return [n for n in reply.get("notes", []) if "is gone" in n["text"]]


def test_a_save_that_imports_a_module_whose_file_is_gone_raises_as_a_fresh_run(project):
    project.save("utils", "def f():\n    return 1\n")
    project.save("main", "from M_utils import f\n")
    delete(project, "utils")
    reply = reload(project, "main", "from M_utils import f\nX = 1\n")
    assert reply["error"]["type"] == "ModuleNotFoundError"
    assert reply["rolled_back"]
    assert project.name("utils") not in sys.modules
    notes = gone_notes(reply)
    assert [n["text"].partition(":")[0] for n in notes] == [project.name("utils")]
    assert "no longer loaded" in notes[0]["text"]


def test_a_module_that_still_holds_what_it_took_is_named_on_its_import_line(project):
    project.save("utils", "def f():\n    return 1\n")
    project.save("helper", "import os\nfrom M_utils import f\n")
    project.save("main", "import M_helper\n")
    delete(project, "utils")
    reply = project.save("main", "import M_helper\nX = 1\n")  # main runs; helper does not
    held = [n for n in gone_notes(reply) if n.get("until") == project.name("helper")]
    assert len(held) == 1, reply.get("notes")
    assert held[0]["file"].endswith(project.file("helper")) and held[0]["line"] == 2
    assert "still runs with what it took" in held[0]["text"]
    assert project.module("helper").f() == 1  # as the note says


def test_a_first_import_of_a_module_that_imports_one_whose_file_is_gone_raises(project):
    project.save("utils", "X = 1\n")
    delete(project, "utils")
    reply = reload(project, "other", "import M_utils\nY = M_utils.X\n")
    assert reply["error"]["type"] == "ModuleNotFoundError"
    assert gone_notes(reply)


def test_a_module_renamed_with_the_save_of_its_importer_is_forgotten(project):
    project.save("utils", "def f():\n    return 1\n")
    project.save("main", "from M_utils import f\n")
    project.save("report", "from M_utils import f\n")  # not updated for the rename
    os.rename(str(project.dir / project.file("utils")), str(project.dir / project.file("tools")))
    reply = reload(project, "main", "from M_tools import f\n")
    assert not reply.get("error"), reply["error"]["text"]
    assert project.module("main").f() == 1
    assert project.name("utils") not in sys.modules
    assert [n["until"] for n in gone_notes(reply) if "until" in n] == [project.name("report")]


def test_a_package_module_whose_file_is_gone_leaves_its_package(project):
    pkg = project.dir / project.name("pkg")
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "utils.py").write_text("X = 1\n")
    project.save("main", "from M_pkg import utils\n")
    os.remove(str(pkg / "utils.py"))
    reply = reload(project, "main", "from M_pkg import utils\nY = 2\n")
    assert reply["error"]["type"] == "ImportError"  # cannot import name 'utils', as a fresh run says
    assert not hasattr(sys.modules[project.name("pkg")], "utils")


def test_nothing_is_forgotten_while_the_files_are_there(project):
    project.save("utils", "def f():\n    return 1\n")
    project.save("main", "from M_utils import f\n")
    reply = project.save("main", "from M_utils import f\nX = 1\n")
    assert gone_notes(reply) == []
    assert project.name("utils") in sys.modules
