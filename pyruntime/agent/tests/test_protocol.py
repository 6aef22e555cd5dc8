"""The channel writes whole lines, whatever interrupts the thread sending."""

import json
import os
import signal
import threading

from _hotload_agent.protocol import Channel


def read_lines(fd, into):
    with os.fdopen(fd, "rb") as f:
        for line in f:
            into.append(line)


def test_lines_stay_whole_under_a_storm_of_interrupts():
    # Regression: send wrote with one unchecked write, which a signal cuts
    # short on a full pipe, and a KeyboardInterrupt could land between two
    # writes; the next message was glued to the cut one. Here a signal
    # handler raises as often as it can while lines larger than the pipe go
    # out.
    to_us, from_channel = os.pipe()
    unused_r, unused_w = os.pipe()
    channel = Channel(unused_r, from_channel)
    lines = []
    reader = threading.Thread(target=read_lines, args=(to_us, lines))
    reader.start()
    stop = threading.Event()
    main = threading.main_thread().ident

    def storm():
        while not stop.is_set():
            signal.pthread_kill(main, signal.SIGINT)
            stop.wait(0.0002)

    # Interrupts raise only inside send, as they would in code the agent
    # runs: the test's own loop must not be cut.
    armed = [False]

    def on_sigint(signum, frame):
        if armed[0]:
            armed[0] = False
            raise KeyboardInterrupt

    sent = 0
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    previous = signal.signal(signal.SIGINT, on_sigint)
    stormer = threading.Thread(target=storm)
    stormer.start()
    while sent < 300:
        try:
            armed[0] = True
            channel.send({"n": sent, "text": "x" * 200000})
            armed[0] = False
        except KeyboardInterrupt:
            continue
        sent += 1
    stop.set()
    stormer.join()
    signal.signal(signal.SIGINT, previous)
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
