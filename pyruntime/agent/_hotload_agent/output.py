"""Captured output: sys.stdout and sys.stderr while a request runs."""

import threading

# Output is sent when a line ends or this many characters are pending, so a
# loop printing without newlines still streams.
OUTPUT_CHUNK = 8192

# The most characters one output event carries: a single huge write goes
# out as several events, so no line of the protocol outgrows what the
# zygote relays and the server parses in bounded memory.
MAX_EVENT = 65536


class OutputStream:
    """A text stream that forwards writes as output events of the current request."""

    def __init__(self, agent, name):
        self._agent = agent
        self._name = name
        self._buf = []
        self._size = 0
        # Reentrant: an app's signal handler runs on its main thread between
        # two lines of Python, possibly in the middle of a write, and may print.
        self._lock = threading.RLock()
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        # No interrupt lands inside: it would leave the lock held or the
        # buffer half updated. One that arrives meanwhile raises on the way out.
        held = self._agent.hold_interrupts()
        try:
            with self._lock:
                self._buf.append(text)
                self._size += len(text)
                if self._size >= OUTPUT_CHUNK or "\n" in text:
                    self._flush_locked()
        finally:
            self._agent.release_interrupts(held)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        held = self._agent.hold_interrupts()
        try:
            with self._lock:
                self._flush_locked()
        finally:
            self._agent.release_interrupts(held)

    def _flush_locked(self):
        if not self._buf:
            return
        text = "".join(self._buf)
        self._buf, self._size = [], 0
        for start in range(0, len(text), MAX_EVENT):
            self._agent.output(self._name, text[start:start + MAX_EVENT])

    def isatty(self):
        return False

    # Closing hotload's stream would silence every later run: it stays open.
    closed = False

    def close(self):
        self.flush()

    def readable(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        # C extensions and subprocess ask for a descriptor; fd 2 is the real stderr.
        return 2
