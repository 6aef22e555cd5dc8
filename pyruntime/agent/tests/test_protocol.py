"""The channel writes whole lines, whatever interrupts the thread sending."""

import json
import os
import random
import signal
import threading
import time

import pytest

from _hotload_agent.protocol import Channel, decode, encode


def read_lines(fd, into):
    with os.fdopen(fd, "rb") as f:
        for line in f:
            into.append(line)


def test_lines_stay_whole_under_a_storm_of_interrupts():
    # Regression: send wrote with one unchecked write, which a signal cuts
    # short on a full pipe, and a KeyboardInterrupt could land between two
    # writes; the next message was glued to the cut one. Here every send
    # of a line larger than the pipe gets a SIGINT at a random moment
    # (before, during or after its write), whose handler raises.
    to_us, from_channel = os.pipe()
    unused_r, unused_w = os.pipe()
    channel = Channel(unused_r, from_channel)
    lines = []
    reader = threading.Thread(target=read_lines, args=(to_us, lines))
    reader.start()
    stop = threading.Event()
    sending = threading.Event()
    main = threading.main_thread().ident

    def storm():
        # One signal per send, so that every send can end: a steady storm
        # can stop them all where encoding takes longer than its period.
        rng = random.Random(7)
        while not stop.is_set():
            if sending.wait(0.05):
                sending.clear()
                time.sleep(rng.uniform(0, 0.003))
                signal.pthread_kill(main, signal.SIGINT)

    # Interrupts raise only inside send, as they would in code the agent
    # runs: the test's own loop must not be cut.
    armed = [False]
    raised = [0]

    def on_sigint(signum, frame):
        if armed[0]:
            armed[0] = False
            raised[0] += 1
            raise KeyboardInterrupt

    sent = 0
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    previous = signal.signal(signal.SIGINT, on_sigint)
    stormer = threading.Thread(target=storm)
    stormer.start()
    while sent < 300:
        try:
            armed[0] = True
            sending.set()
            channel.send({"n": sent, "text": "x" * 200000})
            armed[0] = False
        except KeyboardInterrupt:
            continue
        sent += 1
    stop.set()
    stormer.join()
    signal.signal(signal.SIGINT, previous)
    assert raised[0] > 0
    # Signals are blocked only while a line is written.
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask
    channel.close()
    reader.join()
    os.close(unused_w)
    numbers = [json.loads(line)["n"] for line in lines]
    # Every line parses and comes in order; a send that raised sent nothing
    # or everything (then it was sent again).
    assert numbers == sorted(numbers)
    assert sorted(set(numbers)) == list(range(sent))


class Opaque:
    def __repr__(self):
        return "<opaque>"


@pytest.mark.parametrize("msg", [
    {"id": 1, "ok": True, "value": None, "error": None},
    {"id": None, "event": "output", "stream": "stdout", "text": "caf\u00e9 \u2603\n"},
    {"id": 2, "value": Opaque(), "nested": [1.5, float("nan"), {"k": (1, 2)}]},
    {"id": 3, "text": "a lone surrogate \ud800"},
])
def test_encode_is_json_dumps(msg):
    """encode's one shared encoder writes what json.dumps with its options does."""
    want = json.dumps(msg, ensure_ascii=False, default=repr).encode("utf-8", "replace") + b"\n"
    if encode(msg) != want:
        pytest.fail("encode(%r) = %r, want %r" % (msg, encode(msg), want))


@pytest.mark.parametrize("line", [
    b'{"id": 1, "op": "reload", "module": "lib", "path": "/w/lib.py"}',
    b'{"id":2,"op":"evaluate","code":"caf\xc3\xa9 \xe2\x98\x83","timeout":1.5,"stopped":true}',
    b'{"id": 3, "args": [], "nested": {"k": [null, false, -1e-3]}}',
    b'  {"id": 4}  ',  # whitespace around the value, which loads allows
    b'{"id": 5}\r',
    b'"a lone surrogate \\ud800"',
    b'17',
    b'\xef\xbb\xbf{"id": 6}',  # a UTF-8 byte-order mark, which loads skips
    '{"id": 7, "text": "caf\u00e9"}'.encode("utf-16-le"),  # loads finds the encoding
    '{"id": 8}'.encode("utf-16"),
])
def test_decode_is_json_loads(line):
    """decode reads a line as json.loads does, through whichever path."""
    assert decode(line) == json.loads(line)


@pytest.mark.parametrize("line", [
    b"",
    b"not json",
    b'{"id": 1',
    b'{"id": 1}{"id": 2}',  # two messages glued together
    b'{"id": 1} trailing',
    b'{"id": }',
    b'{"id": "\xff"}',  # not UTF-8
])
def test_decode_refuses_what_json_loads_refuses(line):
    """A line that is not one JSON value raises ValueError, as loads does,
    which the reader reports to Go as a protocol error."""
    with pytest.raises(ValueError):
        json.loads(line)
    with pytest.raises(ValueError):
        decode(line)


def test_channel_receives_lines_through_decode():
    r, w = os.pipe()
    channel = Channel(r, os.open(os.devnull, os.O_WRONLY))
    os.write(w, b'{"id": 1, "op": "ping"}\n  {"id": 2}\n{"id": 3')
    os.close(w)
    assert channel.receive() == {"id": 1, "op": "ping"}
    assert channel.receive() == {"id": 2}
    assert channel.receive() is None  # the rest never ended in a newline
    channel.close()
