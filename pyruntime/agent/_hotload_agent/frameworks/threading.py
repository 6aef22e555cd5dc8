"""threading: a module that starts a thread at import starts one more on
each save; the editor says so.

`worker = threading.Thread(target=poll); worker.start()` at module level
runs again with the module: the new thread starts while the one the
previous run started is still running (a loop cannot be stopped from
outside), so after three saves four threads poll, where a fresh run has one.
The same holds for a thread the module's code starts by a call into other
code: `svc = Service()` whose __init__ starts one, `Worker().start()` of a
Thread subclass defined elsewhere, a target of another module, a
`threading.Timer` armed at import (the old one fires too).

While a module runs again, Thread.start notes each thread started on the
thread running the save, with the line of the module-level statement whose
execution started it (the module body's frame in the starting stack). After
the run, each such thread still running is compared with the threads that
ran before: one of the same kind (the same Thread class and target or
Timer function, of the user's code) still running gets a note on that
line, saying to stop the old one in __hotload_teardown__ or to guard the
start. threading.enumerate() lists a handful of threads: no heap scan.
"""

import sys

from . import Adapter
from .live import owner
from ..update import qualified

# The attribute a thread a save saw started holds the module whose run
# started it in: a later save does not count another module's thread as
# the previous run's of the one it runs. On the thread itself, so it lasts
# as long as the thread, with no table of the agent's.
STARTED_BY = "__hotload_started_by__"


def work(thread):
    """What the thread runs other than its class's run(): its target (a
    function, a bound method, a partial), a Timer's function; None if it
    has none (a Thread subclass)."""
    target = getattr(thread, "_target", None)  # CPython's Thread keeps it until run() ends
    if target is None and isinstance(thread, sys.modules["threading"].Timer):
        target = getattr(thread, "function", None)
    return target


def kind(thread):
    """What makes two threads the same worker: their class and target."""
    target = work(thread)
    return type(thread), qualified(target) if target is not None else None


def user_code(thread, workspace):
    """Reports whether the thread runs the user's code: its target's
    module, or its Thread subclass's, is one of the user's. A library's
    workers (a ThreadPoolExecutor's, whose old pool ends once its executor
    is freed) are its own business."""
    target = work(thread)
    module = owner(target) if target is not None else type(thread).__module__
    if workspace is None:
        return module not in (None, "threading")
    return module in workspace.loaded() or module == "__main__"


class ThreadingAdapter(Adapter):
    module = "threading"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.alive = ()  # the threads running when the module began its re-run
        self.started = []  # (thread, line) started by the running module's code, on the save's thread
        self.watching = None  # (Thread, its start, the wrapper in its place, [whether it notes])

    def before_run(self, up, module):
        threading = sys.modules["threading"]
        self.alive = threading.enumerate()
        self.started = []
        self.watch_starts(up, module)

    def after_run(self, up, module):
        self.unwatch_starts()
        name = module.__name__
        for thread, line in self.started:
            setattr(thread, STARTED_BY, name)
            if not thread.is_alive():
                continue
            same = [t for t in self.alive if t is not thread and t.is_alive() and kind(t) == kind(thread)
                    and getattr(t, STARTED_BY, name) == name]
            if not same:
                continue
            # What the old ones hold is not said again (held_by_threads.py):
            # said here for the user's, a library's own business otherwise.
            up.restarted.update(t.ident for t in same)
            if not user_code(thread, self.workspace):
                continue
            place = statement_place(up, name, line) or start_line(up, module, thread)
            if isinstance(thread, sys.modules["threading"].Timer):
                up.note(name, "armed another Timer %r while %d armed before this save %s still waiting: a module that "
                        "arms a Timer at import arms one more on each save and each fires, where a fresh run's fires "
                        "once; cancel the old one in __hotload_teardown__() (`timer.cancel()`) or arm it once (`try: "
                        "timer / except NameError:`)" % (thread.name, len(same), "is" if len(same) == 1 else "are"),
                        place)
                continue
            up.note(name, "started another thread %r while %d started before this save %s still running: a module "
                    "that starts a thread at import starts one more on each save, where a fresh run has one; stop "
                    "it in __hotload_teardown__() (an Event its loop checks) or start it once (`try: worker / "
                    "except NameError:`)" % (thread.name, len(same), "is" if len(same) == 1 else "are"), place)

    def after_rerun(self, up, modules):
        self.alive = ()
        self.started = []

    def watch_starts(self, up, module):
        """Puts a Thread.start in place that notes, for the threads started
        on this thread (the save's) while module runs, the line of the
        module's statement running then. Taken off by after_run, or by the
        rollback of a save whose module raised."""
        self.unwatch_starts()
        Thread = sys.modules["threading"].Thread
        get_ident = sys.modules["threading"].get_ident
        original = Thread.__dict__.get("start")
        if not callable(original):
            return  # a threading the program replaced: its threads are not seen
        ident, namespace, started, active = get_ident(), module.__dict__, self.started, [True]

        def start(thread):
            if active[0] and get_ident() == ident:
                started.append((thread, module_line(sys._getframe(1), namespace)))
            return original(thread)

        start.__wrapped__ = original
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(start, attr, getattr(original, attr))
        type.__setattr__(Thread, "start", start)
        self.watching = (Thread, original, start, active)
        up.on_undo(self.unwatch_starts)

    def unwatch_starts(self):
        if self.watching is None:
            return
        Thread, original, start, active = self.watching
        self.watching = None
        active[0] = False  # inert if the program put its own start in place over it
        if Thread.__dict__.get("start") is start:
            type.__setattr__(Thread, "start", original)


def module_line(frame, namespace):
    """The line of the module-level statement running in frame's stack:
    that of the module body's frame (the module whose namespace is
    namespace); None if the module's body is not on the stack."""
    while frame is not None:
        if frame.f_globals is namespace and frame.f_code.co_name == "<module>":
            return frame.f_lineno
        frame = frame.f_back
    return None


def statement_place(up, name, line):
    """(file, first line) of the module-level statement of the module
    named name that holds line (a call that spans lines starts on the
    first); None if line or the module's file is unknown."""
    file, shape = up.sources.get(name, (None, None))
    if not file or not line:
        return None
    if shape is not None:
        try:
            line = shape.statement_line(line)
        except (SyntaxError, ValueError):  # the source changed on disk since: the line as it ran
            pass
    return file, line


def start_line(up, module, thread):
    """(file, line) of the module-level call that started thread, or of
    the function it runs; None if neither is known."""
    file, shape = up.sources.get(module.__name__, (None, None))
    for key, value in list(module.__dict__.items()):
        if value is thread and shape is not None and key in shape.calls and file:
            return file, shape.calls[key]
    target = work(thread)
    target = getattr(target, "__func__", target)
    code = getattr(target, "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else None
