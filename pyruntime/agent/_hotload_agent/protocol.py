"""The protocol channel: one JSON object per line in each direction."""

import json
import json.decoder
import json.scanner
import os
import signal
import threading


def _raw_sigmask():
    """The pthread_sigmask that blocks signals while a line is written, or
    None where threads cannot block them (Windows). It is the C function
    behind signal.pthread_sigmask, which takes and returns plain ints:
    signal's own converts every mask it returns into a set of enum
    members, 64 of them when it restores a mask that blocked everything,
    which took 100 µs a call. A line written 100 ms after the last took
    97-119 µs this way, 106-135 µs through libc's pthread_sigmask called
    with ctypes and 67-88 µs with no blocking at all (p50, Python 3.11 and
    3.13, this project's 2-core VM)."""
    try:
        from _signal import pthread_sigmask
    except ImportError:  # not CPython, or no pthread_sigmask there
        return getattr(signal, "pthread_sigmask", None)
    return pthread_sigmask


_SIGMASK = _raw_sigmask()

# Every signal there is, for _SIGMASK to block (the kernel ignores it for
# SIGKILL and SIGSTOP, glibc for the two it keeps for its threads).
_EVERY_SIGNAL = signal.valid_signals() if _SIGMASK is not None else None


class Channel:
    """The protocol channel: line-JSON in, line-JSON out.

    send writes each line whole, and before it returns: once a line is on
    its way nothing can cut it short or glue the next message to half of
    it. Writes are serialized; a short write is finished; no exception
    lands in the middle of one. The agent's own interrupts are held off
    (hold and release, set by the agent); other signals are blocked while
    the line is written, and a handler that was already due runs, and may
    raise, before the first byte, or after the last. The line being in the
    pipe when send returns matters: output printed just before a crash
    reaches the editor.
    """

    def __init__(self, infd, outfd):
        self._in = os.fdopen(infd, "rb", buffering=0)
        self._outfd = outfd
        self._lock = threading.Lock()  # taken only with interrupts held and signals blocked
        self._pending = bytearray()
        # hold() holds off the agent's interrupts for the calling thread and
        # returns a token for release(token), which lets one that came
        # meanwhile raise. The agent sets them; a bare channel has none.
        self.hold = lambda: None
        self.release = lambda token: None

    def send(self, msg):
        data = encode(msg)
        token = self.hold()
        try:
            write_whole(self._lock, self._outfd, data)
        finally:
            self.release(token)

    def close(self):
        """Closes both ends (an attach session)."""
        os.close(self._outfd)
        self._in.close()

    def receive(self):
        """Returns the next message, or None when the Go side has gone."""
        searched = 0
        while True:
            end = self._pending.find(b"\n", searched)
            if end >= 0:
                line = bytes(self._pending[:end])
                del self._pending[:end + 1]
                return decode(line)
            searched = len(self._pending)
            chunk = self._in.read(65536)
            if not chunk:
                return None
            self._pending += chunk


def write_whole(lock, fd, data):
    """Writes data to fd under lock, to its end, with every signal blocked.

    Each step is placed so that an exception raised by a signal handler
    (Python runs them between two lines of Python) comes before the first
    byte or after the last: the mask is restored by the finally that the
    block is inside of; a handler already due when signals are blocked runs
    in _due() and its exception waits for the write to end; the lock is
    taken and given back with no line in between that a handler could run
    at.
    """
    if _SIGMASK is None or threading.current_thread() is not threading.main_thread():
        # Python runs signal handlers only on the main thread.
        with lock:
            _write_all(fd, data)
        return
    old = _SIGMASK(signal.SIG_BLOCK, ())  # reads the mask, changes nothing
    raised = None
    try:
        try:
            # Both run the handlers that are due: _SIGMASK after it has
            # blocked, _due where Python would run them next.
            _SIGMASK(signal.SIG_BLOCK, _EVERY_SIGNAL)
            _due()
        except BaseException as exc:  # a handler that was due: it raises after the write
            raised = exc
        with lock:
            _write_all(fd, data)
    finally:
        _SIGMASK(signal.SIG_SETMASK, old)
    if raised is not None:
        raise raised


def _due():
    """Does nothing: calling it is a point where Python runs the signal
    handlers that are due."""


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def encode(msg):
    """One protocol line: the message as JSON, then a newline."""
    return _encode(msg).encode("utf-8", "replace") + b"\n"


def decode(line):
    """The message of one protocol line, bytes without the newline: what
    json.loads(line) returns, or the ValueError it raises. A line that is
    exactly one JSON value, as Go writes them, goes straight to json's
    scanner, skipping the layers loads adds for whitespace and for
    encodings other than UTF-8; anything else goes to loads as it came,
    which reads what it can and says why it cannot. A value the scanner
    reads whole from UTF-8 is one loads reads the same: it starts with no
    byte-order mark and no NUL, which is how loads picks another encoding."""
    try:
        text = line.decode("utf-8", "surrogatepass")  # as loads decodes UTF-8
        msg, end = _SCAN(text, 0)
    except (ValueError, StopIteration):  # not UTF-8, or no value at 0
        return json.loads(line)
    if end != len(text):  # whitespace loads allows, or garbage it reports
        return json.loads(line)
    return msg


def _encoder():
    """The function behind encode: what json.dumps(msg, ensure_ascii=False,
    default=repr) runs, made once. dumps makes an encoder on every call
    given any option, and JSONEncoder.encode makes json's C encoder on
    every call.

    Each layer skipped matters on a save a person makes: after a few
    hundred milliseconds idle, the code of each layer is out of the
    processor's caches, and dumps took 126 µs where the C encoder alone
    took 78 (5.6 µs when called back to back; Python 3.13, this project's
    2-core VM). The C encoder is made without its check for cycles: a
    message is a tree the agent builds, and a cycle would raise
    RecursionError rather than ValueError."""
    python = json.JSONEncoder(ensure_ascii=False, default=repr).encode
    try:
        from json.encoder import c_make_encoder, encode_basestring
        if c_make_encoder is None:  # no _json: the pure Python encoder
            return python
        c = c_make_encoder(None, repr, encode_basestring, None, ": ", ", ", False, False, True)
    except (ImportError, TypeError):  # a json module unlike CPython's
        return python
    return lambda msg: "".join(c(msg, 0))


_encode = _encoder()

# json.loads's own scanner, with its defaults: it keeps no state between
# calls, so threads share it. Going to it directly took 66 µs where loads
# took 132 after a pause, on the same VM.
_SCAN = json.scanner.make_scanner(json.decoder.JSONDecoder())
