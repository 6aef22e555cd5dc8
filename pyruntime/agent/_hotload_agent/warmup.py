"""Warming a spare worker: it runs requests of its own before it is needed.

A worker forked from the zygote shares every page of the zygote's heap until
it writes to one, and Python writes all the time: a reference count goes up
whenever an object is used, so the first request in a new worker copies
every page holding an object it uses (the interpreter's constants and types,
the agent's functions, importlib, json), a few hundred pages at several
microseconds each on a small VM. The spare copies them while it waits, by
running the requests a first save makes, exactly as real ones run, then
removes every trace of them: the module, its record, their output.

The module it imports is os.devnull, an empty file every POSIX system has:
the warm-up writes no file, so a spare killed while it warms up (the server
exiting, a restart) leaves nothing behind in the temporary folder.
"""

import os
import sys

from .protocol import decode, encode

# The module the warm-up imports, from os.devnull.
WARMUP_MODULE = "_hotload_warmup"

# What it then runs in that module: it prints and ends in an expression,
# so output, the value's repr and the reply are all encoded once.
WARMUP_CODE = "x = [1, 2, 3]\nprint(len(x))\nx\n"


class NullChannel:
    """A channel that encodes what it is given, as the real one does, and
    sends nothing."""

    def send(self, msg):
        encode(msg)


def warmup_requests():
    """The warm-up's requests: the module's import, as a save's reload,
    then the code evaluated in it."""
    where = {"module": WARMUP_MODULE, "path": os.devnull}
    return [dict(where, id=0, op="reload"), dict(where, id=0, op="evaluate", code=WARMUP_CODE)]


def warm(agent):
    """Runs the warm-up's requests in agent without sending anything, then
    leaves the process as it was: the module is neither in sys.modules nor
    in the workspace's record of what ran. A warm-up that fails only leaves
    the pages to be copied by the first request."""
    channel = agent.channel
    agent.channel = NullChannel()
    agent.site.holding = True  # its notes are the first save's to send
    try:
        for msg in warmup_requests():
            # As the reader thread receives a request: a line, decoded, queued.
            msg = decode(encode(msg).rstrip(b"\n"))
            agent.accept(msg)
            agent.requests.put(msg)
            agent.handle(agent.requests.get())
    except Exception:
        pass
    finally:
        agent.channel = channel
        agent.site.holding = False
        sys.modules.pop(WARMUP_MODULE, None)
        agent.workspace.ran.pop(WARMUP_MODULE, None)
