"""What a save's analysis costs, counted rather than timed: each file is
parsed once per save, and no walk goes into a module's data (a generated
module may hold a literal of a million elements; regression: saving a
10 MB one took 10 to 30 s, the file parsed twice and its list walked
node by node in Python twice, where Python itself compiles it in 2 s)."""

import ast
import builtins
import collections
import gc
import os
import sys
import textwrap

import pytest

from _hotload_agent import app, ops
from _hotload_agent.shape import Shape, Trees, constant_display, uses_of
from _hotload_agent.source import compile_tree, parse


@pytest.fixture
def parses(monkeypatch):
    """{file name: how many times source text was compiled from it}: every
    parse, the agent's or Python's own (an AST compiled is no parse)."""
    counts = collections.Counter()
    compile_ = builtins.compile

    def counting(source, filename, *args, **kwargs):
        if isinstance(source, (str, bytes)):
            counts[os.path.basename(str(filename))] += 1
        return compile_(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", counting)
    return counts


def test_a_save_parses_the_saved_file_once(project, parses):
    project.save("lib", """\
        import os
        LIMIT = 1
        OLD = 2

        def f():
            return LIMIT + OLD + len(os.sep)
        """)
    parses.clear()
    # LIMIT is rebound (what f computes changed: the save reads the
    # globals functions read) and OLD goes (the note names f's line).
    reply = project.save("lib", """\
        import os
        LIMIT = 2

        def f():
            return LIMIT + OLD + len(os.sep)
        """)
    assert [n["line"] for n in reply["notes"] if n["text"].startswith(project.name("lib") + ".OLD:")] == [5]
    assert parses == {project.file("lib"): 1}


def test_an_importer_that_re_runs_is_parsed_once(project, parses):
    project.save("core", "VALUE = 1\n")
    # Imported by the user's code, not by hotload: the save of core reads
    # its source for the first time, for its imports, what it uses, and
    # to run it again.
    (project.dir / project.file("user")).write_text(
        "import {0}core\nTOTAL = {0}core.VALUE * 2\n\ndef total():\n    return TOTAL\n".format(project.prefix))
    project.save("all", "import importlib\nimportlib.import_module('M_user')\n")
    parses.clear()
    reply = project.save("core", "VALUE = 2\n")
    assert reply["reloaded"] == [project.name("core"), project.name("user")]
    assert sys.modules[project.name("user")].TOTAL == 4
    assert parses == {project.file("core"): 1, project.file("user"): 1}
    workspace = project.agent.workspace
    assert not [name for name, ran in workspace.ran.items() if ran.shape and workspace.trees.get(ran.shape)]
    parses.clear()
    project.save("core", "VALUE = 3\n")  # the importer re-runs the code compiled last time
    assert parses == {project.file("core"): 1}


def big(n, first=0):
    return ", ".join(str(i) for i in range(first, first + n))


# A module whose data is 20,000-element displays everywhere a save looks,
# among the code that matters, which the save must still see.
HUGE = textwrap.dedent("""\
    import os
    TABLE = [{0}]
    SIGNED = ({1},)
    NESTED = {{"rows": [({0},), ({0},)], "names": {{"a": [1.5, None, b"x", "s", True, -3, ...]}}}}
    MIXED = [{0}, os.sep]

    def f(limit=[{0}]):
        rows = [{0}]
        return helper(rows) + [{0}, TAIL][-1]

    g = lambda: ({0}, LIMIT)
    """).format(big(20000), big(20000, -10000))


def python_lines(run):
    """How many lines of Python run(), and all it calls, runs: what a walk
    costs per node it visits, and not what runs in C."""
    lines = 0

    def trace(frame, event, arg):
        nonlocal lines
        lines += event == "line"
        return trace

    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(None)
    return lines


def test_the_analysis_does_not_walk_into_data():
    data = HUGE.encode()
    tree = parse(data, "/w/huge.py")
    trees = Trees()
    shapes = []

    def analyse():
        shape = Shape("huge", "/w/huge.py", tree, data, trees)
        trees.hold(shape, tree)
        shape.uses, shape.globals_read
        shapes.append(shape)

    lines = python_lines(analyse)
    [shape] = shapes
    assert shape.binds == {"os", "TABLE", "SIGNED", "NESTED", "MIXED", "f", "g"}
    assert set(shape.globals_read) == {"helper", "TAIL", "LIMIT"}
    _, names = uses_of(shape, "os")
    assert names["sep"].import_time
    assert lines < 50000, lines  # about 6,000; a walk into the data runs millions

@pytest.mark.parametrize("display, skipped", [
    ("[1, 2, 3, 4, 5, 6, 7, 8]", True),
    ("[-1, +2, ~3, (4, 5.5), {6: 'a'}, {7j}, [b'8'], None, ..., True]", True),
    ("{'a': 1, 'b': [2, 3], 'c': {'d': (-4,)}}", True),
    ("[1, 2, 3, 4, 5, 6, 7, x]", False),
    ("[1, 2, 3, 4, 5, 6, 7, (8, x)]", False),
    ("[1, 2, 3, 4, 5, 6, 7, -x]", False),
    ("[1, 2, 3, 4, 5, 6, 7, not x]", False),
    ("[1, 2, 3, 4, 5, 6, 7, f'{x}']", False),
    ("[1, 2, 3, 4, 5, 6, 7, lambda: 8]", False),
    ("[1, 2, 3, 4, 5, 6, 7, *rest]", False),
    ("[1, 2, 3, 4, 5, 6, 7, 8 + 9]", False),
    ("{'a': 1, **more, 'b': 2}", False),
    ("{'a': 1, 'b': x}", False),
    ("{x: 1, 'b': 2}", False),
])
def test_which_displays_are_data(display, skipped):
    assert constant_display(ast.parse(display, mode="eval").body) is skipped


def test_a_shape_reads_the_same_from_its_compiled_tree():
    # What a save asks of a Shape after compiling its tree (which gets the
    # hooks' calls, loses its main guard and last expression) is what a
    # fresh parse of the source says.
    source = textwrap.dedent("""\
        import os, json as j
        from . import sib

        @j.decorate
        @sib.wrap(os.sep)
        def top(x=os.curdir):
            return helper(x) + sib.VALUE

        class C:
            @staticmethod
            @j.dec
            def m(q=[lambda: os.name]):
                return other(q)
            K = j.dumps([1, 2])

        if os.environ:
            def cond():
                return late(os.pathsep)
        else:
            made = top(1)

        if __name__ == "__main__":
            def guarded():
                return hidden(os.linesep)
            guarded()

        (lambda: lasting(j.loads))
        """).encode()
    for name in ("pkg.mod", "__main__"):
        fresh = Shape(name, "/w/pkg/mod.py", parse(source, "/w/pkg/mod.py"), source)
        trees = Trees()
        tree = parse(source, "/w/pkg/mod.py")
        held = Shape(name, "/w/pkg/mod.py", tree, source, trees)
        trees.hold(held, tree, compiling=True)
        compile_tree(app.without_main_guard(tree, name), "/w/pkg/mod.py", bind=True)
        assert held.globals_read == fresh.globals_read
        assert {k: (u.line, u.import_time, u.bare) for k, u in held.uses.items()} == \
            {k: (u.line, u.import_time, u.bare) for k, u in fresh.uses.items()}
        assert {"helper", "other", "late", "hidden", "lasting"} <= set(held.globals_read)


@pytest.mark.parametrize("source", [b"x = 1\n", b"x = (\n"])
def test_parsing_leaves_the_garbage_collector_as_it_was(source):
    enabled = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            try:
                ops.parse_file(source, "f.py")
            except SyntaxError:
                pass
            assert gc.isenabled() is state
    finally:
        (gc.enable if enabled else gc.disable)()
