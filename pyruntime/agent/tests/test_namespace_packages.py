"""A folder without __init__.py is a namespace package: code imports
`app/utils.py` as `app.utils`, while hotload names the file by its folder,
`utils`, as `python app/utils.py` sees it. A save or an evaluation of the
file reaches the module user code loaded, and every module loaded from
it, rather than a second copy of the file."""

import os
import sys
import uuid

import pytest

from _hotload_agent import ops
from _hotload_agent.graph import Workspace


class Namespace:
    """A workspace root with a folder APP/ that has no __init__.py. Names
    start with a prefix of their own (sys.modules is shared by the tests):
    APP and UTILS in a source stand for the prefixed folder and file."""

    class Agent:
        attached = False
        loaded_before = frozenset()  # what Python loaded before the agent (shadowed.py)
        app = None

    def __init__(self, tmp_path):
        self.root = str(tmp_path)
        self.prefix = "n" + uuid.uuid4().hex[:8] + "_"
        self.app = self.prefix + "app"
        self.folder = os.path.join(self.root, self.app)
        os.makedirs(self.folder)
        self.agent = self.Agent()
        self.agent.workspace = Workspace()
        self.sys_path = list(sys.path)
        ops.op_setup(self.agent, {"sys_path": [self.root], "workspace_roots": [self.root]})

    def short(self, stem):
        return self.prefix + stem

    def dotted(self, stem):
        """The module name of APP/stem.py imported as a namespace package's."""
        return self.app + "." + self.short(stem)

    def path(self, stem):
        return os.path.join(self.folder, self.short(stem) + ".py")

    def write(self, stem, source):
        with open(self.path(stem), "w") as f:
            f.write(source.replace("APP", self.app).replace("UTILS", self.short("utils")))

    def request(self, stem, **extra):
        """A request as the server sends it: the file named by its folder."""
        msg = {"module": self.short(stem), "path": self.path(stem), "path_entry": self.folder}
        msg.update(extra)
        return msg

    def save(self, stem, source=None, fails=False):
        if source is not None:
            self.write(stem, source)
        reply = ops.op_reload(self.agent, self.request(stem))
        assert bool(reply.get("error")) == fails, reply.get("error")
        return reply

    def value(self, stem, code):
        reply = ops.op_evaluate(self.agent, self.request(stem, code=code))
        assert not reply.get("error"), reply["error"]["text"]
        return reply["value"]

    def close(self):
        sys.path[:] = self.sys_path
        for name in [n for n in sys.modules if n.startswith(self.prefix)]:
            del sys.modules[name]


@pytest.fixture
def ns(tmp_path):
    n = Namespace(tmp_path)
    n.write("utils", "def f():\n    return 1\n\ncalls = 0\n")
    n.write("main", "from APP.UTILS import f\n\nLOADED = f()\n\ndef run():\n    return f()\n")
    yield n
    n.close()


def test_a_save_reaches_the_module_the_code_imported(ns):
    ns.save("main")
    assert ns.dotted("utils") in sys.modules
    reply = ns.save("utils", "def f():\n    return 2\n\ncalls = 0\n")
    assert reply["reloaded"][0] == ns.dotted("utils")
    assert ns.value("main", "run()") == "2"
    assert ns.value("main", "LOADED") == "2"  # main ran again: it called f at import time
    assert ns.short("utils") not in sys.modules  # no second copy of the file


def test_an_evaluation_runs_in_the_module_the_code_imported(ns):
    ns.save("main")
    ns.value("utils", "calls = 7")
    assert sys.modules[ns.dotted("utils")].calls == 7
    assert ns.short("utils") not in sys.modules


def test_a_file_loaded_as_two_modules_updates_both(ns):
    ns.save("utils")  # hotload's own name first: `utils`
    ns.save("main")  # then the code's: `APP.utils`, a second module of the same file
    assert sys.modules[ns.short("utils")] is not sys.modules[ns.dotted("utils")]
    reply = ns.save("utils", "def f():\n    return 3\n\ncalls = 0\n")
    assert set(reply["reloaded"]) == {ns.short("utils"), ns.dotted("utils"), ns.short("main")}
    assert sys.modules[ns.short("utils")].f() == 3
    assert ns.value("main", "(run(), LOADED)") == "(3, 3)"


def test_a_failed_save_of_a_file_loaded_twice_leaves_both_as_they_were(ns):
    ns.save("utils")
    ns.save("main")
    ns.save("utils", "def f():\n    return 4\n\ncalls = 0\nif __name__.count('.'):\n    1 / 0\n", fails=True)
    assert sys.modules[ns.short("utils")].f() == 1
    assert sys.modules[ns.dotted("utils")].f() == 1
    assert ns.value("main", "(run(), LOADED)") == "(1, 1)"


def test_the_text_ahead_is_compiled_for_the_module_the_code_imported(ns):
    ns.save("main")
    source = "def f():\n    return 5\n\ncalls = 0\n"
    reply = ops.op_prepare(ns.agent, ns.request("utils", code=source))
    assert reply == {"prepared": True}
    ns.write("utils", source)
    reply = ns.save("utils")
    assert reply.get("prepared") is True
    assert ns.value("main", "run()") == "5"
