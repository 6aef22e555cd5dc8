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


@pytest.mark.parametrize("abc_name, first, then", [
    ("Iterable", "", "def __iter__(self):\n        return iter([1])"),
    ("Hashable", "", "def __eq__(self, other):\n        return True"),  # __eq__ without __hash__: unhashable
    ("Sized", "def __len__(self):\n        return 1", ""),
], ids=["__iter__ added", "__eq__ added", "__len__ removed"])
def test_isinstance_against_an_abc_answers_for_what_the_class_has_now(project, abc_name, first, then):
    import collections.abc
    against = getattr(collections.abc, abc_name)
    source = "class Playlist:\n    name = 'p'\n    %s\n"
    project.save("playlist", source % first)
    cls = project.module("playlist").Playlist
    before = cls()
    asked = isinstance(before, against)  # the ABC caches its answer
    project.save("playlist", source % then)
    want = not asked
    assert isinstance(before, against) is want and isinstance(cls(), against) is want and issubclass(cls, against) is want


def test_an_abc_s_edited_subclasshook_answers_anew(project):
    source = ("import abc\n\nclass Closable(abc.ABC):\n    @classmethod\n    def __subclasshook__(cls, C):\n"
              "        return %s\n\nclass Handle:\n    def close(self):\n        pass\n")
    project.save("proto", source % "hasattr(C, 'close')")
    proto = project.module("proto")
    assert isinstance(proto.Handle(), proto.Closable)
    project.save("proto", source % "hasattr(C, 'close') and hasattr(C, 'flush')")
    assert not isinstance(proto.Handle(), proto.Closable) and not issubclass(proto.Handle, proto.Closable)


PROTOCOL = """\
from typing import Protocol, runtime_checkable

@runtime_checkable
class Closer(Protocol):
    def close(self):
        ...
%s
class Handle:
    def close(self):
        pass
"""


@pytest.mark.parametrize("first, then, want", [
    ("", "\n    def flush(self):\n        ...\n", False),  # a method added: Handle is no Closer now
    ("\n    def flush(self):\n        ...\n", "", True),  # a method removed: Handle is one now
])
def test_a_runtime_checkable_protocol_answers_for_its_new_members(project, first, then, want):
    project.save("proto", PROTOCOL % first)
    proto = project.module("proto")
    assert isinstance(proto.Handle(), proto.Closer) is not want and issubclass(proto.Handle, proto.Closer) is not want
    project.save("proto", PROTOCOL % then)
    assert isinstance(proto.Handle(), proto.Closer) is want and issubclass(proto.Handle, proto.Closer) is want


def test_a_protocol_derived_in_another_module_answers_for_its_base_s_new_members(project):
    project.save("proto", PROTOCOL % "")
    project.save("flushing", "from typing import Protocol, runtime_checkable\nfrom M_proto import Closer\n\n"
                 "@runtime_checkable\nclass FlushCloser(Closer, Protocol):\n    def flush(self):\n        ...\n\n"
                 "class Stream:\n    def close(self):\n        pass\n\n    def flush(self):\n        pass\n")
    flushing = project.module("flushing")
    assert isinstance(flushing.Stream(), flushing.FlushCloser)
    project.save("proto", PROTOCOL % "\n    def reset(self):\n        ...\n")
    assert not isinstance(flushing.Stream(), flushing.FlushCloser)


def test_a_singledispatch_function_dispatches_on_a_class_s_new_base(project):
    project.save("render", "import functools\n\nclass Serializable:\n    pass\n\n@functools.singledispatch\n"
                 "def render(obj):\n    return 'object'\n\n@render.register\ndef _(obj: Serializable):\n"
                 "    return 'serializable'\n\nclass Shapes:\n    @functools.singledispatchmethod\n"
                 "    def draw(self, obj):\n        return 'object'\n\n    @draw.register\n"
                 "    def _(self, obj: Serializable):\n        return 'serializable'\n")
    source = "from M_render import Serializable\n\nclass Component:\n    pass\n\nclass Widget(%s):\n    pass\n"
    project.save("widget", source % "Component")
    render, widget = project.module("render"), project.module("widget")
    assert render.render(widget.Widget()) == "object" == render.Shapes().draw(widget.Widget())
    project.save("widget", source % "Serializable, Component")
    assert render.render(widget.Widget()) == "serializable" == render.Shapes().draw(widget.Widget())


def test_an_edited_method_body_leaves_the_class_tree_alone(project, monkeypatch):
    # Walking every class costs milliseconds: only a change of what a class has pays it.
    from _hotload_agent import type_answers
    walks = []
    monkeypatch.setattr(type_answers, "all_abcs", lambda: walks.append(1) or [])
    source = "import abc\n\nclass Store(abc.ABC):\n    def get(self):\n        return %d\n"
    project.save("store", source % 1)
    project.save("store", source % 2)
    assert walks == []
    project.save("store", source % 2 + "\n    def put(self):\n        pass\n")
    assert walks == [1]


def test_a_failed_save_forgets_the_answers_asked_while_it_ran(project):
    source = "import collections.abc\n\nclass Playlist:\n    %s\n\nasked = isinstance(Playlist(), collections.abc.Iterable)\n%s"
    project.save("playlist", source % ("pass", ""))
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        project.save("playlist", source % ("def __iter__(self):\n        return iter([])", "1 / 0\n"))
    import collections.abc
    cls = project.module("playlist").Playlist
    assert "__iter__" not in vars(cls) and not isinstance(cls(), collections.abc.Iterable)


def test_a_dataclass_made_frozen_is_updated_without_a_note_on_its_generated_init(project):
    source = "import dataclasses\n\n@dataclasses.dataclass%s\nclass Setting:\n    name: str\n    value: object\n"
    project.save("settings", source % "")
    cls = project.module("settings").Setting
    before = cls("debug", False)
    reply = project.save("settings", source % "(frozen=True)")
    assert "notes" not in reply, texts(reply)
    import dataclasses
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.value = True
    assert hash(cls("a", 1)) == hash(cls("a", 1)) and project.module("settings").Setting is cls


def test_an_attribute_a_dataclass_s_new_post_init_sets_is_noted_for_instances_made_before(project):
    source = "import dataclasses\n\n@dataclasses.dataclass\nclass Order:\n    qty: int\n    price: float\n%s"
    project.save("orders", source % "")
    reply = project.save("orders", source % "\n    def __post_init__(self):\n        self.total = self.qty * self.price\n")
    [note] = reply["notes"]
    assert "__post_init__ now sets self.total: instances made before this save do not have it" in note["text"]
    assert note["line"] == 4


CLIENT = """\
class Client:
    def __init__(self, host):
        self.host = host
        self._setup()

    def _setup(self):
        self.connected = False
        %s

    def describe(self):
        return %r
"""


def test_an_attribute_a_helper_of_init_now_sets_is_noted_for_instances_made_before(project):
    project.save("client", CLIENT % ("", "a"))
    reply = project.save("client", CLIENT % ("self.timeout = 30", "a"))
    [note] = reply["notes"]
    assert "_setup now sets self.timeout: instances made before this save do not have it" in note["text"]
    assert note["line"] == 1
    assert "notes" not in project.save("client", CLIENT % ("self.timeout = 30", "b"))  # another method: no note


def test_an_edit_of_a_method_init_does_not_call_reads_no_bytecode(project, monkeypatch):
    # Disassembling __init__ costs tens of microseconds on each class a save updates.
    from _hotload_agent import rules
    project.save("client", CLIENT % ("", "a"))
    read = []
    monkeypatch.setattr(rules, "names_on_self", lambda code, ops: read.append(code.co_name) or set())
    project.save("client", CLIENT % ("", "b"))
    assert read == []


STORAGE = """\
import abc

class Storage(abc.ABC):
    @abc.abstractmethod
    def read(self, key):
        ...

class Frozen:
    def read(self, key):
        return None

class Memory:
    def read(self, key):
        return key
%s"""


@pytest.mark.parametrize("registers", ["Storage.register(Frozen)\n", "Storage.register(Frozen)\nStorage.register(Memory)\n"])
def test_a_class_no_longer_registered_with_an_abc_is_taken_off_its_registry(project, registers):
    project.save("storage", STORAGE % ("Storage.register(Memory)\n" + registers))
    storage = project.module("storage")
    assert isinstance(storage.Frozen(), storage.Storage) and issubclass(storage.Memory, storage.Storage)
    reply = project.save("storage", STORAGE % "Storage.register(Memory)\n")
    assert "notes" not in reply
    assert not isinstance(storage.Frozen(), storage.Storage) and not issubclass(storage.Frozen, storage.Storage)
    assert issubclass(storage.Memory, storage.Storage)  # still registered


def test_a_failed_save_registers_again_what_it_took_off(project):
    project.save("storage", STORAGE % "Storage.register(Frozen)\n\ndef version():\n    return 1\n")
    project.save("app", "import M_storage\n\nif M_storage.version() == 2:\n    1 / 0\n")
    storage = project.module("storage")
    with pytest.raises(AssertionError, match="ZeroDivisionError"):  # app runs again, and fails
        project.save("storage", STORAGE % "\ndef version():\n    return 2\n")
    assert issubclass(storage.Frozen, storage.Storage)


def test_a_class_no_longer_registered_with_another_module_s_abc_is_taken_off_its_registry(project):
    project.save("base", "import abc\n\nclass Exporter(abc.ABC):\n    pass\n")
    source = "import M_base\n\n%sclass Csv:\n    pass\n%s"
    project.save("plugin", source % ("@M_base.Exporter.register\n", ""))
    base, plugin = project.module("base"), project.module("plugin")
    assert issubclass(plugin.Csv, base.Exporter)
    project.save("plugin", source % ("", ""))
    assert not issubclass(plugin.Csv, base.Exporter)
    project.save("plugin", source % ("", "\nM_base.Exporter.register(Csv)\n"))
    assert issubclass(plugin.Csv, base.Exporter)
    project.save("plugin", source % ("", ""))
    assert not issubclass(plugin.Csv, base.Exporter)
