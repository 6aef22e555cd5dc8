"""An evaluation's error is described from the code evaluated (the
editor's text, as lines of the module's file), not from the file on disk."""

import linecache

from _hotload_agent import ops


def test_an_evaluated_lines_error_reads_the_evaluated_text(project):
    project.save("lib", "A = 1\n")
    path = str(project.dir / project.file("lib"))
    code = "\n\nt = '😀😀'; z = A / 0\n"  # as lines 3 of the file, which has one line
    reply = ops.op_evaluate(project.agent, {"module": project.name("lib"), "path": path, "code": code, "filename": path})
    (frame,) = reply["error"]["frames"]
    assert frame["line"] == 3 and frame["source"] == "t = '😀😀'; z = A / 0"
    assert (frame["col"], frame["end_col"]) in ((14, 19), (None, None))  # columns: Python 3.11+
    assert "t = '😀😀'; z = A / 0" in reply["error"]["text"]
    assert linecache.getlines(path) == ["A = 1\n"]  # the file's lines again afterwards


def test_an_expression_error_reads_the_expression(project):
    project.save("lib", "A = 1\n")
    path = str(project.dir / project.file("lib"))
    reply = ops.op_evaluate(project.agent, {"module": project.name("lib"), "path": path, "code": "'中' + A"})
    (frame,) = reply["error"]["frames"]
    assert frame["source"] == "'中' + A"
    assert (frame["col"], frame["end_col"]) in ((0, 7), (None, None))
