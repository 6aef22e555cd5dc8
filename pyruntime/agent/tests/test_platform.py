"""The OS layer: parent watches, following the parent out, interrupting."""

import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from _hotload_agent import platform

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Deadlines below guard against a hang; they claim nothing about speed.
GUARD = 20.0

needs_watch = pytest.mark.skipif(
    not (hasattr(select, "kqueue") or hasattr(os, "pidfd_open")),
    reason="this OS or Python has neither kqueue nor pidfd_open")


class FakeKevent:
    def __init__(self, ident, filter, flags, fflags):
        self.ident, self.filter, self.flags, self.fflags = ident, filter, flags, fflags


class FakeKqueue:
    """A kqueue that records what was registered and returns `pending` events."""

    def __init__(self, select_module):
        self.select_module = select_module
        self.registered = []
        self.pending = []
        self.closed = False

    def control(self, changes, max_events, timeout=None):
        if changes:
            if self.select_module.missing:
                raise ProcessLookupError
            self.registered.extend(changes)
        events, self.pending = self.pending[:max_events], self.pending[max_events:]
        return events

    def fileno(self):
        return 99

    def close(self):
        self.closed = True


class FakeSelect:
    """The parts of macOS's select module that the kqueue watch uses."""

    KQ_FILTER_PROC = -5
    KQ_EV_ADD = 1
    KQ_NOTE_EXIT = 0x80000000
    kevent = FakeKevent

    def __init__(self, missing=False):
        self.missing = missing
        self.queues = []

    def kqueue(self):
        q = FakeKqueue(self)
        self.queues.append(q)
        return q


def test_kqueue_watch_registers_note_exit_on_the_parent():
    sel = FakeSelect()
    watch = platform.parent_watch(os.getppid(), select_module=sel)
    (kq,) = sel.queues
    (ev,) = kq.registered
    assert (ev.ident, ev.filter, ev.flags, ev.fflags) == (os.getppid(), sel.KQ_FILTER_PROC, sel.KQ_EV_ADD, sel.KQ_NOTE_EXIT)
    assert watch.fileno() == 99, "the zygote selects on the kqueue itself"
    assert not watch.exited()
    kq.pending = [FakeKevent(os.getppid(), sel.KQ_FILTER_PROC, 0, sel.KQ_NOTE_EXIT)]
    assert watch.exited()
    assert watch.exited(), "an exit stays seen"


def test_kqueue_watch_of_a_parent_already_gone_says_exited():
    watch = platform.parent_watch(os.getppid(), select_module=FakeSelect(missing=True))
    assert watch.exited()


def test_watch_of_a_process_that_is_not_the_parent_says_exited():
    # After the parent died and we were adopted, getppid no longer matches.
    sel = FakeSelect()
    watch = platform.parent_watch(os.getppid() + 1_000_000, select_module=sel)
    assert watch.exited()
    assert sel.queues[0].closed


@needs_watch
def test_real_watch_becomes_readable_when_the_parent_exits():
    # A child that watches its own parent (a shell), which is then killed.
    code = textwrap.dedent("""
        import os, select, sys
        sys.path.insert(0, %r)
        from _hotload_agent.platform import parent_watch
        watch = parent_watch(os.getppid())
        print("exited" if watch.exited() else "alive", flush=True)
        select.select([watch], [], [], %r)
        print("exited" if watch.exited() else "timeout", flush=True)
    """ % (AGENT_DIR, GUARD))
    shell = subprocess.Popen(["sh", "-c", '"$0" -c "$1"; exit 0', sys.executable, code], stdout=subprocess.PIPE, text=True)
    try:
        assert shell.stdout.readline().strip() == "alive"
        shell.kill()
        assert shell.stdout.readline().strip() == "exited"
    finally:
        shell.kill()
        shell.wait()


@needs_watch
def test_follow_parent_without_prctl_ends_the_group_when_the_parent_dies(tmp_path):
    # The macOS path on any OS with a watch: no parent-death signal, a
    # thread waits for the parent's exit and ends the process's group.
    pidfile = tmp_path / "pids"
    code = textwrap.dedent("""
        import os, subprocess, sys, time
        sys.path.insert(0, %r)
        from _hotload_agent.platform import follow_parent, kill_own_group
        os.setpgid(0, 0)
        child = subprocess.Popen(["sleep", "600"])  # user code's subprocess
        follow_parent(os.getppid(), None, kill_own_group)
        with open(%r, "w") as f:
            f.write("%%d %%d\\n" %% (os.getpid(), child.pid))
        time.sleep(600)
    """ % (AGENT_DIR, str(pidfile)))
    shell = subprocess.Popen(["sh", "-c", '"$0" -c "$1"; exit 0', sys.executable, code])
    try:
        deadline = time.monotonic() + GUARD
        while not (pidfile.exists() and pidfile.read_text().endswith("\n")):
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.01)
        pids = [int(p) for p in pidfile.read_text().split()]
        shell.kill()
        shell.wait()
        for pid in pids:
            wait_gone(pid)
    finally:
        shell.kill()
        shell.wait()


def wait_gone(pid):
    deadline = time.monotonic() + GUARD
    while alive(pid):
        assert time.monotonic() < deadline, "process %d outlived its parent" % pid
        time.sleep(0.01)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return ") Z " not in f.read()  # a zombie runs nothing
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_kqueue_child_watch_registers_note_exit_on_the_child():
    # macOS: the zygote watches each worker from its fork on.
    sel = FakeSelect()
    watch = platform.child_watch(4242, select_module=sel)
    (ev,) = sel.queues[0].registered
    assert (ev.ident, ev.filter, ev.flags, ev.fflags) == (4242, sel.KQ_FILTER_PROC, sel.KQ_EV_ADD, sel.KQ_NOTE_EXIT)
    assert not watch.exited()
    sel.queues[0].pending = [FakeKevent(4242, sel.KQ_FILTER_PROC, 0, sel.KQ_NOTE_EXIT)]
    assert watch.exited()
    watch.close()
    assert sel.queues[0].closed


def test_kqueue_child_watch_of_a_zombie_says_exited():
    # A child that exited before the watch began cannot be registered.
    assert platform.child_watch(4242, select_module=FakeSelect(missing=True)).exited()


@pytest.mark.skipif(platform.child_watch(os.getpid()) is None, reason="this OS cannot tell an exit before the reap")
def test_child_watch_sees_the_exit_and_leaves_the_reap():
    # The zygote kills a dead worker's group between the two: the watch
    # must not reap, or the group's id could be someone else's by then.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)  # until the test lets it exit
        os._exit(7)
    os.close(r)
    watch = platform.child_watch(pid)
    reaped = None
    try:
        assert not watch.exited()
        os.close(w)
        deadline = time.monotonic() + GUARD
        while not watch.exited():
            assert time.monotonic() < deadline, "the child's exit was never seen"
            time.sleep(0.005)
        try:
            reaped = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            reaped = (pid, "reaped by the watch")
        assert reaped == (pid, 7 << 8), "the watch reaped the child, or said it exited too soon"
    finally:
        watch.close()
        if reaped is None or reaped[0] != pid:
            os.kill(pid, signal.SIGKILL)  # still ours: not reaped
            os.waitpid(pid, 0)


def test_follow_parent_with_prctl_asks_for_the_death_signal():
    calls = []
    assert platform.follow_parent(os.getppid(), lambda *args: calls.append(args), None) is None
    assert calls == [(platform.PR_SET_PDEATHSIG, signal.SIGKILL)]


class FakeSignal:
    SIGINT = 2

    def __init__(self, posix):
        self.calls = []
        if posix:
            self.pthread_kill = lambda ident, sig: self.calls.append(("pthread_kill", ident, sig))

    def raise_signal(self, sig):
        self.calls.append(("raise_signal", sig))


@pytest.mark.parametrize("posix, want", [
    (True, [("pthread_kill", 42, 2)]),  # Linux, macOS: the main thread itself
    (False, [("raise_signal", 2)]),  # Windows: Python's SIGINT handler, which wakes sleep
])
def test_interrupt_main_thread(posix, want):
    sig = FakeSignal(posix)
    platform.interrupt_main_thread(42, signal_module=sig)
    assert sig.calls == want


def test_attach_without_unix_sockets_says_so(monkeypatch):
    # Windows: CPython there has no socket.AF_UNIX.
    from _hotload_agent import attach
    monkeypatch.delattr(attach.socket, "AF_UNIX")
    with pytest.raises(OSError, match="attaching needs a Unix socket"):
        attach.serve_in_thread()
