"""Where a SyntaxError points, in code points of the line as the editor
shows it (decoded by the file's coding line, without its BOM), whatever
the file's encoding, the Python version, and whoever compiled the file:
hotload's save, or Python's import of it by the user's code."""

import importlib

import pytest

from _hotload_agent import ops
from _hotload_agent.tracebacks import describe_exception

BOM = b"\xef\xbb\xbf"
LATIN1 = "# -*- coding: latin-1 -*-\n"

# (what, the file's text, its encoding, a BOM before it, the error's line,
# the column it starts at (code points from 0), on every Python version)
CASES = [
    ("latin-1, an accented letter before the error", LATIN1 + 's = "é" + $\n', "latin-1", False, 2, 10),
    ("latin-1, two", LATIN1 + 'x = ("éé", 1 $)\n', "latin-1", False, 2, 13),
    ("latin-1, an ASCII line", LATIN1 + 's = "é"\nt = 1 + $\n', "latin-1", False, 3, 8),
    ("BOM, ASCII", 's = "ab" + $\n', "utf-8", True, 1, 11),
    ("BOM, accented letters", 's = "éé" + $\n', "utf-8", True, 1, 11),
    ("BOM, the error on line 2", '# é\ns = "éé" + $\n', "utf-8", True, 2, 11),
    ("UTF-8, accented letters", 's = "éé" + $\n', "utf-8", False, 1, 11),
    ("UTF-8, an astral character", 's = "🐍" + $\n', "utf-8", False, 1, 10),
    ("UTF-8 coding line, accented letters", "# -*- coding: utf-8 -*-\n" + 's = "éé" + $\n', "utf-8", False, 2, 11),
    # The compiler's own errors, after the parse: Python counts their
    # columns in UTF-8 bytes on every version.
    ("the compiler's error, UTF-8", 's = "éé"; return 5\n', "utf-8", False, 1, 10),
    ("the compiler's error, latin-1", LATIN1 + 's = "éé"; return 5\n', "latin-1", False, 2, 10),
    ("the compiler's error, BOM", 's = "éé"; return 5\n', "utf-8", True, 1, 10),
]


def write(project, short, text, encoding, bom):
    path = project.dir / project.file(short)
    path.write_bytes((BOM if bom else b"") + text.encode(encoding))
    return path


def expect(syntax, text, line, col):
    """The syntax location of a reply: at line and col, its source the line as decoded."""
    assert (syntax["line"], syntax["col"]) == (line, col), syntax
    assert syntax["source"] == text.splitlines()[line - 1], syntax
    assert syntax["end_col"] is None or syntax["end_col"] >= col


@pytest.mark.parametrize("what, text, encoding, bom, line, col", CASES, ids=[c[0] for c in CASES])
def test_a_saved_file(project, what, text, encoding, bom, line, col):
    path = write(project, "lib", text, encoding, bom)
    reply = ops.op_reload(project.agent, {"module": project.name("lib"), "path": str(path)})
    expect(reply["error"]["syntax"], text, line, col)


@pytest.mark.parametrize("what, text, encoding, bom, line, col", CASES, ids=[c[0] for c in CASES])
def test_a_saved_file_again(project, what, text, encoding, bom, line, col):
    # A module that is loaded: the save re-runs it in place.
    project.save("lib", "X = 1\n")
    path = write(project, "lib", text, encoding, bom)
    reply = ops.op_reload(project.agent, {"module": project.name("lib"), "path": str(path)})
    expect(reply["error"]["syntax"], text, line, col)


@pytest.mark.parametrize("what, text, encoding, bom, line, col", CASES, ids=[c[0] for c in CASES])
def test_a_file_the_users_code_imports(project, what, text, encoding, bom, line, col):
    write(project, "lib", text, encoding, bom)
    with pytest.raises(SyntaxError) as info:
        importlib.import_module(project.name("lib"))
    expect(describe_exception(info.value)["syntax"], text, line, col)


def test_an_evaluated_line_is_located_in_what_was_evaluated(project):
    # The file on disk holds another line there (the editor's text is not
    # saved): the error is in the evaluated text, not in the file's.
    project.save("lib", "X = 1\ny = 'é' * 2\n")
    path = project.dir / project.file("lib")
    reply = ops.op_evaluate(project.agent, {"module": project.name("lib"), "path": str(path),
                                            "code": "\ns = ('é', 1 $)\n", "filename": str(path)})
    syntax = reply["error"]["syntax"]
    assert (syntax["line"], syntax["col"], syntax["source"]) == (2, 12, "s = ('é', 1 $)")
