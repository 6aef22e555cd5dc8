"""The import graph: resolving relative imports and ordering importers."""

import pytest

from _hotload_agent.graph import strongly_connected
from _hotload_agent.shape import absolute_module


@pytest.mark.parametrize("package, module, level, want", [
    ("", "os", 0, "os"),
    ("pkg", "mod", 1, "pkg.mod"),
    ("pkg.sub", "mod", 2, "pkg.mod"),
    ("pkg.sub", None, 1, "pkg.sub"),
    ("pkg", "mod", 3, None),  # beyond the top-level package
])
def test_absolute_module(package, module, level, want):
    assert absolute_module(package, module, level) == want


def test_strongly_connected_puts_each_component_after_what_it_imports():
    edges = {"a": ["b"], "b": ["c"], "c": ["b"], "d": []}
    found = strongly_connected(["a", "b", "c", "d"], edges)
    assert sorted(map(sorted, found)) == [["a"], ["b", "c"], ["d"]]
    order = [sorted(c) for c in found]
    assert order.index(["b", "c"]) < order.index(["a"])
