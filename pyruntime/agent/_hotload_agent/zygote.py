"""The zygote: preloads, then forks warm workers and relays their lines."""

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys

from .agent import Agent, serve_agent
from .protocol import Channel, encode
from .warmup import warm

# --- zygote ---------------------------------------------------------------------
#
# Started with the argument "zygote", the agent preloads and then only forks:
# each worker it forks is a complete agent, already warm, talking to Go through
# the zygote. The zygote stays single-threaded so that fork is safe, and it
# runs no user code after setup, so it stays clean for the next fork.
#
# Every line between Go and the zygote starts with a channel number and a
# space: 0 is the zygote itself (setup, fork, kill), N is worker N, whose lines
# the zygote relays unchanged in both directions.
#
#     0 {"id": 2, "op": "fork"}
#     0 {"id": 2, "ok": true, "worker": 1, "pid": 4242}
#     1 {"id": null, "event": "ready", ...}
#     0 {"id": null, "event": "exit", "worker": 1, "code": 3, "signal": 0}

# PR_SET_PDEATHSIG from <linux/prctl.h>: the kernel signals us when the parent dies.
PR_SET_PDEATHSIG = 1


class Worker:
    """The zygote's view of one forked worker."""

    def __init__(self, wid, pid, sock):
        self.wid = wid
        self.pid = pid
        self.sock = sock  # non-blocking; None once closed
        self.prefix = b"%d " % wid
        self.to_worker = bytearray()  # lines from Go not yet written
        self.from_worker = b""  # a partial line read from the worker
        self.status = None  # the wait status once reaped


class Zygote:
    def __init__(self, infd, outfd):
        self.infd = infd
        self.outfd = outfd
        self.pid = os.getpid()
        self.workers = {}
        self.next_wid = 0
        self.pending = bytearray()
        self.agent = Agent(self)
        self.prctl = parent_death_signal()
        self.wake_r, self.wake_w = os.pipe()

    # The zygote is its own agent's channel: its messages go out on channel 0.
    def send(self, msg):
        self.write_go(b"0 " + encode(msg))

    def write_go(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.outfd, view):]

    def serve(self):
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        sys.stdout, sys.stderr = self.agent.stdout, self.agent.stderr
        self.send({"id": None, "event": "ready", "pid": self.pid, "version": sys.version.split()[0], "fork": True})
        while True:
            workers = [w for w in self.workers.values() if w.sock is not None]
            readable, writable, _ = select.select(
                [self.infd, self.wake_r] + [w.sock for w in workers],
                [w.sock for w in workers if w.to_worker], [])
            if self.wake_r in readable:
                while True:
                    try:
                        if not os.read(self.wake_r, 512):
                            break
                    except BlockingIOError:
                        break
                self.reap()
            for w in workers:
                if w.sock is not None and w.sock in writable:
                    self.write_worker(w)
                if w.sock is not None and w.sock in readable:
                    self.read_worker(w)
            if self.infd in readable:
                self.read_go()

    def read_go(self):
        chunk = os.read(self.infd, 1 << 16)
        if not chunk:
            self.shutdown()
        self.pending += chunk
        start = 0
        while True:
            end = self.pending.find(b"\n", start)
            if end < 0:
                break
            line = bytes(self.pending[start:end + 1])
            start = end + 1
            head, _, body = line.partition(b" ")
            if head == b"0":
                try:
                    self.handle(json.loads(body))
                except ValueError as exc:
                    self.send({"id": None, "event": "protocol_error", "text": str(exc)})
                continue
            w = self.workers.get(int(head)) if head.isdigit() else None
            if w is not None and w.sock is not None:
                w.to_worker += body
                self.write_worker(w)
        del self.pending[:start]

    def handle(self, msg):
        op = msg.get("op")
        if op == "fork":
            self.fork(msg.get("id"))
        elif op == "kill":
            w = self.workers.get(msg.get("worker"))
            if w is not None:
                kill_group(w)
        elif op == "ping":
            self.send({"id": msg.get("id"), "ok": True, "pid": self.pid})
        else:
            # setup: preloads run here, on the main thread, before any fork.
            self.agent._queued += 1
            self.agent.handle(msg)

    def fork(self, rid):
        parent, child = socket.socketpair()
        self.next_wid += 1
        wid = self.next_wid
        # Everything alive now moves out of the garbage collector's reach,
        # in the zygote and so in the worker: a full collection in the
        # worker would otherwise visit, and so copy, every page of the
        # preloads' objects (tens of milliseconds with numpy and pandas).
        # Freezing only moves lists. The cost: a reference cycle among these
        # objects that a worker drops is never collected (its memory stays,
        # its finalizers do not run); reference counting still frees the rest.
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            try:
                parent.close()
                self.become_worker(child)
            finally:
                os._exit(70)
        child.close()
        parent.setblocking(False)
        self.workers[wid] = Worker(wid, pid, parent)
        self.send({"id": rid, "ok": True, "worker": wid, "pid": pid})

    def become_worker(self, sock):
        """Runs in the forked child: drops the zygote's ends and serves as an agent."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (self.infd, self.outfd, self.wake_r, self.wake_w):
            os.close(fd)
        for w in self.workers.values():
            if w.sock is not None:
                w.sock.close()
        # Its own process group, so a kill reaches the subprocesses it starts.
        os.setpgid(0, 0)
        if self.prctl is not None:
            self.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.pid:
            os._exit(0)  # the zygote died before we could ask to follow it
        fd = sock.detach()
        agent = Agent(Channel(fd, os.dup(fd)))
        agent.workspace = self.agent.workspace
        # The pages a request writes to are copied now, while nobody waits.
        warm(agent)
        serve_agent(agent)

    def write_worker(self, w):
        try:
            sent = w.sock.send(w.to_worker)
        except BlockingIOError:
            return
        except OSError:
            self.close_worker(w)
            return
        del w.to_worker[:sent]

    def read_worker(self, w):
        """Relays what the worker sent; at its end of stream, closes it."""
        out = []
        while True:
            try:
                chunk = w.sock.recv(1 << 16)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.close_worker(w)
                break
            lines = (w.from_worker + chunk).split(b"\n")
            w.from_worker = lines.pop()
            out.extend(w.prefix + line + b"\n" for line in lines)
            if len(chunk) < 1 << 16:
                break
        if out:
            self.write_go(b"".join(out))
        self.report(w)

    def close_worker(self, w):
        w.sock.close()
        w.sock = None
        if w.status is None:
            # The channel is gone, so the worker is of no use: end it, and
            # whatever it started.
            kill_group(w)

    def reap(self):
        for w in list(self.workers.values()):
            if w.status is None:
                try:
                    pid, status = os.waitpid(w.pid, os.WNOHANG)
                except ChildProcessError:
                    pid, status = w.pid, 0
                if pid == 0:
                    continue
                w.status = status
            if w.sock is not None:
                # Dead: whatever it wrote is already in the socket.
                self.read_worker(w)
                if w.sock is not None:
                    self.close_worker(w)
            self.report(w)

    def report(self, w):
        """Tells Go that a worker has exited, once its last line is relayed."""
        if w.sock is not None or w.status is None or w.wid not in self.workers:
            return
        del self.workers[w.wid]
        code = exit_code(w.status)
        self.send({"id": None, "event": "exit", "worker": w.wid,
                   "code": code if code >= 0 else -1, "signal": max(-code, 0)})

    def shutdown(self):
        """Go is gone: so are the workers and the zygote."""
        for w in self.workers.values():
            if w.status is None:
                kill_group(w)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(w.pid, 0)
        os._exit(0)


def exit_code(status):
    """A wait status as an exit code, or minus the signal that ended the
    process: os.waitstatus_to_exitcode, which Python 3.8 lacks."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def kill_group(w):
    if w.status is not None:
        return  # reaped: its pid may belong to someone else now
    try:
        os.killpg(w.pid, signal.SIGKILL)
    except ProcessLookupError:
        # Not its own group yet (it dies before setpgid): the process alone.
        with contextlib.suppress(ProcessLookupError):
            os.kill(w.pid, signal.SIGKILL)


def parent_death_signal():
    """Returns libc's prctl, looked up once in the zygote, or None off Linux;
    there the worker still ends when its channel closes."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return None
