"""The first save of a module that is not loaded yet: the loaded modules
whose running version imports it run again, as a fresh run would run them
with it."""

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
