"""Registrations a module makes of objects that share its module and a
name (lambdas, functions all defined as `_`): a save leaves each
registered once, as this run of the module made it, in its order."""

import pytest

from _hotload_agent import ops

HOOKS = "L = []\n\n\ndef hook(f):\n    L.append(f)\n    return f\n\n\ndef fire(x):\n    return [f(x) for f in L]\n"


def underscores(*bodies):
    return "from M_bus import hook\n" + "".join("\n\n@hook\ndef _(x):\n    return %s\n" % b for b in bodies)


def lambdas(*bodies):
    return "import M_bus\n\n" + "".join("M_bus.L.append(lambda x: %s)\n" % b for b in bodies)


@pytest.mark.parametrize("before, after, want", [
    (lambdas("x * 2", "x + 100"), lambdas("x * 2", "x + 100") + "\nVERSION = 2\n", [4, 102]),  # another line edited
    (lambdas("x * 2"), lambdas("x * 3"), [6]),  # the lambda edited
    (lambdas("x * 2", "x + 100"), lambdas("x + 100"), [102]),  # one removed
    (lambdas("x * 2"), lambdas("x * 2", "-x"), [4, -2]),  # one added
    (underscores("'strip %d' % x", "'lower %d' % x", "'audit %d' % x"),
     underscores("'strip %d' % x", "'LOWER %d' % x", "'audit %d' % x"), ["strip 2", "LOWER 2", "audit 2"]),
    (underscores("'a'", "'b'"), underscores("'b'", "'a'"), ["b", "a"]),  # swapped
    (underscores("'a'", "'b'", "'c'"), underscores("'a'", "'c'"), ["a", "c"]),  # one removed
])
def test_each_is_registered_once_as_this_run_made_it(project, before, after, want):
    project.save("bus", HOOKS)
    project.save("plugins", before)
    project.save("plugins", after)
    assert project.module("bus").fire(2) == want


def test_one_of_code_evaluated_in_the_module_stays(project):
    project.save("bus", HOOKS)
    project.save("plugins", lambdas("x * 2"))
    path = str(project.dir / project.file("plugins"))
    ops.op_evaluate(project.agent, {"module": project.name("plugins"), "path": path, "code": "M_bus.L.append(lambda x: 'tried')".replace("M_", project.prefix)})
    project.save("plugins", lambdas("x * 3"))
    assert project.module("bus").fire(2) == [6, "tried"]  # as a fresh run, then the evaluation


@pytest.mark.parametrize("before, failed, want", [
    (lambdas("x * 2", "x + 100"), lambdas("x * 3"), [4, 102]),
    (underscores("'a'", "'b'", "'c'"), underscores("'A'", "'B'"), ["a", "b", "c"]),
])
def test_a_failed_save_leaves_them_as_they_were(project, before, failed, want):
    project.save("bus", HOOKS)
    project.save("plugins", before)
    path = project.dir / project.file("plugins")
    path.write_text(failed.replace("M_", project.prefix) + "raise RuntimeError('broken')\n")
    reply = ops.op_reload(project.agent, {"module": project.name("plugins"), "path": str(path)})
    assert reply.get("rolled_back")
    assert project.module("bus").fire(2) == want
