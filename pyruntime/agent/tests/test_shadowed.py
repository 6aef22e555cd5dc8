"""A project file named like a module the agent imported for itself is the
program's module, as in a fresh run; one Python's startup loaded is not."""

import sys
import types

import pytest

from _hotload_agent.shadowed import release_shadowed

NAME = "hotload_test_shadowed"


@pytest.fixture
def loaded(tmp_path):
    """NAME and its submodule loaded from outside tmp_path, as the standard
    library's token is; tmp_path, a project folder with its own NAME.py."""
    (tmp_path / (NAME + ".py")).write_text("MINE = True\n")
    for name in (NAME, NAME + ".sub"):
        module = types.ModuleType(name)
        module.__file__ = "/usr/lib/python3/%s.py" % name.replace(".", "/")
        sys.modules[name] = module
    yield tmp_path
    for name in (NAME, NAME + ".sub"):
        sys.modules.pop(name, None)


def test_a_module_the_agent_imported_gives_way_to_the_projects_file(loaded):
    assert release_shadowed(frozenset(), [str(loaded)], {NAME}) == [NAME]
    assert NAME not in sys.modules and NAME + ".sub" not in sys.modules
    sys.path.insert(0, str(loaded))
    try:
        assert __import__(NAME).MINE
    finally:
        sys.path.remove(str(loaded))


def test_a_module_pythons_startup_loaded_stays_as_in_a_fresh_run(loaded):
    assert release_shadowed(frozenset([NAME]), [str(loaded)], {NAME}) == []
    assert NAME in sys.modules


def test_the_projects_own_module_stays(loaded):
    sys.modules[NAME].__file__ = str(loaded / (NAME + ".py"))
    assert release_shadowed(frozenset(), [str(loaded)], {NAME}) == []


def test_a_name_the_project_does_not_provide_stays(loaded):
    assert release_shadowed(frozenset(), [str(loaded)], {"other"}) == []
    assert NAME in sys.modules
