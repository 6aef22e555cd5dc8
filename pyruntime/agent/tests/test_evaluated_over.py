"""A def or class evaluated over the module's own (Evaluate Selection of
an edited definition), then the file saved: what took the module's own
before the evaluation runs the saved code, as in a fresh run of it
(evaluated.py)."""

import textwrap

from _hotload_agent import ops

MATHX = "def scale(x):\n    return x * %d\n"
SHAPES = "class Square:\n    def __init__(self, side):\n        self.side = side\n\n    def area(self):\n        return %s\n"


def evaluate(project, short, code):
    path = str(project.dir / project.file(short))
    reply = ops.op_evaluate(project.agent, {"module": project.name(short), "path": path,
                                            "code": textwrap.dedent(code), "filename": path})
    assert reply.get("error") is None, reply["error"]
    return reply


def test_a_function_evaluated_over_the_modules_own_then_saved(project):
    project.save("mathx", MATHX % 2)
    project.save("app", "from M_mathx import scale\n")
    evaluate(project, "mathx", MATHX % 3)
    assert project.module("app").scale(2) == 4  # evaluated: the module's name only
    project.save("mathx", MATHX % 3)
    assert project.module("app").scale(2) == 6
    assert project.module("app").scale is project.module("mathx").scale
    assert project.agent.workspace.evaluated_over == {}


def test_a_decorated_function_evaluated_over_the_modules_own_then_saved(project):
    source = "import functools\n\n\n@functools.lru_cache()\n" + MATHX
    project.save("mathx", source % 2)
    project.save("app", "from M_mathx import scale\n")
    evaluate(project, "mathx", "@functools.lru_cache()\n" + MATHX % 3)
    project.save("mathx", source % 3)
    assert project.module("app").scale(2) == 6
    assert project.module("app").scale is project.module("mathx").scale


def test_a_class_evaluated_over_the_modules_own_then_saved(project):
    project.save("shapes", SHAPES % "self.side * self.side")
    project.save("app", "from M_shapes import Square\n\nSQ = Square(3)\n")
    evaluate(project, "shapes", SHAPES % "self.side * self.side * 1.0")
    project.save("shapes", SHAPES % "self.side * self.side * 1.0")
    app, shapes = project.module("app"), project.module("shapes")
    assert repr(app.SQ.area()) == "9.0"
    assert isinstance(app.SQ, shapes.Square)


def test_a_failed_save_keeps_what_the_evaluation_bound_for_the_next(project):
    project.save("mathx", MATHX % 2)
    project.save("app", "from M_mathx import scale\n")
    evaluate(project, "mathx", MATHX % 3)
    path = project.dir / project.file("mathx")
    path.write_text(MATHX % 3 + "\n1 / 0\n")
    reply = ops.op_reload(project.agent, {"module": project.name("mathx"), "path": str(path)})
    assert reply.get("error")
    assert project.module("mathx").scale(2) == 6  # the evaluated one, as before the save
    assert project.module("app").scale(2) == 4
    project.save("mathx", MATHX % 5)
    assert project.module("app").scale(2) == 10


def test_a_name_evaluated_to_another_function_is_not_taken_back(project):
    # `scale = double` is not a definition of scale: the save binds what it makes.
    project.save("mathx", MATHX % 2 + "\n\ndef double(x):\n    return x * 2\n")
    evaluate(project, "mathx", "scale = double")
    assert project.agent.workspace.evaluated_over == {}


def test_a_module_run_again_as_an_importer_takes_its_own_definition_back(project):
    # app's evaluated scale is not the file's; a save of base re-runs app
    # (it took LIMIT): app binds its file's scale, the one others took.
    project.save("base", "LIMIT = 1\n")
    project.save("app", "from M_base import LIMIT\n\n\n" + MATHX % 2)
    project.save("user", "from M_app import scale\n")
    evaluate(project, "app", MATHX % 3)
    project.save("base", "LIMIT = 2\n")
    assert project.module("app").LIMIT == 2
    assert project.module("user").scale is project.module("app").scale
    assert project.module("user").scale(2) == 4
