"""The agent: a reader thread for the channel, requests run on the main thread."""

import os
import queue
import signal
import sys
import threading
import time

from .app import send_signal
from .failures import FailureHooks
from .graph import Workspace
from .old_code import OldCodeWatch
from .ops import HANDLERS
from .output import OutputStream
from .platform import interrupt_main_thread
from .reads import Reads
from .site_files import SitePackages
from .tracebacks import describe_exception
from .warned import Warned


# How long the code of an interrupted request has to take its SIGINT
# before the agent sends another. A SIGINT that arrives after Python last
# checked for signals and before a blocking call (time.sleep, a read) only
# trips Python's flag: the call starts and waits on, and the handler runs
# when it returns. The next SIGINT makes it return. 50 ms is long past the
# microseconds a handler takes to run, and short of what a user notices.
NUDGE_SECONDS = 0.05


class Agent:
    def __init__(self, channel, attached=False, loaded_before=frozenset(), site=None):
        self.channel = channel
        # attached: serving inside someone else's app (see serve()), which
        # must survive the session, keep its own streams, and whose
        # signal handlers are not ours to trigger.
        self.attached = attached
        # The modules Python had loaded before the agent's own imports: the
        # others in sys.modules at setup are the agent's (shadowed.py).
        # Empty in an app hotload attached to, whose modules are its own.
        self.loaded_before = loaded_before
        # SimpleQueue: its get wakes the main thread with the item, where
        # Queue's wakes it to take Queue's mutex, which the reader thread
        # may still hold (a second wake-up; about 25 us a save here).
        self.requests = queue.SimpleQueue()
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
        self._queued = {}  # what (module or op) of each request received but not started, by id, in order
        # Ids of requests to stop: running ones get KeyboardInterrupt in
        # their code, queued ones raise it as they start.
        self._cancel = set()
        # True while the main thread runs the current request's code, the
        # only place an interrupt may raise KeyboardInterrupt: never in the
        # agent's own bookkeeping, nor in a later request.
        self._interruptible = False
        self._timed_out = None  # id of the request its timeout stopped
        # SIGINTs sent by _wake_main (under the state lock) and seen by
        # on_sigint (on the main thread): each counter has one writer. Two
        # that arrive before Python runs the handler make one call of it,
        # so _finish, on the main thread too, settles the count.
        self._signals_sent = 0
        self._signals_seen = 0
        self._nudging = False  # a timer will signal again (see _nudge)
        # The channel holds off interrupts while it writes a line.
        channel.hold, channel.release = self.hold_interrupts, self.release_interrupts
        self.stdout = OutputStream(self, "stdout")
        self.stderr = OutputStream(self, "stderr")
        self.workspace = Workspace()
        # The program this worker runs as __main__ (app.py), or None.
        self.app = None
        # Called once after the next reply is sent (op_app starts the program).
        self.after_reply = None
        self._inspector = None  # hover.Inspector, made by the first hover
        self.failures = FailureHooks(channel.send)
        self.old_code = OldCodeWatch(channel.send)
        # The data files the runs of modules read (reads.py); its hook is
        # added by the first reload.
        self.reads = Reads()
        # The .pth files of site-packages read and processed (site_files.py):
        # a worker shares its zygote's, as it was when it forked.
        self.site = SitePackages() if site is None else site

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
                found = self.interrupt(msg.get("target"))
                self.channel.send({"id": msg.get("id"), "ok": True, "interrupted": found is not None, "running": found == "running"})
            elif op == "inspect":
                if self._inspector is None:
                    from .hover import Inspector  # here: most runtimes never get a hover
                    self._inspector = Inspector(self)
                self._inspector.request(msg)  # a hover: never queued behind a run
            elif op == "signal":
                send_signal(self, msg)  # Ctrl-C for the program (app.py)
            else:
                self.accept(msg)
                self.requests.put(msg)

    def accept(self, msg):
        """Records a request as received, so an interrupt sent after it stops it."""
        with self._state_lock:
            self._queued[msg.get("id")] = msg.get("module") or msg.get("op")

    def interrupt(self, target=None):
        """Stops the request running and those received but not started, or
        only the request target. Returns "running" if the running request
        is stopped, "queued" if only queued ones are, None if none was found.

        The running request gets KeyboardInterrupt in its code; a queued one
        raises it as soon as it starts. The signal goes out under the state
        lock, while the request is known to be running its code, and
        on_sigint drops one that arrives after the code has finished, so an
        interrupt never lands in the agent's bookkeeping or a later request.
        pthread_kill rather than _thread.interrupt_main: a real SIGINT also
        wakes blocking calls such as time.sleep or socket reads.
        """
        with self._state_lock:
            if target is None:
                ids = set(self._queued)
                if self._current is not None:
                    ids.add(self._current)
            elif target == self._current or target in self._queued:
                ids = {target}
            else:
                ids = set()
            if not ids:
                return None
            self._cancel |= ids
            running = self._current in ids
            if running and self._interruptible:
                self._wake_main()
            return "running" if running else "queued"

    def _wake_main(self):
        """Raises KeyboardInterrupt in the thread running requests. The
        caller holds the state lock."""
        if self.attached or self.app is not None:
            # Not a signal: the app may handle SIGINT itself (a web server
            # shuts down). An asynchronous exception stops Python code at its
            # next line, though not a blocking call.
            import ctypes
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main_ident), ctypes.py_object(KeyboardInterrupt))
            return
        self._signals_sent += 1
        interrupt_main_thread(self.main_ident)
        # Not when the code put in a SIGINT handler of its own, which may
        # count the signals (a server's second Ctrl-C forces its exit).
        if not self._nudging and signal.getsignal(signal.SIGINT) == self.on_sigint:
            self._nudging = True
            nudge = threading.Timer(NUDGE_SECONDS, self._nudge)
            nudge.daemon = True
            nudge.start()

    def _nudge(self):
        """Runs on a timer thread NUDGE_SECONDS after a SIGINT: signals
        again if the running request's code has not taken its interrupt,
        which a SIGINT that arrived just before a blocking call leaves
        waiting in it."""
        with self._state_lock:
            self._nudging = False
            if self._current is not None and self._current in self._cancel and self._interruptible:
                self._wake_main()

    def on_sigint(self, signum, frame):
        """The SIGINT handler of a runtime: raises KeyboardInterrupt only in
        the code of a request, never in the agent's own, and for a SIGINT of
        ours only if that request was asked to stop: one that arrives late
        is dropped. A SIGINT that is not ours (code that signals itself)
        raises in the code as Python's own handler would."""
        ours = self._signals_seen < self._signals_sent
        if ours:
            self._signals_seen += 1
        if not self._interruptible:
            return
        rid = self._current
        if not ours or rid in self._cancel:
            self._cancel.discard(rid)
            raise KeyboardInterrupt

    def hold_interrupts(self):
        """Holds off KeyboardInterrupt while the agent's own code runs inside
        a request's code (writing its output, sending a line): an interrupt
        that arrives meanwhile raises in release_interrupts. Returns whether
        it held; holds nest (an inner one does nothing)."""
        if not self._interruptible or threading.get_ident() != self.main_ident:
            return False
        self._interruptible = False
        if self.attached or self.app is not None:
            # An asynchronous KeyboardInterrupt sent before the line above
            # has either fired already or is withdrawn here; interrupt()
            # sends no new one while _interruptible is False.
            import ctypes
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main_ident), None)
        return True

    def release_interrupts(self, held):
        if not held:
            return
        self._interruptible = True
        rid = self._current
        if rid in self._cancel:
            self._cancel.discard(rid)
            raise KeyboardInterrupt

    def _time_out(self, rid, seconds):
        """Runs on a timer thread when a request has run for its timeout."""
        with self._state_lock:
            if self._current != rid:
                return
            self._timed_out = rid
            self._cancel.add(rid)
            if self._interruptible:
                self._wake_main()
        # The server gives the code its grace period from here.
        self.channel.send({"id": rid, "event": "timeout", "seconds": seconds})

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
                # A SIGINT that is not ours, landed between requests.
                continue

    def handle(self, msg):
        rid = msg.get("id")
        handler = HANDLERS.get(msg.get("op"))
        # hotload's own work, which runs none of the user's code: nothing
        # to interrupt, and a hover meanwhile shows values as when idle.
        own = msg.get("op") in OWN_WORK
        # One lock section from "queued" to "running", so an interrupt never
        # finds the request in neither state.
        with self._state_lock:
            self._queued.pop(rid, None)
            if handler is not None and not own:
                self._current = rid
                self._current_what = msg.get("module") or msg.get("op")
                self._elders = {t.ident for t in threading.enumerate()} - {self.main_ident}
            else:
                self._cancel.discard(rid)
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
        warned = Warned()
        timer = None
        try:
            try:
                try:
                    self._interruptible = not own
                    if not own and (rid in self._cancel or msg.get("stopped")):
                        self._cancel.discard(rid)
                        raise KeyboardInterrupt
                    timeout = msg.get("timeout")
                    if timeout:
                        timer = threading.Timer(timeout, self._time_out, (rid, timeout))
                        timer.daemon = True
                        timer.start()
                    with warned:
                        result = handler(self, msg)
                    if result.get("rolled_back"):
                        warned.undo_filters()
                finally:
                    self._interruptible = False
                    if timer is not None:
                        timer.cancel()
                reply.update(result)
            except BaseException as exc:  # user code may raise anything, SystemExit included
                reply["error"] = describe_exception(exc)
            finally:
                if warned.warned:
                    reply["warnings"] = warned.warned
                self.stdout.flush()
                self.stderr.flush()
        except KeyboardInterrupt:
            # An interrupt landed in the agent's own code after the run; the
            # reply stands.
            pass
        self._finish(rid)
        if self._timed_out == rid:
            reply["timed_out"] = True
            self._timed_out = None
        if self.attached or self.app is not None:
            sys.stdout, sys.stderr = app_streams
        reply["seconds"] = time.perf_counter() - start
        self.channel.send(reply)
        if self.after_reply is not None:
            then, self.after_reply = self.after_reply, None
            then()


    def running(self):
        """What the request running now runs (a module name or an op), else
        what the first one received and not yet started will, or None: a
        value read now may be read while that runs."""
        with self._state_lock:
            if self._current is not None:
                return self._current_what
            return next(iter(self._queued.values()), None)

    def _finish(self, rid):
        """Marks the request done: after this no interrupt can reach it, so
        its reply always goes out."""
        while True:
            try:
                with self._state_lock:
                    self._current = None
                    self._interruptible = False
                    self._cancel.discard(rid)
                    # A SIGINT of ours still on its way would meet code
                    # that is not interruptible: none is outstanding now.
                    self._signals_seen = self._signals_sent
                    if self.attached or self.app is not None:
                        # Withdraw an asynchronous KeyboardInterrupt sent for
                        # the request that has not fired yet.
                        import ctypes
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main_ident), None)
                return
            except KeyboardInterrupt:
                continue  # it arrived before the request was marked done


# The requests that run none of the user's code: compiling the editor's
# text ahead of a save (prepared.py), warming up for one (ops.op_warm),
# emptying a framework's template cache (ops.op_changed).
OWN_WORK = frozenset(("prepare", "warm", "changed"))


def serve_agent(agent):
    sys.stdout = agent.stdout
    sys.stderr = agent.stderr
    agent.failures.install()
    signal.signal(signal.SIGINT, agent.on_sigint)
    threading.Thread(target=agent.read_loop, name="hotload-reader", daemon=True).start()
    agent.channel.send({"id": None, "event": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
    agent.serve()
