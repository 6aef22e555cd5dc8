"""A function under a caching wrapper that offers cache_clear, edited in
the module that defines it: as with functools.lru_cache, the old wrapper is
kept, so references to it elsewhere call the new code, and its cache is
emptied, as a fresh run starts it."""

import importlib.util
import sys

import pytest

MEMO = """\
import functools

class memo:
    def __init__(self, f):
        functools.update_wrapper(self, f)
        self.cache = {}
    def __call__(self, x):
        if x not in self.cache:
            self.cache[x] = self.__wrapped__(x)
        return self.cache[x]
    def cache_clear(self):
        self.cache.clear()

@memo
def rate(x):
    return x * %d
"""

CACHETOOLS = """\
import cachetools

@cachetools.cached(cachetools.LRUCache(maxsize=%d))
def rate(x):
    return x * %d
"""

NEEDS_CACHETOOLS = pytest.mark.skipif(importlib.util.find_spec("cachetools") is None,
                                      reason="cachetools is in .ci/requirements-test.txt, not in the Python matrix")

WRAPPERS = [
    ("a wrapper of the module's own", lambda k: MEMO % k),
    pytest.param("cachetools.cached", lambda k: CACHETOOLS % (8, k), id="cachetools.cached", marks=NEEDS_CACHETOOLS),
]


@pytest.mark.parametrize("what,source", WRAPPERS, ids=[getattr(w, "id", None) or w[0] for w in WRAPPERS])
def test_the_old_wrapper_is_kept_and_its_cache_emptied(project, what, source):
    project.save("core", source(1))
    project.save("user", "from M_core import rate\n")
    kept = project.module("core").rate
    assert kept(2) == 2
    reply = project.save("core", source(2))
    assert project.module("core").rate is kept and project.module("user").rate is kept
    assert kept(2) == 4  # not the cached 2
    assert reply["reloaded"] == [project.name("core")]  # the importer holds the same object: it need not run
    assert reply.get("notes", []) == []


@NEEDS_CACHETOOLS
def test_a_wrapper_made_with_other_settings_is_bound_and_noted_and_the_old_one_emptied(project):
    project.save("core", CACHETOOLS % (8, 1))
    kept = project.module("core").rate
    kept(2)
    reply = project.save("core", CACHETOOLS % (16, 2))
    rate = project.module("core").rate
    assert rate is not kept and rate.cache.maxsize == 16 and rate(2) == 4
    assert kept(2) == 4  # the old wrapper, emptied, calls the new code
    assert [n["line"] for n in reply["notes"]] == [3], reply["notes"]
    assert "references to the old one elsewhere run the new code with the old settings" in reply["notes"][0]["text"]


@pytest.mark.skipif(sys.version_info < (3, 9), reason="lru_cache tells its maxsize (cache_parameters) since Python 3.9")
def test_an_lru_cache_made_with_another_maxsize_is_bound_and_noted_and_the_old_one_emptied(project):
    source = "import functools\n\n@functools.lru_cache(maxsize=%d)\ndef rate(x):\n    return x * %d\n"
    project.save("core", source % (8, 10))
    kept = project.module("core").rate
    assert kept(1) == 10
    reply = project.save("core", source % (16, 100))
    rate = project.module("core").rate
    assert rate is not kept and rate.cache_parameters()["maxsize"] == 16 and rate(1) == 100
    assert kept(1) == 100  # the old wrapper, emptied, calls the new code
    assert [n["line"] for n in reply["notes"]] == [3], reply["notes"]
    assert "references to the old one elsewhere run the new code with the old settings" in reply["notes"][0]["text"]
