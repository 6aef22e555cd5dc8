"""threading: a module that starts a thread at import starts one more on
each save; the editor says so.

`worker = threading.Thread(target=poll); worker.start()` at module level
runs again with the module: the new thread starts while the one the
previous run started is still running (a loop cannot be stopped from
outside), so after three saves four threads poll, where a fresh run has one.
After a module re-runs, the threads it started are compared with the live
ones it started before: a thread of the same kind (the same target or
Thread subclass) still running gets a note on the line that started the
new one, saying to stop the old one in __hotload_teardown__ or to guard the
start. threading.enumerate() lists a handful of threads: no heap scan.
"""

import sys

from . import Adapter
from .live import owner
from ..update import qualified


def kind(thread):
    """What makes two threads the same worker: their class and target."""
    target = getattr(thread, "_target", None)  # CPython's Thread keeps it until run() ends
    return type(thread), qualified(target) if target is not None else None


def started_by(thread, module):
    """Reports whether module's code is what the thread runs: its target
    (a function, a bound method, a partial) or its Thread subclass."""
    target = getattr(thread, "_target", None)
    if target is not None:
        return owner(target) == module
    return type(thread).__module__ == module


class ThreadingAdapter(Adapter):
    module = "threading"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.alive = ()  # the threads running when the module began its re-run

    def before_run(self, up, module):
        self.alive = sys.modules["threading"].enumerate()

    def after_run(self, up, module):
        name = module.__name__
        before = [t for t in self.alive if t.is_alive() and started_by(t, name)]
        if not before:
            return
        for thread in sys.modules["threading"].enumerate():
            if any(thread is t for t in self.alive) or not started_by(thread, name):
                continue
            same = [t for t in before if kind(t) == kind(thread)]
            if same:
                up.note(name, "started another thread %r while %d started before this save %s still running: a module "
                        "that starts a thread at import starts one more on each save, where a fresh run has one; stop "
                        "it in __hotload_teardown__() (an Event its loop checks) or start it once (`try: worker / "
                        "except NameError:`)" % (thread.name, len(same), "is" if len(same) == 1 else "are"),
                        start_line(up, module, thread))

    def after_rerun(self, up, modules):
        self.alive = ()


def start_line(up, module, thread):
    """(file, line) of the module-level call that started thread, or of
    the function it runs; None if neither is known."""
    file, shape = up.sources.get(module.__name__, (None, None))
    for key, value in list(module.__dict__.items()):
        if value is thread and shape is not None and key in shape.calls and file:
            return file, shape.calls[key]
    target = getattr(thread, "_target", None)
    target = getattr(target, "__func__", target)
    code = getattr(target, "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else None
