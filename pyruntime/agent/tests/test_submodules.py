"""Submodules a package's __init__.py stops importing leave sys.modules
and the package, as in a fresh run, unless something still uses them."""

import sys

import pytest

from _hotload_agent import ops

V1 = "from . import backend_v1 as backend\n\n\ndef store(key):\n    return backend.put(key)\n"
V2 = "from . import backend_v2 as backend\n\n\ndef store(key):\n    return backend.put(key)\n"


def save_init(project, source):
    path = project.dir / project.name("pkg") / "__init__.py"
    path.write_text(source.replace("M_", project.prefix))
    return ops.op_reload(project.agent, {"module": project.name("pkg"), "path": str(path)})


@pytest.fixture
def pkg(project):
    folder = project.dir / project.name("pkg")
    folder.mkdir()
    for version in ("v1", "v2"):
        (folder / ("backend_%s.py" % version)).write_text("def put(key):\n    return %r + key\n" % (version + ":"))
    reply = save_init(project, V1)
    assert not reply.get("error"), reply["error"]["text"]
    return project


def loaded(project, short):
    return project.name(short) in sys.modules


def test_a_submodule_nothing_imports_any_more_leaves_the_package(pkg):
    reply = save_init(pkg, V2)
    assert not reply.get("error"), reply["error"]["text"]
    package = pkg.module("pkg")
    assert not loaded(pkg, "pkg.backend_v1") and not hasattr(package, "backend_v1")
    assert package.store("k") == "v2:k" and loaded(pkg, "pkg.backend_v2")
    assert any("backend_v1" in n["text"] and "left sys.modules" in n["text"] for n in reply.get("notes", ()))


def test_a_submodule_another_module_imports_stays(pkg):
    pkg.save("app", "import M_pkg.backend_v1\n")
    save_init(pkg, V2)
    assert loaded(pkg, "pkg.backend_v1") and pkg.module("pkg").backend_v1 is sys.modules[pkg.name("pkg.backend_v1")]


def test_a_submodule_an_object_holds_stays(pkg):
    pkg.save("plugins", "import importlib\n\nTABLE = {'v1': importlib.import_module('M_pkg.backend_v1')}\n")
    save_init(pkg, V2)
    assert loaded(pkg, "pkg.backend_v1") and hasattr(pkg.module("pkg"), "backend_v1")


def test_a_failed_save_leaves_the_submodule(pkg):
    reply = save_init(pkg, V2 + "\nraise RuntimeError('broken')\n")
    assert reply.get("rolled_back")
    assert loaded(pkg, "pkg.backend_v1") and pkg.module("pkg").store("k") == "v1:k"


def test_a_name_the_new_code_binds_to_something_else_is_left_to_it(pkg):
    save_init(pkg, V2 + "\nbackend_v1 = 'retired'\n")
    assert pkg.module("pkg").backend_v1 == "retired"
