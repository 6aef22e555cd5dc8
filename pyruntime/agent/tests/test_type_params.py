"""A generic function (PEP 695, Python 3.12+) updated in place takes the
new run's type parameters: their bounds, constraints and defaults."""

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 type parameters are Python 3.12's")


@pytest.mark.parametrize("before, after, want", [
    ("def first[T](xs):\n    return xs[0]\n", "def first[T: int](xs):\n    return xs[0]\n", [("T", int, ())]),
    ("def first(xs):\n    return xs[0]\n", "def first[K, V](xs):\n    return xs[0]\n", [("K", None, ()), ("V", None, ())]),
    ("def first[T](xs):\n    return xs[0]\n", "def first[T: (int, float)](xs):\n    return xs[0]\n", [("T", None, (int, float))]),
    ("def first[T: int](xs):\n    return xs[0]\n", "def first(xs):\n    return xs[0]\n", []),
])
def test_a_function_takes_the_new_type_parameters(project, before, after, want):
    project.save("util", before)
    old = project.module("util").first
    project.save("util", after)
    first = project.module("util").first
    assert first is old  # updated in place
    assert [(p.__name__, p.__bound__, p.__constraints__) for p in first.__type_params__] == want


def test_a_method_takes_the_new_type_parameters(project):
    project.save("box", "class Box:\n    def put[T](self, x: T) -> T:\n        return x\n")
    project.save("box", "class Box:\n    def put[T: str](self, x: T) -> T:\n        return x\n")
    (param,) = project.module("box").Box.put.__type_params__
    assert param.__bound__ is str
