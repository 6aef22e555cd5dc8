"""Module-level dunders a version of the source binds and the next one does
not (PEP 562's __getattr__ and __dir__, __all__) are removed, as a fresh
run would not have them; the ones the import system sets stay."""

import sys


def test_a_removed_module_getattr_no_longer_serves_names(project):
    project.save("compat", """
        def new_api():
            return "new"


        def __getattr__(name):
            if name == "old_api":
                return new_api
            raise AttributeError(name)
    """)
    assert project.module("compat").old_api() == "new"
    project.save("compat", """
        def new_api():
            return "new"
    """)
    assert not hasattr(project.module("compat"), "old_api")
    assert "__getattr__" not in vars(project.module("compat"))


def test_a_removed_module_dir_lists_the_real_names(project):
    project.save("lazy", """
        def helper():
            return 1


        def __dir__():
            return ["light"]
    """)
    assert dir(project.module("lazy")) == ["light"]
    project.save("lazy", """
        def helper():
            return 1
    """)
    assert "helper" in dir(project.module("lazy"))


def test_a_removed_all_gives_star_importers_every_public_name(project):
    project.save("helpers", """
        __all__ = ["slugify"]


        def slugify(s):
            return s.lower()


        def shout(s):
            return s.upper()
    """)
    project.save("views", """
        from M_helpers import *
    """)
    assert not hasattr(project.module("views"), "shout")
    project.save("helpers", """
        def slugify(s):
            return s.lower()


        def shout(s):
            return s.upper()
    """)
    assert "__all__" not in vars(project.module("helpers"))
    assert project.module("views").shout("hi") == "HI"


def test_the_import_systems_dunders_stay(project):
    project.save("m", """
        \"\"\"Doc.\"\"\"
        __doc__ = "Set."
        X = 1
    """)
    project.save("m", """
        X = 2
    """)
    module = project.module("m")
    assert module.__name__ == project.name("m") and module.__file__ and module.__spec__ is not None
    assert sys.modules[module.__name__] is module
