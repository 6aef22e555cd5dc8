"""The first save of a module that is not loaded yet, or that something
else loaded (an evaluation, the program) after they ran: the loaded
modules whose running version imports it run again, as a fresh run would
run them with it."""

import importlib
import sys
import textwrap

import pytest

from _hotload_agent import ops

FALLBACK = """\
try:
    from M_fast import compute
    IMPL = "fast"
except ImportError:
    from M_slow import compute
    IMPL = "slow"
"""

CASES = [
    # (what, {module: source} saved in order, the saved module's new
    # source, {module: (expression, value a fresh run gives)})
    ("a try-import's fallback gives way", {
        "slow": "def compute(x):\n    return x\n",
        "fast": "raise ImportError('not built yet')\n",
        "app": FALLBACK,
    }, ("fast", "def compute(x):\n    return x * 100\n"), {
        "app": ("(IMPL, compute(3))", ("fast", 300)),
    }),
    ("a star import of local settings takes effect, and the settings' importer re-runs", {
        "local": "raise ImportError('no local settings')\n",
        "settings": """
            DEBUG = False
            DB = "postgres://prod"
            try:
                from M_local import *
            except ImportError:
                pass
        """,
        "app": "from M_settings import DEBUG\n",
    }, ("local", "DEBUG = True\nDB = 'sqlite://'\n"), {
        "settings": ("(DEBUG, DB)", (True, "sqlite://")),
        "app": ("DEBUG", True),
    }),
    ("a module that puts an instance in its place in sys.modules", {
        "settings": """
            import sys
            class _Settings:
                host = "localhost"
                @property
                def url(self):
                    return "http://" + self.host
            sys.modules[__name__] = _Settings()
        """,
        "app": "import M_settings\nURL = M_settings.url\n",
    }, ("settings", """
            import sys
            class _Settings:
                host = "example.com"
                @property
                def url(self):
                    return "https://" + self.host
            sys.modules[__name__] = _Settings()
    """), {
        "app": ("(URL, M_settings.url)", ("https://example.com", "https://example.com")),
    }),
]


@pytest.mark.parametrize("what, first, saved, want", CASES, ids=[c[0] for c in CASES])
def test_the_first_save_of_a_module_re_runs_its_importers(project, what, first, saved, want):
    for short, source in first.items():
        if short == saved[0]:
            # It raises: nothing loads it, and its importers go on without it.
            (project.dir / project.file(short)).write_text(textwrap.dedent(source))
        else:
            project.save(short, source)
    reply = project.save(*saved)
    for short, (expr, value) in want.items():
        namespace = project.module(short).__dict__
        assert eval(expr.replace("M_", project.prefix), namespace) == value, short
        assert project.name(short) in reply["reloaded"]


def test_a_first_save_that_nothing_imports_runs_only_itself(project):
    project.save("app", "X = 1\n")
    reply = project.save("new", "Y = 2\n")
    assert reply["reloaded"] == [project.name("new")]
    assert project.module("app").X == 1


def test_an_importer_that_fails_with_the_new_module_rolls_the_save_back(project):
    project.save("slow", "def compute(x):\n    return x\n")
    (project.dir / project.file("fast")).write_text("raise ImportError('not built yet')\n")
    project.save("app", FALLBACK + "\nRESULT = compute(2)\n")
    path = project.dir / project.file("fast")
    path.write_text("def compute(x):\n    raise ValueError('not ready')\n")
    reply = ops.op_reload(project.agent, {"module": project.name("fast"), "path": str(path)})
    assert "ValueError" in reply["error"]["text"]
    assert reply["rolled_back"]
    app = project.module("app")
    assert (app.IMPL, app.RESULT) == ("slow", 2)
    # As before the save: a fresh run would fail at app, so fast is not
    # loaded, and its next save tries again.
    assert project.name("fast") not in sys.modules
    path.write_text("def compute(x):\n    return x * 100\n")
    reply = ops.op_reload(project.agent, {"module": project.name("fast"), "path": str(path)})
    assert not reply.get("error"), reply["error"]["text"]
    assert (app.IMPL, app.RESULT) == ("fast", 200)


def test_an_importer_the_program_imported_re_runs_too(project):
    # Its source is read, not parsed, until a save asks what it imports.
    for short, source in [("slow", "def compute(x):\n    return x\n"), ("fast", "raise ImportError('not built yet')\n"),
                          ("other", "X = 1\n"), ("app", FALLBACK)]:
        (project.dir / project.file(short)).write_text(source.replace("M_", project.prefix))
    importlib.import_module(project.name("other"))
    importlib.import_module(project.name("app"))
    project.agent.workspace.note_loaded()
    # A first save that nothing imports parses no module whose source
    # does not name it.
    assert project.save("lone", "Y = 2\n")["reloaded"] == [project.name("lone")]
    assert project.agent.workspace.ran[project.name("other")].shape is None
    reply = project.save("fast", "def compute(x):\n    return x * 100\n")
    assert reply["reloaded"] == [project.name("fast"), project.name("app")]
    assert project.module("app").IMPL == "fast"


def evaluate(project, short, code):
    """Runs code in module short's namespace as hotload.evaluate does."""
    path = project.dir / project.file(short)
    reply = ops.op_evaluate(project.agent, {"module": project.name(short), "path": str(path), "code": code})
    assert not reply.get("error"), reply["error"]["text"]
    return reply


def import_in_program(project, short):
    """Imports module short as the program's own code would, between two
    requests."""
    importlib.import_module(project.name(short))


LOADS = [
    # (what loads fast, now importable, before its first save; how)
    ("an evaluation of a selection in its file", lambda p: evaluate(p, "fast", "compute(2)")),
    ("an evaluation of an import of it in the importer", lambda p: evaluate(p, "app", "import M_fast".replace("M_", p.prefix))),
    ("the program's own code", lambda p: import_in_program(p, "fast")),
    ("another module's save", lambda p: p.save("other", "import M_fast\n")),
]


@pytest.mark.parametrize("what, load", LOADS, ids=[c[0] for c in LOADS])
def test_the_first_save_of_a_module_loaded_otherwise_re_runs_those_that_ran_without_it(project, what, load):
    project.save("slow", "def compute(x):\n    return x\n")
    fast = project.dir / project.file("fast")
    fast.write_text("raise ImportError('not built yet')\n")
    project.save("app", FALLBACK)
    fast.write_text("def compute(x):\n    return x * 10\n")
    load(project)
    reply = project.save("fast", "def compute(x):\n    return x * 100\n")
    app = project.module("app")
    assert (app.IMPL, app.compute(3)) == ("fast", 300)
    assert project.name("app") in reply["reloaded"]
    # It ran with the module now: the next save is like any other.
    reply = project.save("fast", "def compute(x):\n    return x * 1000\n")
    assert reply["reloaded"] == [project.name("fast")]
    assert app.compute(3) == 3000


def test_a_save_of_a_module_its_importer_ran_with_re_runs_nothing_else(project):
    # Loaded before the importer ran, and with it: a function body edited
    # in place re-runs no importer, whatever the requests in between.
    project.save("fast", "def compute(x):\n    return x * 10\n")
    project.save("app", FALLBACK)
    evaluate(project, "app", "compute(2)")
    reply = project.save("fast", "def compute(x):\n    return x * 100\n")
    assert reply["reloaded"] == [project.name("fast")]
    reply = project.save("fast", "def compute(x):\n    return x * 1000\n")
    assert reply["reloaded"] == [project.name("fast")]


def test_an_importer_that_fails_with_a_module_an_evaluation_loaded_rolls_the_save_back(project):
    project.save("slow", "def compute(x):\n    return x\n")
    fast = project.dir / project.file("fast")
    fast.write_text("raise ImportError('not built yet')\n")
    project.save("app", FALLBACK + "if IMPL == 'fast':\n    raise RuntimeError('fast is not ready')\n")
    fast.write_text("def compute(x):\n    return x * 10\n")
    evaluate(project, "fast", "compute(2)")
    for _ in range(2):
        # As before the save: fast as the evaluation loaded it, and its
        # next save is still its first.
        fast.write_text("def compute(x):\n    return x * 100\n")
        reply = ops.op_reload(project.agent, {"module": project.name("fast"), "path": str(fast)})
        assert "RuntimeError: fast is not ready" in reply["error"]["text"]
        assert reply["rolled_back"]
        assert project.module("app").IMPL == "slow"
        assert project.module("fast").compute(2) == 20
