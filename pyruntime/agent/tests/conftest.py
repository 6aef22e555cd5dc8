"""pytest setup: the agent package is imported from disk, as
_hotload_agent; the project fixture, modules saved through the agent."""

import os
import sys
import textwrap
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _hotload_agent import ops
from _hotload_agent.graph import Workspace


class Project:
    """Modules in a folder, written and saved through the agent's reload
    operation, as the server does. Their names start with a prefix of
    their own (sys.modules is shared by the tests); M_ in a source stands
    for it."""

    class Agent:
        attached = False
        loaded_before = frozenset()  # what Python loaded before the agent (shadowed.py)
        app = None  # no program runs (see app.py)

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.prefix = "m" + uuid.uuid4().hex[:8] + "_"
        self.agent = self.Agent()
        self.agent.workspace = Workspace()
        ops.op_setup(self.agent, {"sys_path": [str(tmp_path)], "workspace_roots": [str(tmp_path)]})

    def name(self, short):
        return self.prefix + short

    def file(self, short):
        return self.name(short) + ".py"

    def save(self, short, source):
        path = self.dir / self.file(short)
        path.write_text(textwrap.dedent(source).replace("M_", self.prefix))
        reply = ops.op_reload(self.agent, {"module": self.name(short), "path": str(path)})
        assert not reply.get("error"), reply["error"]["text"]
        return reply

    def module(self, short):
        return sys.modules[self.name(short)]

    def close(self):
        for name in [n for n in sys.modules if n.startswith(self.prefix)]:
            del sys.modules[name]


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path)
    yield p
    p.close()
