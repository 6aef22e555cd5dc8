"""A module that wraps another module's function and installs its wrapper
there (`_orig = M_lib.Thing.show` then `M_lib.Thing.show = show`) reads
back, when it runs again, its own wrapper from the previous run: the
"original" it keeps is what a fresh run reads there, never itself."""

WRAPS_A_METHOD = """
import M_lib

_orig_show = M_lib.Thing.show


def show(self):
    return "[%s]" % _orig_show(self)


M_lib.Thing.show = show
"""

WRAPS_A_FACTORY = """
import M_lib

_previous = M_lib.get_factory()


def factory(text):
    return _previous(text) + "!"


M_lib.set_factory(factory)
"""

LIB = """
class Thing:
    def show(self):
        return "thing"


_factory = str


def get_factory():
    return _factory


def set_factory(f):
    global _factory
    _factory = f


def make(text):
    return _factory(text)
"""


def test_a_wrapped_method_wraps_the_original_after_a_save(project):
    project.save("lib", LIB)
    project.save("patch", WRAPS_A_METHOD)
    project.save("patch", WRAPS_A_METHOD.replace('"[%s]"', '"<%s>"'))
    assert project.module("lib").Thing().show() == "<thing>"


def test_a_wrapped_factory_wraps_the_original_after_a_save(project):
    project.save("lib", LIB)
    project.save("patch", WRAPS_A_FACTORY)
    project.save("patch", WRAPS_A_FACTORY.replace('"!"', '"?"'))
    assert project.module("lib").make("hi") == "hi?"


def test_a_name_for_the_modules_own_function_still_names_it(project):
    source = "def f():\n    return 1\n\n\nalias = f\n"
    project.save("own", source)
    project.save("own", source.replace("return 1", "return 2"))
    own = project.module("own")
    assert own.alias is own.f and own.alias() == 2


def test_a_value_read_before_the_module_installs_it_is_the_fresh_runs(project):
    project.save("reg", "HANDLERS = {}\n")
    source = "import M_reg\n\nfirst = M_reg.HANDLERS.get('x')\n\n\ndef x():\n    return 1\n\n\nM_reg.HANDLERS['x'] = x\n"
    project.save("user", source)
    project.save("user", source.replace("return 1", "return 2"))
    assert project.module("user").first is None
