"""The agent: a reader thread for the channel, requests run on the main thread."""

import linecache
import os
import queue
import sys
import threading
import time
import warnings

from .app import send_signal
from .failures import FailureHooks
from .graph import Workspace
from .ops import HANDLERS
from .output import OutputStream
from .platform import interrupt_main_thread
from .tracebacks import describe_exception


class Agent:
    def __init__(self, channel, attached=False):
        self.channel = channel
        # attached: serving inside someone else's app (see serve()), which
        # must survive the session, keep its own streams, and whose
        # signal handlers are not ours to trigger.
        self.attached = attached
        self.requests = queue.Queue()
        # The thread that runs requests: the main thread, except in an app
        # that serves from another thread.
        self.main_ident = threading.get_ident() if attached else threading.main_thread().ident
        # Reentrant: output() takes it on the thread that prints, which may be
        # an app's main thread running its signal handler inside a print.
        self._state_lock = threading.RLock()
        self._current = None  # id of the request the main thread is running
        self._current_what = None  # the module (or op) of that request
        # Threads that were running when the current request began: they
        # belong to earlier code, so their output is not this request's.
        self._elders = set()
        self._queued = 0  # requests received but not started
        self._interrupt_next = False  # an interrupt arrived while a request was queued
        self.stdout = OutputStream(self, "stdout")
        self.stderr = OutputStream(self, "stderr")
        self.workspace = Workspace()
        # The program this worker runs as __main__ (app.py), or None.
        self.app = None
        # Called once after the next reply is sent (op_app starts the program).
        self.after_reply = None
        self._inspector = None  # hover.Inspector, made by the first hover
        self.failures = FailureHooks(channel.send)

    # --- output -------------------------------------------------------------

    def output(self, stream, text):
        with self._state_lock:
            current = self._current
            if threading.get_ident() in self._elders:
                current = None  # background output, not the request's
            elif self.app is not None and threading.get_ident() != self.main_ident:
                current = None  # the program's output, whichever thread wrote it
        self.channel.send({"id": current, "event": "output", "stream": stream, "text": text})

    # --- reader thread ------------------------------------------------------

    def read_loop(self):
        while True:
            try:
                msg = self.channel.receive()
            except ValueError as exc:
                self.channel.send({"id": None, "event": "protocol_error", "text": str(exc)})
                continue
            if msg is None:
                if self.attached:
                    self.requests.put(None)  # the session ends; the app goes on
                    return
                # The Go side is gone (exited, killed, or closed our stdin): so are we.
                os._exit(0)
            op = msg.get("op")
            if op == "ping":
                self.channel.send({"id": msg.get("id"), "ok": True, "pid": os.getpid()})
            elif op == "interrupt":
                self.channel.send({"id": msg.get("id"), "ok": True, "interrupted": self.interrupt()})
            elif op == "inspect":
                if self._inspector is None:
                    from .hover import Inspector  # here: most runtimes never get a hover
                    self._inspector = Inspector(self)
                self._inspector.request(msg)  # a hover: never queued behind a run
            elif op == "signal":
                send_signal(self, msg)  # Ctrl-C for the program (app.py)
            else:
                with self._state_lock:
                    self._queued += 1
                self.requests.put(msg)

    def interrupt(self):
        """Raises KeyboardInterrupt in the main thread if it is running a
        request (a SIGINT to that thread: platform.interrupt_main_thread)."""
        with self._state_lock:
            if self._current is None:
                if self._queued == 0:
                    return False
                # The request was sent before the interrupt but has not
                # started: it stops as soon as it does.
                self._interrupt_next = True
                return True
        if self.attached or self.app is not None:
            # Not a signal: the app may handle SIGINT itself (a web server
            # shuts down). An asynchronous exception stops Python code at its
            # next line, though not a blocking call.
            import ctypes
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main_ident), ctypes.py_object(KeyboardInterrupt))
            return True
        interrupt_main_thread(self.main_ident)
        return True

    # --- main thread --------------------------------------------------------

    def serve(self):
        """Runs requests until the session ends (attached) or forever."""
        while True:
            try:
                msg = self.requests.get()
                if msg is None:
                    return
                self.handle(msg)
            except KeyboardInterrupt:
                # An interrupt that landed between requests: nothing to stop.
                continue

    def handle(self, msg):
        rid = msg.get("id")
        handler = HANDLERS.get(msg.get("op"))
        # One lock section from "queued" to "running", so an interrupt never
        # finds the request in neither state.
        with self._state_lock:
            self._queued -= 1
            if handler is not None:
                self._current = rid
                self._current_what = msg.get("module") or msg.get("op")
                self._elders = {t.ident for t in threading.enumerate()} - {self.main_ident}
                interrupted, self._interrupt_next = self._interrupt_next, False
        if handler is None:
            self.channel.send({"id": rid, "ok": False, "protocol_error": "unknown op %r" % msg.get("op")})
            return
        # Code may have replaced sys.stdout or sys.stderr; each request
        # starts with hotload's own streams, so its output is captured.
        # An attached app gets its own back afterwards.
        app_streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.stdout, self.stderr
        start = time.perf_counter()
        reply = {"id": rid, "ok": True, "value": None, "error": None}
        warned = []
        try:
            try:
                if interrupted:
                    raise KeyboardInterrupt
                # catch_warnings also resets the "once per location" memory,
                # so a warning shows on every run, not only the first.
                with warnings.catch_warnings():
                    warnings.showwarning = recorder(warned)
                    reply.update(handler(self, msg))
            except BaseException as exc:  # user code may raise anything, SystemExit included
                reply["error"] = describe_exception(exc)
            finally:
                if warned:
                    reply["warnings"] = warned
                self.stdout.flush()
                self.stderr.flush()
                with self._state_lock:
                    self._current = None
        except KeyboardInterrupt:
            # The interrupt arrived after user code finished; the reply still stands.
            pass
        if self.attached or self.app is not None:
            sys.stdout, sys.stderr = app_streams
        reply["seconds"] = time.perf_counter() - start
        self.channel.send(reply)
        if self.after_reply is not None:
            then, self.after_reply = self.after_reply, None
            then()


    def running(self):
        """What the request running now runs (a module name or an op), or None."""
        with self._state_lock:
            return self._current_what if self._current is not None else None


def recorder(warned):
    """A warnings.showwarning that prints the warning as Python would and
    records where it points, for the editor's Warning diagnostics."""

    def show(message, category, filename, lineno, file=None, line=None):
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
        warned.append({
            "file": filename,
            "line": lineno,
            "category": category.__name__,
            "message": str(message),
            "source": linecache.getline(filename, lineno).rstrip("\r\n"),
        })

    return show


def serve_agent(agent):
    sys.stdout = agent.stdout
    sys.stderr = agent.stderr
    agent.failures.install()
    threading.Thread(target=agent.read_loop, name="hotload-reader", daemon=True).start()
    agent.channel.send({"id": None, "event": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
    agent.serve()
