"""The protocol channel: one JSON object per line in each direction."""

import json
import os
import threading


class Channel:
    """The protocol channel: line-JSON in, line-JSON out, writes serialized."""

    def __init__(self, infd, outfd):
        self._in = os.fdopen(infd, "rb", buffering=0)
        self._out = os.fdopen(outfd, "wb", buffering=0)
        self._lock = threading.RLock()  # reentrant for signal handlers that print, as in output.py
        self._pending = b""

    def send(self, msg):
        data = encode(msg)
        with self._lock:
            self._out.write(data)

    def receive(self):
        """Returns the next message, or None when the Go side has gone."""
        while b"\n" not in self._pending:
            chunk = self._in.read(65536)
            if not chunk:
                return None
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)


def encode(msg):
    """One protocol line: the message as JSON, then a newline."""
    return json.dumps(msg, ensure_ascii=False, default=repr).encode("utf-8", "replace") + b"\n"
