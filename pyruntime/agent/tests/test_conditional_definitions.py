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


# A module-level assignment directly under an if, for each form the run's
# bind hook reports, and the names it binds.
ASSIGNMENTS = [
    ('LEVEL = "verbose"', ["LEVEL"]),  # a constant a re-run would give again, the same object
    ("LIMIT: int = 10", ["LIMIT"]),
    ("LOW, (HIGH, *REST) = 1, (2, 3)", ["LOW", "HIGH", "REST"]),
    ("FIRST = SECOND = None", ["FIRST", "SECOND"]),
    ("TRACER = print", ["TRACER"]),  # a builtin: not this module's function
]


def test_an_assignment_under_a_flag_turned_off_is_removed(project):
    for assignment, names in ASSIGNMENTS:
        source = "DEBUG = %s\n\nif DEBUG:\n    " + assignment + "\n\n\ndef read():\n    return " + names[0] + "\n"
        project.save("tools", source % "True")
        assert all(hasattr(project.module("tools"), n) for n in names), assignment
        reply = project.save("tools", source % "False")
        assert not any(hasattr(project.module("tools"), n) for n in names), assignment
        # A fresh run would not bind them either: read() raises NameError
        # there too, so no line is warned about, only the removal said.
        assert [n.get("line") for n in reply["notes"]] == [None], reply["notes"]
        assert "the `if` around it was false" in reply["notes"][0]["text"]
        project.save("tools", source % "True")
        assert all(hasattr(project.module("tools"), n) for n in names), assignment


def test_an_assignment_under_another_modules_flag_goes_when_the_importer_re_runs(project):
    project.save("flags", "PDF = True\n")
    project.save("feature", """
        from M_flags import PDF

        if PDF:
            RENDERER = "pdf"
    """)
    assert project.module("feature").RENDERER == "pdf"
    project.save("flags", "PDF = False\n")
    assert not hasattr(project.module("feature"), "RENDERER")


# Sources (with %d for a number a save edits) whose names under an if stay
# across saves, each with the name and what it holds after the last save.
KEPT = [
    # The other branch binds it.
    ('DEBUG = %d < 2\nif DEBUG:\n    LEVEL = "verbose"\nelse:\n    LEVEL = "quiet"\n', "LEVEL", "quiet"),
    # Bound before the if; `+=` under it binds nothing new.
    ("COUNT = 0\nif %d < 2:\n    COUNT += 1\n", "COUNT", 0),
    # Bound on purpose only once: the test asks whether it exists.
    ('if "cache" not in globals():\n    cache = {"n": %d}\n', "cache", {"n": 1}),
    ('import sys\nN = %d\nif not hasattr(sys.modules[__name__], "cache"):\n    cache = {"n": N}\n', "cache", {"n": 1}),
    # Bound once behind a flag the module keeps across saves.
    ("try:\n    _ready\nexcept NameError:\n    _ready = False\nN = %d\nif not _ready:\n"
     "    registry = {\"n\": N}\n    _ready = True\n", "registry", {"n": 1}),
]


def test_a_name_kept_on_purpose_or_bound_elsewhere_stays(project):
    for source, name, value in KEPT:
        project.save("m", source % 1)
        project.save("m", source % 2)
        assert getattr(project.module("m"), name) == value, source
        project.close()


def test_a_name_under_a_false_if_in_a_module_setting_globals_dynamically_stays_and_is_said(project):
    source = """
        DEBUG = %s

        if DEBUG:
            LEVEL = "verbose"

        globals().update(EXTRA=1)
    """
    project.save("m", source % "True")
    reply = project.save("m", source % "False")
    assert project.module("m").LEVEL == "verbose"  # globals() may have bound it: kept, and said
    assert [(n["line"], "did not define LEVEL in this run" in n["text"]) for n in reply["notes"]] == [(7, True)]
