"""What a class updated in place keeps doing for the instances made before
the save and after it, as a fresh run's would: super(), isinstance and
issubclass answers, and the notes it makes only when something is stale."""

import pytest


def texts(reply):
    return [n["text"] for n in reply.get("notes", [])]


PLAIN_WRAPPER = """\
def logged(func):
    def wrapper(self, *args):
        return func(self, *args)
    return wrapper
"""

SUPER_UNDER_A_DECORATOR = """\
import functools

%s

class Base:
    def start(self, code):
        return "base " + code

class Service(Base):
    @DECORATOR
    def start(self, code):
        return "service%s" + super().start(code)

    def status(self):
        return "%s"
"""


@pytest.mark.parametrize("decorator, wrapper", [
    ("logged", PLAIN_WRAPPER),  # no functools.wraps: the function is in the wrapper's closure
    ("functools.lru_cache(maxsize=None)", ""),  # a C wrapper: the function is its __wrapped__
], ids=["a plain wrapper", "lru_cache"])
@pytest.mark.parametrize("edit", [("/", "ok"), ("+", "running")], ids=["the method", "another method"])
def test_super_works_in_a_method_under_a_decorator_after_any_edit_of_its_class(project, decorator, wrapper, edit):
    source = SUPER_UNDER_A_DECORATOR.replace("DECORATOR", decorator)
    project.save("service", source % (wrapper, "+", "ok"))
    cls = project.module("service").Service
    before, method = cls(), cls.__dict__["start"]
    assert before.start("a") == "service+base a"
    reply = project.save("service", source % ((wrapper,) + edit))
    assert project.module("service").Service is cls and "notes" not in reply, texts(reply)
    assert cls.__dict__["start"] is method  # the old wrapper, calling the old function updated in place
    want = "service%sbase " % edit[0]
    assert (before.start("a"), cls().start("b"), before.status()) == (want + "a", want + "b", edit[1])


def test_super_works_in_a_method_added_under_a_decorator(project):
    source = PLAIN_WRAPPER + "\nclass Base:\n    def stop(self):\n        return 'base'\n\nclass Service(Base):\n    pass\n%s"
    project.save("service", source % "")
    before = project.module("service").Service()
    project.save("service", source % "\n    @logged\n    def stop(self):\n        return 'service+' + super().stop()\n")
    assert before.stop() == "service+base" == project.module("service").Service().stop()


def test_a_failed_save_gives_super_its_class_back(project):
    source = PLAIN_WRAPPER + "\nclass Base:\n    def start(self):\n        return 'base'\n\nclass Service(Base):\n" \
        "    @logged\n    def start(self):\n        return %r + super().start()\n%s"
    project.save("service", source % ("service+", ""))
    cls = project.module("service").Service
    before = cls()
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        project.save("service", source % ("service/", "\n1 / 0\n"))
    assert project.module("service").Service is cls
    assert before.start() == "service+base" == cls().start()
