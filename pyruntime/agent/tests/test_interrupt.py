"""Interrupts reach the request they were meant for, and no other."""

import signal
import threading
import time

import pytest

from _hotload_agent import agent as agent_module
from _hotload_agent.agent import Agent
from _hotload_agent.ops import HANDLERS


class Recorder:
    """A channel that keeps what the agent sends."""

    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


@pytest.fixture
def agent():
    a = Agent(Recorder())
    previous = signal.signal(signal.SIGINT, a.on_sigint)
    yield a
    signal.signal(signal.SIGINT, previous)


def run(agent, rid, code):
    agent.accept({"id": rid})
    agent.handle({"id": rid, "op": "evaluate", "module": "__main__", "path": __file__, "code": code})
    return agent.channel.sent[-1]


def test_an_interrupt_after_the_request_ended_finds_nothing(agent):
    assert run(agent, 1, "1 + 1")["value"] == "2"
    assert agent.interrupt(1) is None
    assert agent.interrupt() is None
    assert run(agent, 2, "2 + 2")["value"] == "4"


def test_a_late_sigint_does_not_land_in_the_next_request(agent):
    # Regression: the SIGINT of an interrupt could arrive after its request
    # had ended and raise in the agent's own code or the next request.
    assert run(agent, 1, "1")["value"] == "1"
    agent._signals_sent += 1  # a signal of ours, still on its way
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    reply = run(agent, 2, "sum(range(100000))")
    assert reply["error"] is None, reply["error"]


def test_a_queued_request_stops_as_it_starts(agent):
    agent.accept({"id": 7})
    assert agent.interrupt() == "queued"
    agent.handle({"id": 7, "op": "evaluate", "module": "__main__", "path": __file__, "code": "'ran'"})
    reply = agent.channel.sent[-1]
    assert reply["error"]["type"] == "KeyboardInterrupt"
    assert run(agent, 8, "'next'")["value"] == "'next'"


def test_a_targeted_interrupt_spares_the_others(agent):
    agent.accept({"id": 3})
    agent.accept({"id": 4})
    assert agent.interrupt(4) == "queued"
    agent.handle({"id": 3, "op": "evaluate", "module": "__main__", "path": __file__, "code": "3"})
    assert agent.channel.sent[-1]["value"] == "3"
    agent.handle({"id": 4, "op": "evaluate", "module": "__main__", "path": __file__, "code": "4"})
    assert agent.channel.sent[-1]["error"]["type"] == "KeyboardInterrupt"


def test_a_sigint_that_is_not_ours_raises_in_user_code(agent):
    reply = run(agent, 1, "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)")
    assert reply["error"]["type"] == "KeyboardInterrupt"


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="Windows: raise_signal sets the event time.sleep waits on")
def test_a_sigint_lost_before_a_blocking_call_is_sent_again(agent, monkeypatch):
    # Regression: a SIGINT that arrives after Python last checked for
    # signals and before a blocking call only trips Python's flag, and
    # time.sleep waited on. Here the interrupt's first signal is lost that
    # way; the one the agent sends after it stops the sleep.
    signals = []

    def first_lost(ident):
        signals.append(ident)
        if len(signals) > 1:
            signal.pthread_kill(ident, signal.SIGINT)

    monkeypatch.setattr(agent_module, "interrupt_main_thread", first_lost)

    def interrupt_once_running():
        while not agent._interruptible:
            time.sleep(0.001)
        agent.interrupt()

    threading.Thread(target=interrupt_once_running, daemon=True).start()
    reply = run(agent, 1, "import time\ntime.sleep(30)")
    assert reply["error"]["type"] == "KeyboardInterrupt"
    assert len(signals) == 2
    # One signal was counted and never seen: the count is settled when the
    # request ends, so a SIGINT the next request's code sends itself is
    # not taken for a late one of ours.
    reply = run(agent, 2, "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)")
    assert reply["error"]["type"] == "KeyboardInterrupt"


def test_code_with_a_sigint_handler_of_its_own_gets_one_signal(agent):
    # A handler of the code's own may count the signals (a server's second
    # Ctrl-C forces its exit): an interrupt sends it one, as Ctrl-C would,
    # though the agent's own handler never sees it taken.
    def interrupt_once_handled():
        while signal.getsignal(signal.SIGINT) == agent.on_sigint:
            time.sleep(0.001)
        agent.interrupt()

    threading.Thread(target=interrupt_once_handled, daemon=True).start()
    # The code waits for the signal however slow the machine, then four
    # periods more, in which the agent would signal again.
    code = ("import signal, time\ncalls = []\nsignal.signal(signal.SIGINT, lambda *a: calls.append(1))\n"
            "for _ in range(3000):\n    if calls:\n        break\n    time.sleep(0.01)\n"
            "for _ in range(20):\n    time.sleep(0.01)\nlen(calls)")
    assert run(agent, 1, code)["value"] == "1"


def test_running_names_a_request_received_but_not_started(agent):
    # Regression: a hover answered between a save's arrival and its start
    # read the value with no note, and its repr then ran beside the save.
    assert agent.running() is None
    agent.accept({"id": 3, "op": "reload", "module": "loop"})
    agent.accept({"id": 4, "op": "evaluate", "module": "other"})
    assert agent.running() == "loop"
    run(agent, 3, "1")
    assert agent.running() == "other"
    run(agent, 4, "1")
    assert agent.running() is None


def test_compiling_typed_text_is_not_running_code(agent, monkeypatch):
    # A prepare (prepared.py) runs none of the user's code: while it
    # compiles, an interrupt finds nothing to stop and a hover shows values.
    seen = {}

    def prepare(agent, msg):
        seen["running"] = agent.running()
        seen["interrupt"] = agent.interrupt()
        return {"prepared": False}

    monkeypatch.setitem(HANDLERS, "prepare", prepare)
    agent.accept({"id": 1, "op": "prepare"})
    agent.handle({"id": 1, "op": "prepare", "module": "lib", "path": "/ws/lib.py", "code": "x = 1\n"})
    assert agent.channel.sent[-1]["error"] is None
    assert seen == {"running": None, "interrupt": None}
    assert run(agent, 2, "'next'")["value"] == "'next'"
