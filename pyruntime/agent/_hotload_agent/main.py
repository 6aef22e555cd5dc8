"""The entry point of a runtime the server started."""

import faulthandler
import os
import sys

from .agent import Agent, serve_agent
from .protocol import Channel, encode
from .zygote import Zygote


def main(loaded_before):
    """Serves the server on stdin and stdout, as a zygote or a runtime.
    loaded_before names the modules Python loaded before the agent's own
    imports (see shadowed.py)."""
    # Keep the original pipes as the private channel, then make fds 0 and 1 safe.
    infd, outfd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, "r")
    faulthandler.enable(file=sys.__stderr__, all_threads=True)
    zygote = sys.argv[1:] == ["zygote"]
    del sys.argv[1:]
    if zygote:
        if not hasattr(os, "fork"):
            os.write(outfd, b"0 " + encode({"id": None, "event": "ready", "pid": os.getpid(), "fork": False}))
            os.read(infd, 1)
            os._exit(0)
        Zygote(infd, outfd, loaded_before).serve()
    serve_agent(Agent(Channel(infd, outfd), loaded_before=loaded_before))
