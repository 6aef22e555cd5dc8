"""What differs between operating systems: dying with the parent, and
raising KeyboardInterrupt in the main thread.

No Python the server started may outlive it. The Go side starts each
interpreter in a group of its own that dies with the server (a process group
with the parent-death signal on Linux, a process group on macOS, a Job
Object on Windows: pyruntime/platform*.go). What the agent adds here:

- The zygote watches its parent and shuts down (ending its workers) when it
  exits, without polling: kqueue's NOTE_EXIT on macOS and the BSDs, a pidfd
  on Linux (Python 3.9+, Linux 5.3+). On macOS this is what covers a parent
  that is not the server (`uv run python`) or a zygote whose channel is
  held open by someone else; everywhere it is part of the zygote's select
  loop, so the zygote stays single-threaded and safe to fork.
- Each worker follows the zygote: the kernel's parent-death signal where
  there is one (Linux, through prctl), else a thread blocked on the same
  watch. Either way it also exits when its channel closes.
- The zygote learns that a worker has exited before it reaps it (waitid's
  WNOWAIT on Linux, kqueue's NOTE_EXIT on macOS: child_watch), so that it
  can kill what the worker left in its process group while that group's id
  is still the worker's.
- Interrupts arrive in-band on every OS; the reader thread turns them into a
  SIGINT for the main thread: pthread_kill on Unix, which also wakes a
  blocking sleep or read, and signal.raise_signal on Windows, whose SIGINT
  handler wakes time.sleep as Ctrl-C would.
"""

import contextlib
import os
import select
import signal
import sys
import threading

# PR_SET_PDEATHSIG from <linux/prctl.h>: the kernel signals us when the parent dies.
PR_SET_PDEATHSIG = 1


def parent_death_signal():
    """Returns libc's prctl, looked up once in the zygote, or None off Linux;
    there a worker watches its zygote instead (follow_parent)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return None


class KqueueWatch:
    """Readable (fileno) once process pid has exited: kqueue's NOTE_EXIT."""

    def __init__(self, pid, select_module=select):
        self.sel = select_module
        self.kq = select_module.kqueue()
        self.gone = False
        event = select_module.kevent(pid, filter=select_module.KQ_FILTER_PROC,
                                     flags=select_module.KQ_EV_ADD, fflags=select_module.KQ_NOTE_EXIT)
        try:
            self.kq.control([event], 0, 0)
        except ProcessLookupError:
            self.gone = True  # exited before we looked

    def fileno(self):
        return self.kq.fileno()

    def exited(self):
        if not self.gone:
            events = self.kq.control(None, 4, 0)
            self.gone = any(e.fflags & self.sel.KQ_NOTE_EXIT for e in events)
        return self.gone

    def close(self):
        with contextlib.suppress(OSError):
            self.kq.close()


class PidfdWatch:
    """Readable (fileno) once process pid has exited: a Linux pidfd."""

    def __init__(self, pid):
        self.fd = None
        with contextlib.suppress(ProcessLookupError):
            self.fd = os.pidfd_open(pid)  # novm: parent_watch checks hasattr(os, "pidfd_open")

    def fileno(self):
        return self.fd

    def exited(self):
        return self.fd is None or bool(select.select([self.fd], [], [], 0)[0])

    def close(self):
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def parent_watch(pid, select_module=select):
    """A watch that is readable once pid exits (exited() then says so), or
    None where this OS has no way to watch without polling (Windows, where
    the Job Object ends the process, or Linux before 5.3 or Python 3.9).

    pid must be this process's parent: if it is no longer (it exited and we
    were adopted before the watch began), the watch says it exited.
    """
    watch = None
    if hasattr(select_module, "kqueue"):
        watch = KqueueWatch(pid, select_module)
    elif hasattr(os, "pidfd_open"):
        try:
            watch = PidfdWatch(pid)
        except OSError:
            return None  # no pidfd in this kernel or sandbox
        if watch.fd is None:
            return None if os.getppid() == pid else _Exited()
    if watch is not None and os.getppid() != pid:
        watch.close()
        return _Exited()
    return watch


class _Exited:
    """The watch of a parent that had already gone."""

    def fileno(self):
        return -1

    def exited(self):
        return True

    def close(self):
        pass


class WaitidWatch:
    """Says whether the child pid has exited, without reaping it: waitid's
    WNOWAIT, on Linux (os.waitid; macOS has it only from Python 3.13)."""

    def __init__(self, pid):
        self.pid = pid

    def exited(self):
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True  # reaped already: it has exited all the more

    def close(self):
        pass


def child_watch(pid, select_module=select):
    """A watch whose exited() says whether the child pid has exited while
    it is not reaped yet, or None where this OS has no way to tell (Windows,
    which has no fork either).

    A process that has exited but is not reaped keeps its pid, and so the id
    of the group it leads: until the reap, that group is still the child's,
    and killing it reaches the processes the child started and no one
    else's. So the zygote kills a worker's group in between.

    Watched from its start, with kqueue's NOTE_EXIT where there is kqueue
    (macOS, the BSDs: a child already gone when the watch begins counts as
    exited); else with waitid, which asks at each call (Linux). kqueue comes
    first, as for the parent: macOS's Python has no os.waitid before 3.13.
    """
    if hasattr(select_module, "kqueue"):
        try:
            return KqueueWatch(pid, select_module)
        except OSError:
            return None  # out of file descriptors: reaped as before, unwatched
    if hasattr(os, "waitid") and hasattr(os, "WNOWAIT"):
        return WaitidWatch(pid)
    return None


def follow_parent(pid, prctl, on_exit):
    """Makes this process end when pid, its parent, does: the kernel's
    parent-death signal when prctl (from parent_death_signal) is given, else
    a daemon thread that waits on parent_watch and calls on_exit. Returns
    that thread, or None. If the parent is already gone, exits at once."""
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != pid:
            os._exit(0)  # the parent died before we could ask to follow it
        return None
    watch = parent_watch(pid)
    if watch is None:
        return None
    if watch.exited():
        on_exit()
        os._exit(0)
    thread = threading.Thread(target=_wait_for_exit, args=(watch, on_exit), name="hotload-parent-watch", daemon=True)
    thread.start()
    return thread


def _wait_for_exit(watch, on_exit):
    while True:
        with contextlib.suppress(InterruptedError):
            select.select([watch], [], [])
        if watch.exited():
            break
    on_exit()
    os._exit(0)


def kill_own_group():
    """Ends this process and every process in its group (a worker leads
    its own): what a worker does when its zygote has gone."""
    with contextlib.suppress(OSError):
        os.killpg(os.getpgid(0), signal.SIGKILL)
    os._exit(0)


def interrupt_main_thread(ident, signal_module=signal):
    """Raises KeyboardInterrupt in the main thread (ident), called from the
    reader thread.

    pthread_kill rather than _thread.interrupt_main: a real SIGINT also wakes
    blocking calls such as time.sleep or socket reads, which interrupt_main
    only sets a flag for. Windows has no pthread_kill; there raise_signal
    runs Python's C-level SIGINT handler, which also sets the event that
    time.sleep waits on, as Ctrl-C does.
    """
    if hasattr(signal_module, "pthread_kill"):
        signal_module.pthread_kill(ident, signal_module.SIGINT)
    else:
        signal_module.raise_signal(signal_module.SIGINT)
