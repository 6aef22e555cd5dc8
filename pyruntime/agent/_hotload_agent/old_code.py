"""Watching the old code of a save for the moment it runs again.

A generator, coroutine or async generator made before a save runs the code
of its day until it finishes. A save names those it finds (the frames of
every thread, what the modules hold, the tasks of event loops: see
Update.note_running_code); one kept anywhere else (an instance's attribute,
the iterator of a `for` loop whose body is running) is out of reach
without a heap scan, which costs hundreds of milliseconds in a large heap.

From Python 3.12 on, sys.monitoring calls back when a given code object
starts or resumes, and costs nothing to any other code. So after each save
the agent watches the old code of the generator and coroutine functions
the save replaced and no note named; the first time any of it runs again
it sends the editor a note, as a save's notes, on the function's def
line. What fired is watched again when the function's file is saved
next, since that save clears the editor's note. Before 3.12 nothing is
watched.
"""

import sys
import threading
import weakref

# The sys.monitoring tool ids hotload may take, in order: 0 is debuggers',
# 1 coverage's, 2 profilers' and 5 optimizers' by convention, which leaves
# 3 and 4 to tools like this one.
TOOL_IDS = (4, 3)

TOOL_NAME = "hotload"


class OldCodeWatch:
    """The old code of past saves that may still run, each until it does.

    send(event) sends an event to the editor; it may be called from any
    thread. The zero state watches nothing and has taken no tool id.
    """

    def __init__(self, send):
        self._send = send
        # id(code) -> (a weak reference to code, where, kind, note place):
        # the code watched. Weak, so that old code nothing runs any more
        # is freed and forgotten.
        self._watched = {}
        # The same for the code that ran since it was watched.
        self._fired = {}
        self._tool = None  # the tool id taken, or False if none was free

    def watch(self, entries, saved_files):
        """Watches each (old code, where, kind, note place) of entries, and
        again the code that fired whose note lands in one of saved_files.
        Does nothing before Python 3.12 or when every tool id is taken."""
        monitoring = getattr(sys, "monitoring", None)
        if monitoring is None or not (entries or self._fired) or self._take_tool(monitoring) is False:
            return
        again = [key for key, entry in self._fired.items() if entry[3].get("file") in saved_files]
        for key in again:
            entry = self._fired.pop(key)
            code = entry[0]()
            if code is not None:
                self._arm(monitoring, code, entry[1:])
        for code, where, kind, place in entries:
            self._arm(monitoring, code, (where, kind, place))

    def close(self):
        """Stops watching and gives the tool id back."""
        if self._tool:
            # Python 3.12 and 3.13 keep a freed id's events and callbacks.
            monitoring = sys.monitoring  # novm: only with a tool taken, which watch() does where it exists
            for entry in self._watched.values():
                code = entry[0]()
                if code is not None:
                    monitoring.set_local_events(self._tool, code, 0)
            for event in (monitoring.events.PY_START, monitoring.events.PY_RESUME):
                monitoring.register_callback(self._tool, event, None)
            monitoring.free_tool_id(self._tool)
        self._tool = None
        self._watched.clear()
        self._fired.clear()

    def _arm(self, monitoring, code, about):
        key = id(code)
        self._watched[key] = (weakref.ref(code, lambda _, key=key: self._forget(key)),) + about
        monitoring.set_local_events(self._tool, code, monitoring.events.PY_START | monitoring.events.PY_RESUME)

    def _forget(self, key):
        self._watched.pop(key, None)
        self._fired.pop(key, None)

    def _take_tool(self, monitoring):
        """The tool id this watch uses, taken on first use; False if none is free."""
        if self._tool is None:
            self._tool = False
            for tool in TOOL_IDS:
                if monitoring.get_tool(tool) is None:
                    monitoring.use_tool_id(tool, TOOL_NAME)
                    monitoring.register_callback(tool, monitoring.events.PY_START, self._ran)
                    monitoring.register_callback(tool, monitoring.events.PY_RESUME, self._ran)
                    self._tool = tool
                    break
        return self._tool

    def _ran(self, code, offset):
        """sys.monitoring's callback, on whatever thread runs code: the old
        code of a save started or resumed. Says so once, and stops watching
        it. Never raises into the program's code."""
        monitoring = sys.monitoring  # novm: only with a tool taken, which watch() does where it exists
        try:
            entry = self._watched.pop(id(code), None)  # one pop: atomic, whichever thread gets there first
            monitoring.set_local_events(self._tool, code, 0)
            if entry is None or entry[0]() is not code:
                return monitoring.DISABLE
            self._fired[id(code)] = entry
            _, where, kind, place = entry
            name = where.rpartition(".")[2]
            note = dict(place, text="%s: a %s made before a save ran its old code again, in thread %r: it runs the old "
                        "code until it finishes; make a new one (call %s() again) or restart the runtime"
                        % (where, kind, thread_name(), name))
            self._send({"id": None, "event": "stale", "note": note})
        except Exception:
            pass  # a note lost is better than the program's code failing
        return monitoring.DISABLE


def thread_name():
    """The name of the thread that runs this, or its ident: without
    threading.current_thread(), which gives a thread that threading did
    not start an entry of its own in threading.enumerate()."""
    ident = threading.get_ident()
    for thread in threading.enumerate():
        if thread.ident == ident:
            return thread.name
    return ident
