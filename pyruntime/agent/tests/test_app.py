"""Running a program: reading python's arguments, and the main guard left out of re-runs."""

import ast

import pytest

from _hotload_agent.app import AppError, is_main_guard, parse_python_args, without_main_guard


@pytest.mark.parametrize("argv, want", [
    (["game.py"], ("script", "game.py", [])),
    (["manage.py", "runserver", "--noreload"], ("script", "manage.py", ["runserver", "--noreload"])),
    (["-m", "uvicorn", "main:app", "--port", "8000"], ("module", "uvicorn", ["main:app", "--port", "8000"])),
    (["-mhttp.server", "0"], ("module", "http.server", ["0"])),
    (["-c", "print(1)", "x"], ("code", "print(1)", ["x"])),
])
def test_parse_python_args(argv, want):
    assert parse_python_args(argv) == want


@pytest.mark.parametrize("argv, message", [
    ([], "nothing to run"),
    (["-m"], "Argument expected for the -m option"),
    (["-u", "app.py"], "-u is an option of the interpreter"),
    (["-"], "stdin is hotload's"),
])
def test_parse_python_args_refuses(argv, message):
    with pytest.raises(AppError, match=message):
        parse_python_args(argv)


@pytest.mark.parametrize("source, guard", [
    ('if __name__ == "__main__":\n    main()\n', True),
    ("if '__main__' == __name__:\n    main()\n", True),
    ('if __name__ != "__main__":\n    main()\n', False),
    ('if __name__ == "__main__" and x:\n    main()\n', False),
    ("if debug:\n    main()\n", False),
])
def test_is_main_guard(source, guard):
    assert is_main_guard(ast.parse(source).body[0]) is guard


def test_without_main_guard_keeps_the_rest():
    source = 'def f():\n    return 1\n\nif __name__ == "__main__":\n    serve()\n\nX = 2\n'
    run = without_main_guard(ast.parse(source), "__main__")
    namespace = {}
    exec(compile(run, "<test>", "exec"), namespace)  # serve() would raise NameError
    assert namespace["f"]() == 1 and namespace["X"] == 2
    # Other modules keep their guards: they never run as __main__ anyway.
    assert len(without_main_guard(ast.parse(source), "app").body) == 3
