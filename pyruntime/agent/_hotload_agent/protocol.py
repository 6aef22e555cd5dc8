"""The protocol channel: one JSON object per line in each direction."""

import json
import os
import threading
import time

try:
    from queue import SimpleQueue
except ImportError:  # Python 3.6: a Queue, whose put is not atomic but works
    from queue import Queue as SimpleQueue

# How many lines may wait for the writer before send blocks. Output comes in
# chunks of at most output.OUTPUT_CHUNK characters, so this holds a few MiB
# at most: code that prints faster than the server reads is held back
# instead of filling its memory.
BACKLOG_LINES = 64

# How long a sender sleeps between looks at a full backlog: short next to
# the time the writer takes to write that many lines, long enough not to
# spin. A sleep rather than a lock: a KeyboardInterrupt that lands between
# acquiring a lock and the try that releases it leaves the lock held for
# good, and every later print would hang on it.
BACKLOG_POLL = 0.0005

# What the writer thread is given to stop.
_CLOSE = object()


class Channel:
    """The protocol channel: line-JSON in, line-JSON out.

    One writer thread owns the way out. send hands it a whole encoded line
    in one step (a put on a queue implemented in C, which a signal handler
    cannot cut in half), so a KeyboardInterrupt, which only the thread that
    runs requests ever gets, can stop a line from being sent but never cut
    one short, and no message is ever glued to half of another. The writer
    writes each line to its end, however short the system's writes.
    """

    def __init__(self, infd, outfd):
        self._in = os.fdopen(infd, "rb", buffering=0)
        self._outfd = outfd
        self._pending = bytearray()
        self._lines = SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="hotload-writer", daemon=True)
        self._writer.start()
        # give_up, called while send waits for room, returns True to send
        # at once: the agent sets it so an interrupt is not held up by a
        # server that reads slowly.
        self.give_up = lambda: False

    def send(self, msg):
        data = encode(msg)
        while self._lines.qsize() >= BACKLOG_LINES and not self.give_up():
            time.sleep(BACKLOG_POLL)
        self._lines.put(data)

    def _write_loop(self):
        broken = False
        while True:
            data = self._lines.get()
            if data is _CLOSE:
                os.close(self._outfd)
                return
            if isinstance(data, threading.Event):
                data.set()  # flush: everything before it is written
                continue
            if broken:
                continue  # keep draining, so no sender waits for room
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._outfd, view):]
            except OSError:
                # The server is gone; the reader sees it too and ends the
                # process (or the attach session).
                broken = True

    def flush(self, timeout=10.0):
        """Waits until the lines sent before the call are written, or the
        timeout (seconds) has passed: for a process about to end with
        os._exit, whose writer would die with lines still queued."""
        written = threading.Event()
        self._lines.put(written)
        written.wait(timeout)

    def close(self):
        """Writes what is queued, then closes both ends (an attach session)."""
        self._lines.put(_CLOSE)
        self._writer.join()
        self._in.close()

    def receive(self):
        """Returns the next message, or None when the Go side has gone."""
        searched = 0
        while True:
            end = self._pending.find(b"\n", searched)
            if end >= 0:
                line = bytes(self._pending[:end])
                del self._pending[:end + 1]
                return json.loads(line)
            searched = len(self._pending)
            chunk = self._in.read(65536)
            if not chunk:
                return None
            self._pending += chunk


def encode(msg):
    """One protocol line: the message as JSON, then a newline."""
    return json.dumps(msg, ensure_ascii=False, default=repr).encode("utf-8", "replace") + b"\n"
