"""Warming a spare worker: it runs a request of its own before it is needed.

A worker forked from the zygote shares every page of the zygote's heap until
it writes to one, and Python writes all the time: a reference count goes up
whenever an object is used, so the first request in a new worker copies
every page holding an object it uses (the interpreter's constants and types,
the agent's functions, importlib, json), a few hundred pages at several
microseconds each on a small VM. The spare copies them while it waits, by
running the reload of a one-line module exactly as a real request would,
then removes every trace of it: the module, its file, its output.
"""

import json
import os
import sys
import tempfile

from .protocol import encode

# The module the warm-up reloads: it prints and ends in an expression, so
# output, the value's repr and the reply are all encoded once.
WARMUP_MODULE = "_hotload_warmup"
WARMUP_SOURCE = b"x = [1, 2, 3]\nprint(len(x))\nx\n"


class NullChannel:
    """A channel that encodes what it is given, as the real one does, and
    sends nothing."""

    def send(self, msg):
        encode(msg)


def warm(agent):
    """Runs a representative reload in agent without sending anything, then
    leaves the process as it was: the module is not in sys.modules, the file
    is gone. A warm-up that fails (no writable temporary folder) only leaves
    the pages to be copied by the first request."""
    path = None
    channel = agent.channel
    try:
        fd, path = tempfile.mkstemp(suffix=".py", prefix="hotload-warmup-")
        with os.fdopen(fd, "wb") as f:
            f.write(WARMUP_SOURCE)
        # As the reader thread receives a request: a line of JSON, queued.
        msg = json.loads(encode({"id": 0, "op": "reload", "module": WARMUP_MODULE, "path": path}))
        agent.channel = NullChannel()
        agent.accept(msg)
        agent.requests.put(msg)
        agent.handle(agent.requests.get())
    except Exception:
        pass
    finally:
        agent.channel = channel
        sys.modules.pop(WARMUP_MODULE, None)
        if path is not None:
            try:
                os.remove(path)
            except OSError:
                pass
