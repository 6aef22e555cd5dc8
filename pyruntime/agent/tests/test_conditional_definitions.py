"""A function or class a module defines only under an if is removed when
a run finds the condition false, as a fresh run would not define it; a
definition kept on purpose (an if asking whether it exists) stays."""


def test_a_def_under_a_flag_turned_off_is_removed(project):
    source = """
        DEBUG = %s


        def run():
            return "run"


        if DEBUG:
            def debug_dump():
                return "dump"

            class Inspector:
                pass
    """
    project.save("tools", source % "True")
    assert project.module("tools").debug_dump() == "dump"
    project.save("tools", source % "False")
    module = project.module("tools")
    assert not hasattr(module, "debug_dump") and not hasattr(module, "Inspector")
    assert module.run() == "run"
    project.save("tools", source % "True")
    assert project.module("tools").debug_dump() == "dump"


def test_a_def_under_another_modules_flag_goes_when_the_importer_re_runs(project):
    project.save("flags", "PDF = True\n")
    project.save("feature", """
        import M_flags

        if M_flags.PDF:
            def pdf_tool():
                return "pdf"
    """)
    assert project.module("feature").pdf_tool() == "pdf"
    project.save("flags", "PDF = False\n")
    assert not hasattr(project.module("feature"), "pdf_tool")


def test_a_def_the_other_branch_binds_stays(project):
    source = """
        FAST = %s

        if FAST:
            def compute():
                return "fast"
        else:
            compute = None
    """
    project.save("m", source % "True")
    project.save("m", source % "False")
    assert project.module("m").compute is None


def test_a_definition_kept_on_purpose_stays(project):
    source = """
        import sys

        X = %d

        if not hasattr(sys.modules[__name__], "Cache"):
            class Cache:
                pass
    """
    project.save("m", source % 1)
    cache = project.module("m").Cache
    project.save("m", source % 2)
    assert project.module("m").Cache is cache
