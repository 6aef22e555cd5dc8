"""A module whose save failed keeps running its old code while its file
holds the new: a fresh run would run the file. A later save of a module
that file imports runs it again, from the file, after that module, as a
fresh run would; if it fails again, so does that save, rolled back whole."""

from _hotload_agent import ops


def reload(project, short, source):
    path = project.dir / project.file(short)
    path.write_text(source.replace("M_", project.prefix))
    return ops.op_reload(project.agent, {"module": project.name(short), "path": str(path)})


def test_an_importer_that_failed_to_import_a_new_module_runs_once_that_module_has_the_name(project):
    project.save("helper", "def other():\n    return 0\n")
    project.save("app", "VALUE = 1\n")
    failed = reload(project, "app", "from M_helper import scale\n\nVALUE = scale(2)\n")
    assert failed["error"]["type"] == "ImportError"

    reply = project.save("helper", "def other():\n    return 0\n\n\ndef scale(x):\n    return x * 3\n")

    assert reply["reloaded"] == [project.name("helper"), project.name("app")]
    assert project.module("app").VALUE == 6


def test_an_importer_that_failed_to_take_a_new_name_runs_though_what_it_held_is_unchanged(project):
    project.save("lib", "def title(s):\n    return s.title()\n")
    project.save("app", "from M_lib import title\n\nBANNER = title('hello world')\n")
    failed = reload(project, "app", "from M_lib import slugify, title\n\nBANNER = title('hello world') + slugify('A B')\n")
    assert failed["error"]["type"] == "ImportError"

    project.save("lib", "def title(s):\n    return s.title()\n\n\ndef slugify(s):\n    return s.lower().replace(' ', '-')\n")

    assert project.module("app").BANNER == "Hello Worlda-b"


def test_a_function_moved_to_another_module_works_with_its_old_module_saved_first(project):
    project.save("a", "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return f(x) * 2\n")
    project.save("b", "def h():\n    return 'h'\n")
    project.save("app", "from M_a import f, g\n\nRESULT = g(1)\n")
    failed = reload(project, "a", "from M_b import f\n\n\ndef g(x):\n    return f(x) * 2\n")
    assert failed["error"]["type"] == "ImportError"

    project.save("b", "def h():\n    return 'h'\n\n\ndef f(x):\n    return x + 10\n")

    assert project.module("a").f.__module__ == project.name("b")
    assert project.module("app").RESULT == 22  # app re-ran after a, as a fresh run imports it


def test_an_importer_that_fails_again_fails_the_save_and_everything_rolls_back(project):
    project.save("helper", "def other():\n    return 0\n")
    project.save("app", "VALUE = 1\n")
    reload(project, "app", "from M_helper import scale\n\nVALUE = scale(2)\n")

    reply = reload(project, "helper", "def other():\n    return 1\n")

    assert reply["error"]["type"] == "ImportError" and reply["rolled_back"]
    assert project.module("helper").other() == 0
    assert project.module("app").VALUE == 1


def test_an_importer_whose_file_does_not_import_the_saved_module_is_left_as_it_is(project):
    project.save("helper", "X = 1\n")
    project.save("other", "Y = 1\n")
    project.save("app", "from M_helper import X\n")
    reload(project, "app", "from M_other import Z\n")  # fails: other has no Z

    reply = project.save("helper", "X = 1\nW = 2\n")

    assert reply["reloaded"] == [project.name("helper")]
    assert not hasattr(project.module("app"), "Z")


def test_a_module_saved_right_since_its_save_failed_is_judged_as_any_importer(project):
    project.save("helper", "def other():\n    return 0\n")
    project.save("app", "from M_helper import other\n")
    reload(project, "app", "from M_helper import scale\n")
    project.save("app", "from M_helper import other\n\nVALUE = 1\n")

    reply = project.save("helper", "def other():\n    return 1\n")  # patched in place

    assert reply["reloaded"] == [project.name("helper")]


def test_an_importer_whose_file_no_longer_parses_still_runs_after_the_saved_module(project):
    (project.dir / project.file("core")).write_text("CONST = 1\n")
    project.save("user", "from M_core import CONST\n\nB = 10 // (2 - CONST)\n")  # imports core
    assert reload(project, "core", "CONST = 2\n")["rolled_back"]  # user fails: user's file is as it ran
    (project.dir / project.file("user")).write_text("from M_core import CONST\n\nB = (CONST\n")

    reply = reload(project, "core", "CONST = 2\n")

    # user holds CONST, which changed: it must run again, and cannot.
    assert reply["error"]["type"] == "SyntaxError" and reply["rolled_back"]
