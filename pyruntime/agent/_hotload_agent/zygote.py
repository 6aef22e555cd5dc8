"""The zygote: preloads, then forks warm workers and relays their lines."""

import array
import contextlib
import gc
import os
import select
import signal
import socket
import stat
import struct
import sys

from .agent import Agent, serve_agent
from .platform import child_watch, follow_parent, kill_own_group, parent_death_signal, parent_watch
from .protocol import Channel, decode, encode
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
#     0 {"id": null, "event": "exit", "worker": 1, "code": 3, "signal": 0, "stderr": "..."}
#
# A zygote on the server's machine gets, as fd 3, the server's handoff
# socket (a datagram socket pair whose first datagram is the token the setup
# request names): it then hands the server each worker's end of its socket
# (SCM_RIGHTS, with the worker's number), and the worker's lines go straight
# to the server, skipping the relay; only its exit still comes on channel 0.
# Without it (a Python behind ssh or docker), every line is relayed.
HANDOFF_FD = 3

# A worker's fds 1 and 2 are a pipe of its own that the zygote relays to
# its own stderr, keeping the last lines: the exit event carries them
# ("stderr"), so what a worker said as it died (faulthandler's report of a
# segfault, say) reaches Go with its exit, never after it.

# The most the zygote reads from one worker in one turn of its loop: a
# worker that prints without pause must not keep the others (and forks)
# waiting.
RELAY_TURN = 1 << 20


class Worker:
    """The zygote's view of one forked worker."""

    def __init__(self, wid, pid, sock, stderr, watch):
        self.wid = wid
        self.pid = pid
        # Says whether it has exited, before the reap (platform.child_watch);
        # None where the OS cannot tell.
        self.watch = watch
        self.sock = sock  # non-blocking; None once closed
        # The read end of the worker's fds 1 and 2, non-blocking; None once
        # closed, or once reported (then it is an orphan's, see Zygote).
        self.stderr = stderr
        self.stderr_tail = bytearray()  # its last STDERR_TAIL_BYTES
        self.prefix = b"%d " % wid
        self.to_worker = bytearray()  # lines from Go not yet written
        self.from_worker = bytearray()  # a partial line read from the worker
        self.status = None  # the wait status once reaped


class Zygote:
    def __init__(self, infd, outfd, loaded_before=frozenset()):
        self.infd = infd
        self.outfd = outfd
        self.pid = os.getpid()
        self.workers = {}
        self.next_wid = 0
        self.pending = bytearray()  # what Go sent beyond the last whole line
        self.searched = 0  # how much of pending holds no newline
        self.agent = Agent(self, loaded_before=loaded_before)
        self.prctl = parent_death_signal()
        # The zygote goes when its parent does (see platform.py), or None.
        self.parent = parent_watch(os.getppid())
        self.wake_r, self.wake_w = os.pipe()
        # The stderr pipes of reported workers that something the worker
        # started still holds open: relayed until their end, nothing kept.
        self.orphans = set()
        # The server's handoff socket (see HANDOFF_FD), or None: relay.
        self.handoff = None

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
        watched = [self.parent] if self.parent is not None else []
        if self.parent is not None and self.parent.exited():
            self.shutdown()
        while True:
            workers = [w for w in self.workers.values() if w.sock is not None]
            stderrs = [w for w in self.workers.values() if w.stderr is not None]
            orphans = list(self.orphans)
            readable, writable, _ = select.select(
                [self.infd, self.wake_r] + watched + [w.sock for w in workers]
                + [w.stderr for w in stderrs] + orphans,
                [w.sock for w in workers if w.to_worker], [])
            if watched and self.parent in readable and self.parent.exited():
                self.shutdown()
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
            for w in stderrs:
                if w.stderr is not None and w.stderr in readable:
                    self.read_stderr(w)
            for fd in orphans:
                if fd in self.orphans and fd in readable:
                    self.relay_orphan(fd)
            if self.infd in readable:
                self.read_go()

    def read_go(self):
        chunk = os.read(self.infd, 1 << 16)
        if not chunk:
            self.shutdown()
        self.pending += chunk
        start = 0
        while True:
            end = self.pending.find(b"\n", max(start, self.searched))
            if end < 0:
                self.searched = len(self.pending)
                break
            line = bytes(self.pending[start:end + 1])
            start = end + 1
            head, _, body = line.partition(b" ")
            if head == b"0":
                try:
                    self.handle(decode(body))
                except ValueError as exc:
                    self.send({"id": None, "event": "protocol_error", "text": str(exc)})
                continue
            w = self.workers.get(int(head)) if head.isdigit() else None
            if w is not None and w.sock is not None:
                w.to_worker += body
                self.write_worker(w)
        del self.pending[:start]
        self.searched -= start

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
            token = msg.pop("handoff", None)
            if op == "setup" and token and self.handoff is None:
                self.handoff = open_handoff(token)
            # setup: preloads run here, on the main thread, before any fork.
            self.agent.accept(msg)
            self.agent.handle(msg)

    def fork(self, rid):
        parent, child = socket.socketpair()
        stderr_r, stderr_w = os.pipe()
        self.next_wid += 1
        wid = self.next_wid
        # The worker runs as a fresh python would, which reads the .pth files
        # added since the zygote started (its notes of changed ones go to the
        # worker, which sends them with its first reload).
        self.agent.site.look()
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
                os.close(stderr_r)
                self.become_worker(child, stderr_w)
            finally:
                os._exit(70)
        watch = child_watch(pid)  # at once: kqueue's sees only exits after it begins
        child.close()
        os.close(stderr_w)
        if self.hand_over(wid, parent):
            parent = None  # the server has it: its lines skip the relay
        else:
            parent.setblocking(False)
        os.set_blocking(stderr_r, False)
        self.workers[wid] = Worker(wid, pid, parent, stderr_r, watch)
        self.send({"id": rid, "ok": True, "worker": wid, "pid": pid})

    def hand_over(self, wid, sock):
        """Gives the server sock, worker wid's end of its channel, through
        the handoff socket, and closes it here. Returns False, keeping it,
        where there is no handoff or it fails: the worker is then relayed."""
        if self.handoff is None:
            return False
        try:
            self.handoff.sendmsg([b"%d\n" % wid], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [sock.fileno()]))])
        except OSError:
            self.handoff.close()
            self.handoff = None
            return False
        sock.close()
        return True

    def become_worker(self, sock, stderr):
        """Runs in the forked child: drops the zygote's ends and serves as an agent."""
        # Its own stderr pipe, as fd 2 for C-level writes and faulthandler,
        # and as fd 1 too, so that nothing written there reaches the protocol.
        os.dup2(stderr, 1)
        os.dup2(stderr, 2)
        os.close(stderr)
        for fd in self.orphans | {w.stderr for w in self.workers.values()}:
            if fd is not None:
                os.close(fd)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (self.infd, self.outfd, self.wake_r, self.wake_w):
            os.close(fd)
        if self.parent is not None:
            self.parent.close()  # the zygote's watch, not ours
        if self.handoff is not None:
            self.handoff.close()  # the zygote's, not ours
        for w in self.workers.values():
            if w.sock is not None:
                w.sock.close()
            if w.watch is not None:
                w.watch.close()  # the zygote's watches, not ours
        # Its own process group, so a kill reaches the subprocesses it starts.
        os.setpgid(0, 0)
        # Follow the zygote out: parent-death signal on Linux, else a watch.
        follow_parent(self.pid, self.prctl, kill_own_group)
        fd = sock.detach()
        agent = Agent(Channel(fd, os.dup(fd)), site=self.agent.site)
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

    def read_worker(self, w, turn=RELAY_TURN):
        """Relays what the worker sent, at most turn bytes (None: all there
        is); at its end of stream, closes it. Each chunk is looked at once,
        so relaying is linear in what the worker writes, however long its
        lines."""
        out = []
        taken = 0
        while turn is None or taken < turn:
            try:
                chunk = w.sock.recv(1 << 16)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.close_worker(w)
                break
            taken += len(chunk)
            end = chunk.rfind(b"\n")
            if end < 0:
                w.from_worker += chunk
                continue
            w.from_worker += chunk[:end]
            lines = bytes(w.from_worker)
            w.from_worker = bytearray(chunk[end + 1:])
            out.append(w.prefix + lines.replace(b"\n", b"\n" + w.prefix) + b"\n")
        if out:
            self.write_go(b"".join(out))
        self.report(w)

    def read_stderr(self, w, most=1 << 16):
        """Relays up to most bytes the worker wrote on its fds 1 and 2 and
        keeps their end; returns how many it read. At the pipe's end, closes it."""
        chunk = read_pipe(w.stderr, most)
        if chunk is None:
            return 0
        if not chunk:
            os.close(w.stderr)
            w.stderr = None
            return 0
        keep_end(w.stderr_tail, chunk)
        relay_stderr(chunk)
        return len(chunk)

    def drain_stderr(self, w):
        """Reads what is in the pipe of a worker that has exited: all it
        wrote, as it is dead. Its end may never come, if a subprocess of the
        worker holds the pipe, and that subprocess may keep writing: so it
        reads what is there now and no more, without waiting."""
        if w.stderr is None:
            return
        left = pipe_bytes(w.stderr)
        while w.stderr is not None and left > 0:
            n = self.read_stderr(w, left)
            if n == 0:
                break
            left -= n

    def relay_orphan(self, fd):
        """Relays what a subprocess of a reported worker wrote; at the end, closes the pipe."""
        chunk = read_pipe(fd)
        if chunk is None:
            return
        if not chunk:
            os.close(fd)
            self.orphans.discard(fd)
            return
        relay_stderr(chunk)

    def close_worker(self, w):
        w.sock.close()
        w.sock = None
        if w.status is None:
            # The channel is gone, so the worker is of no use: end it, and
            # whatever it started.
            kill_group(w)

    def reap(self):
        """Reaps the workers that have exited, each after killing what it
        left in its group, and reports them once their last lines are in."""
        for w in list(self.workers.values()):
            if w.status is None:
                if w.watch is not None:
                    if not w.watch.exited():
                        continue
                    # Exited and not reaped: its pid, and so its group's id,
                    # are still its own. What its code started in the group
                    # (a subprocess, a server) goes now, before the reap.
                    kill_group(w)
                try:
                    pid, status = os.waitpid(w.pid, os.WNOHANG)
                except ChildProcessError:
                    pid, status = w.pid, 0
                if pid == 0:
                    continue
                w.status = status
                if w.watch is not None:
                    w.watch.close()
            if w.sock is not None:
                # Dead: whatever it wrote is already in the socket.
                self.read_worker(w, turn=None)
                if w.sock is not None:
                    self.close_worker(w)
            self.report(w)

    def report(self, w):
        """Tells Go that a worker has exited, once its last line is relayed."""
        if w.sock is not None or w.status is None or w.wid not in self.workers:
            return
        del self.workers[w.wid]
        self.drain_stderr(w)
        if w.stderr is not None:
            self.orphans.add(w.stderr)
            w.stderr = None
        code = exit_code(w.status)
        self.send({"id": None, "event": "exit", "worker": w.wid,
                   "code": code if code >= 0 else -1, "signal": max(-code, 0),
                   "stderr": last_lines(w.stderr_tail)})

    def shutdown(self):
        """Go is gone: so are the workers and the zygote."""
        for w in self.workers.values():
            if w.status is None:
                kill_group(w)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(w.pid, 0)
        os._exit(0)


def open_handoff(token):
    """The server's handoff socket, if fd 3 is it: an AF_UNIX socket whose
    first datagram is token. Otherwise None, and fd 3, whatever it is,
    is left as it was (the token is only peeked at unless it matches)."""
    try:
        if not stat.S_ISSOCK(os.fstat(HANDOFF_FD).st_mode):
            return None
        sock = socket.socket(fileno=HANDOFF_FD)
    except (OSError, ValueError):
        return None
    want = token.encode() + b"\n"
    try:
        ours = sock.family == socket.AF_UNIX and sock.recv(len(want), socket.MSG_PEEK | socket.MSG_DONTWAIT) == want
    except OSError:
        ours = False
    if not ours:
        sock.detach()
        return None
    sock.recv(len(want))
    sock.set_inheritable(False)
    return sock


# How much of a worker's stderr the zygote keeps for its exit event: the
# last STDERR_TAIL_LINES lines (as many as Go's tailLines, enough for a
# faulthandler dump of two threads) within STDERR_TAIL_BYTES, which bounds
# a worker whose subprocess writes megabytes without a newline. 64 lines of
# a dump are some 6 KiB; 16 KiB leaves room for long paths.
STDERR_TAIL_LINES = 64
STDERR_TAIL_BYTES = 16 << 10


def keep_end(tail, chunk):
    """Appends chunk to the bytearray tail and keeps its last
    STDERR_TAIL_BYTES, from the start of a line unless one line is all
    there is."""
    tail += chunk
    if len(tail) > STDERR_TAIL_BYTES:
        del tail[:-STDERR_TAIL_BYTES]
        end = tail.find(b"\n")
        if 0 <= end < len(tail) - 1:
            del tail[:end + 1]  # the rest of a line cut short


def last_lines(data):
    """The last STDERR_TAIL_LINES lines of data and the partial line after
    them, as text."""
    lines = bytes(data).split(b"\n")  # the last is the partial line, or b""
    return b"\n".join(lines[-STDERR_TAIL_LINES - 1:]).decode("utf-8", "replace")


def read_pipe(fd, most=1 << 16):
    """Reads up to most bytes from the non-blocking pipe fd: b"" at its end
    (or on an error, which ends it too), None if nothing is there yet."""
    try:
        return os.read(fd, most)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def pipe_bytes(fd):
    """How many bytes are waiting in the pipe fd (FIONREAD), or, should the
    ioctl fail, a pipe buffer's worth (64 KiB on Linux and macOS)."""
    # Imported here: main imports this module on Windows too, which has
    # neither; a zygote runs only where os.fork exists, and they do too.
    import fcntl
    import termios
    try:
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    except OSError:
        return 1 << 16


def relay_stderr(data):
    """Writes data to the zygote's stderr, which Go logs."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(2, view):]
    except OSError:
        pass  # a stderr nobody reads must not stop the zygote


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

