"""The data files a module's run reads (reads.py): each module's reload
reply names them, so that the server runs the module again when one
changes, as a fresh run would read the new contents."""

import os

import pytest

from _hotload_agent import ops
from _hotload_agent.reads import Reads


@pytest.fixture
def reading(project):
    project.agent.reads = Reads()
    (project.dir / "settings.json").write_text('{"greeting": "hello"}')
    return project


def data_reads(reply):
    return {r["module"]: [os.path.basename(p) for p in r["data"]] for r in reply.get("data_reads", [])}


@pytest.mark.parametrize("how, source", [
    ("open", 'import json, os\nS = json.load(open(os.path.join(os.path.dirname(__file__), "settings.json")))\n'),
    ("Path.read_text", 'from pathlib import Path\nS = Path(__file__).with_name("settings.json").read_text()\n'),
    ("os.open", 'import os\nfd = os.open(os.path.join(os.path.dirname(__file__), "settings.json"), os.O_RDONLY)\n'
                'os.close(fd)\n'),
    ("open, binary", 'import os\nwith open(os.path.join(os.path.dirname(__file__), "settings.json"), "rb") as f:\n'
                     '    S = f.read()\n'),
    ("a function the module body calls", 'import os\ndef load(name):\n'
                                         '    with open(os.path.join(os.path.dirname(__file__), name)) as f:\n'
                                         '        return f.read()\nS = load("settings.json")\n'),
])
def test_a_module_that_reads_a_file_as_it_runs_names_it(reading, how, source):
    reply = reading.save("config", source)
    want = {reading.name("config"): ["settings.json"]}
    assert data_reads(reply) == want, how
    assert reply["data_reads"][0]["data"] == [str(reading.dir / "settings.json")]
    assert reply["data_reads"][0]["file"] == str(reading.dir / reading.file("config"))


def test_a_relative_path_is_read_from_the_working_directory(reading, monkeypatch):
    monkeypatch.chdir(reading.dir)
    reply = reading.save("config", 'S = open("settings.json").read()\n')
    assert reply["data_reads"][0]["data"] == [str(reading.dir / "settings.json")]


@pytest.mark.parametrize("how, source", [
    ("open w", 'open(HERE + "/out.txt", "w").close()\n'),
    ("open a", 'open(HERE + "/settings.json", "a").close()\n'),
    ("open r+", 'open(HERE + "/settings.json", "r+").close()\n'),
    ("open x", 'open(HERE + "/new.txt", "x").close()\n'),
    ("os.open O_WRONLY", 'os.close(os.open(HERE + "/settings.json", os.O_WRONLY))\n'),
    ("Path.write_text", 'import pathlib\npathlib.Path(HERE, "out2.txt").write_text("x")\n'),
    ("a directory", 'os.close(os.open(HERE, os.O_RDONLY))\n'),
    ("a .py file", 'open(__file__).read()\n'),
    ("a file outside the workspace", 'open(os.__file__.replace(".pyc", ".py")).close()\nopen(OUTSIDE).close()\n'),
    ("a file that does not exist", 'try:\n    open(HERE + "/missing.txt")\nexcept OSError:\n    pass\n'),
    ("a file the run reads, then writes (its own state)",
     'n = len(open(HERE + "/settings.json").read())\nopen(HERE + "/settings.json", "w").write(str(n))\n'),
    ("a file the run reads, then replaces atomically (its own state)",
     'n = len(open(HERE + "/settings.json").read())\nopen(HERE + "/tmp.json", "w").write(str(n))\n'
     'os.replace(HERE + "/tmp.json", HERE + "/settings.json")\n'),
    ("a file the run reads, then renames a new one over",
     'n = len(open(HERE + "/settings.json").read())\nopen(HERE + "/tmp.json", "w").write(str(n))\n'
     'os.rename(HERE + "/tmp.json", HERE + "/settings.json")\n'),
])
def test_what_a_run_does_not_read_as_data_is_not_named(reading, tmp_path_factory, how, source):
    outside = tmp_path_factory.mktemp("outside") / "data.txt"
    outside.write_text("x")
    prelude = 'import os\nHERE = os.path.dirname(__file__)\nOUTSIDE = %r\n' % str(outside)
    reply = reading.save("config", prelude + source)
    assert data_reads(reply) == {}, how


def test_a_module_imported_for_the_first_time_by_a_run_names_its_own_reads(reading):
    (reading.dir / "main.txt").write_text("main")
    (reading.dir / "helper.txt").write_text("helper")
    (reading.dir / reading.file("helper")).write_text(
        'import os\nH = open(os.path.join(os.path.dirname(__file__), "helper.txt")).read()\n')
    reply = reading.save("main", '''
        import os
        A = open(os.path.join(os.path.dirname(__file__), "main.txt")).read()
        import M_helper
        B = open(os.path.join(os.path.dirname(__file__), "main.txt")).read()
    ''')
    assert data_reads(reply) == {reading.name("main"): ["main.txt"], reading.name("helper"): ["helper.txt"]}


def test_a_run_that_no_longer_reads_a_file_drops_it(reading):
    reading.save("config", 'import os\nS = open(os.path.join(os.path.dirname(__file__), "settings.json")).read()\n')
    reply = reading.save("config", 'S = "{}"\n')
    assert data_reads(reply) == {reading.name("config"): []}
    assert reading.agent.reads.by_module == {}
    reply = reading.save("config", 'S = "{}"\n')
    assert "data_reads" not in reply  # nothing read now, nor before


def test_a_save_rolled_back_keeps_what_the_run_before_read(reading):
    (reading.dir / "other.json").write_text("{}")
    reading.save("config", 'import os\nS = open(os.path.join(os.path.dirname(__file__), "settings.json")).read()\n')
    path = reading.dir / reading.file("config")
    path.write_text('import os\nS = open(os.path.join(os.path.dirname(__file__), "other.json")).read()\n1 / 0\n')
    reply = ops.op_reload(reading.agent, {"module": reading.name("config"), "path": str(path)})
    assert reply["rolled_back"] and "data_reads" not in reply
    assert reading.agent.reads.by_module == {reading.name("config"): (str(reading.dir / "settings.json"),)}


def test_nothing_is_recorded_outside_a_run(reading):
    reading.save("config", '''
        import os
        def load():
            return open(os.path.join(os.path.dirname(__file__), "settings.json")).read()
    ''')
    reads = reading.agent.reads
    assert reads.installed and reads.recorded is None
    reading.module("config").load()  # as a request of the program would, later
    assert reads.by_module == {}
    reply = reading.save("config", '''
        import os
        def load():
            return open(os.path.join(os.path.dirname(__file__), "settings.json")).read()
        X = 1
    ''')
    assert "data_reads" not in reply  # a function defined, not called, reads nothing


def test_an_attached_agent_adds_no_hook(reading):
    reading.agent.attached = True
    reply = reading.save("config", 'import os\nS = open(os.path.join(os.path.dirname(__file__), "settings.json")).read()\n')
    assert not reading.agent.reads.installed and "data_reads" not in reply


@pytest.mark.parametrize("args", [
    (),
    ("settings.json",),
    (object(), "r", 0),
    (3, "r", 0),
    (None, None, None),
    ("\0bad", "r", 0),
    (b"\xff\xfe", "r", 0),
])
def test_the_hook_never_raises(reading, args):
    reads = reading.agent.reads
    reads.install()
    reads.start([str(reading.dir)])
    assert reads.recorded == {}
    try:
        reads.audit("open", args)  # no module body runs here, and the stack may be short
    finally:
        assert reads.stop() == {}


def test_the_hook_does_nothing_while_nothing_records(reading):
    reads = reading.agent.reads
    reads.install()
    reads.audit("open", (object(),))  # not even looked at
    assert reads.recorded is None


def test_a_file_read_through_a_symlink_names_its_target_too(reading):
    (reading.dir / "shared").mkdir()
    (reading.dir / "shared" / "real.json").write_text("{}")
    os.symlink(os.path.join("shared", "real.json"), reading.dir / "link.json")
    reply = reading.save("config", 'import os\nS = open(os.path.join(os.path.dirname(__file__), "link.json")).read()\n')
    assert reply["data_reads"][0]["data"] == sorted([str(reading.dir / "link.json"),
                                                     str(reading.dir / "shared" / "real.json")])


def evaluate(project, short, code):
    """Runs code in module short's namespace as hotload.evaluate does."""
    path = project.dir / project.file(short)
    reply = ops.op_evaluate(project.agent, {"module": project.name(short), "path": str(path), "code": code})
    assert not reply.get("error"), reply["error"]["text"]
    return reply


READS_SETTINGS = 'import os\nS = open(os.path.join(os.path.dirname(__file__), "settings.json")).read()\n'


def test_an_evaluation_that_loads_a_module_names_what_its_run_read(reading):
    (reading.dir / "other.json").write_text("{}")
    (reading.dir / reading.file("config")).write_text(READS_SETTINGS)
    # The evaluated code reads a file too: that is not the module's run.
    reply = evaluate(reading, "config", 'open(os.path.join(os.path.dirname(__file__), "other.json")).read()\nS')
    assert data_reads(reply) == {reading.name("config"): ["settings.json"]}
    assert reply["data_reads"][0]["file"] == str(reading.dir / reading.file("config"))
    assert reading.agent.reads.by_module == {reading.name("config"): (str(reading.dir / "settings.json"),)}


def test_an_evaluation_names_only_the_modules_it_loaded_first(reading):
    (reading.dir / "helper.txt").write_text("helper")
    (reading.dir / "main.txt").write_text("main")
    reading.save("config", READS_SETTINGS)
    reading.save("main", 'X = 1\n')
    (reading.dir / reading.file("helper")).write_text(
        'import os\nH = open(os.path.join(os.path.dirname(__file__), "helper.txt")).read()\n')
    reply = evaluate(reading, "main", '''
import os
import M_config, M_helper
A = open(os.path.join(os.path.dirname(__file__), "main.txt")).read()
M_helper.H
'''.replace("M_", reading.prefix))
    assert data_reads(reply) == {reading.name("helper"): ["helper.txt"]}
    assert reading.agent.reads.by_module == {
        reading.name("config"): (str(reading.dir / "settings.json"),),
        reading.name("helper"): (str(reading.dir / "helper.txt"),),
    }


def test_an_evaluation_of_a_loaded_module_that_reads_a_file_names_nothing(reading):
    reading.save("config", 'import os\nHERE = os.path.dirname(__file__)\n')
    reply = evaluate(reading, "config", 'open(os.path.join(HERE, "settings.json")).read()')
    assert "data_reads" not in reply
    assert reading.agent.reads.by_module == {}
    assert reading.agent.reads.recorded is None


def test_a_failed_evaluation_names_what_the_modules_it_loaded_read(reading):
    # The module stays loaded though the evaluated code raised: its data
    # file is watched all the same, as after a success.
    (reading.dir / reading.file("config")).write_text(READS_SETTINGS)
    path = reading.dir / reading.file("config")
    reply = ops.op_evaluate(reading.agent, {"module": reading.name("config"), "path": str(path), "code": "1 / 0"})
    assert reply["error"]
    assert data_reads(reply) == {reading.name("config"): ["settings.json"]}
    assert reading.agent.reads.by_module == {reading.name("config"): (str(reading.dir / "settings.json"),)}
    assert reading.agent.reads.recorded is None
