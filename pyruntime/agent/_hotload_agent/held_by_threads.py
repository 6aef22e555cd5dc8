"""State a module's re-run made anew while a thread still uses the old.

`JOBS = queue.Queue()` at module level, and a worker started once (`try:
worker / except NameError:`) blocks in `JOBS.get()`. A save runs the
module again: JOBS is bound to a new Queue, and what the program puts in
it never reaches the worker, which waits on the old one; in a fresh run
they share one. The same for a lock a thread holds, an Event it waits on,
a settings dict given to it as an argument (`args=(SETTINGS,)`), a service
object whose bound method is its target: the thread keeps the object the
module's run before made, and the module now names another.

So once the modules of a save ran, each module-level name they bound to
another object of the program's state (not a function, class or module,
which a save updates in place, nor an immutable value) is looked for in
the local variables of the frames of the other threads and of the
coroutines the tasks of their asyncio loops suspended (a consumer task
awaiting `INBOX.get()` on an `asyncio.Queue` made anew), and one level
into those locals' attributes (`self.inbox`). One found gets a Warning on
the name's line, naming the thread or the loop, unless it is held only
for a call with a timeout and the loop around it reads the name again
for the next (`JOBS.get(timeout=0.1)` in a `while` loop): that thread
moves to the new one by itself. sys._current_frames() lists a handful of
stacks, and a loop's tasks are few: no heap scan. The value stack of a
frame is not visible: a lock held by a `with` block the thread is in, and
nothing else of it, is not seen.
"""

import sys
import threading

from .update import (MISSING, NOT_STATE, PLAIN, code_qualname, dunder, frame_loop, own_dict, rebound, safe_equal,
                     tasks_of)

# Immutable values: an equal one may be the same object (interned,
# a shared constant), and a thread keeping one keeps no state to share.
IMMUTABLE = PLAIN + (tuple, frozenset)

# Frames whose locals are a namespace (a module or class body): what they
# hold is the module's own, not a thread's.
CO_NEWLOCALS = 0x2


def replaced_state(up):
    """{id(old): (module, name, old, new)} of the module-level names of
    the modules that ran whose run bound them to another object of the
    program's state (an instance, a list, a dict)."""
    found = {}
    for namespace, before in up.namespaces:
        module = namespace.get("__name__")
        for key, old in before.items():
            new = namespace.get(key, MISSING)
            if (dunder(key) or new is MISSING or new is old or isinstance(old, NOT_STATE)
                    or type(old) in IMMUTABLE or not rebound(old, new)):
                continue
            found.setdefault(id(old), (module, key, old, new))
    return found


def holders(olds, skip):
    """{id(old): (who holds it, the function whose frame does)} of the
    objects of olds the stacks of the threads other than those of skip
    (idents) hold, innermost frame first, and the suspended coroutines of
    the tasks of the asyncio loops those threads run (a consumer task
    awaiting `INBOX.get()`). A thread the save started holds what the
    modules bind now."""
    names = {t.ident: t.name for t in threading.enumerate()}
    asyncio = sys.modules.get("asyncio")
    found, loops = {}, {}
    frames = sys._current_frames()
    try:
        for ident, frame in frames.items():
            if ident in skip:
                continue
            thread = "thread %r" % names.get(ident, ident)
            while frame is not None:
                look(frame, olds, found, thread)
                loop = frame_loop(asyncio, frame) if asyncio is not None else None
                if loop is not None:
                    loops[id(loop)] = (loop, thread)
                frame = frame.f_back
    finally:
        frame = None
        frames.clear()
    for loop, thread in loops.values():
        for task in tasks_of(asyncio, loop):
            coroutine = task.get_coro()
            for _ in range(20):  # a few levels of awaits
                frame = getattr(coroutine, "cr_frame", None) or getattr(coroutine, "gi_frame", None)
                if frame is None:
                    break
                look(frame, olds, found, "a task of the event loop of %s" % thread)
                coroutine = getattr(coroutine, "cr_await", None) or getattr(coroutine, "gi_yieldfrom", None)
    return found


def look(frame, olds, found, who):
    """Adds to found the objects of olds that frame's locals hold (see
    holders)."""
    if not frame.f_code.co_flags & CO_NEWLOCALS:
        return
    for value in local_values(frame):
        for held in [value] + attribute_values(value):
            entry = olds.get(id(held))
            if (entry is not None and entry[2] is held and id(held) not in found
                    and not passing(frame, entry[0], entry[1])):
                found[id(held)] = (who, code_qualname(frame.f_code))


def passing(frame, module, name):
    """Reports whether frame holds the old object only for a call that
    ends by itself (a `timeout` it was given: `JOBS.get(timeout=0.1)`,
    `stop.wait(0.01)`) and a frame further out runs code of module that
    reads name: the loop takes the new object at its next call, as a
    fresh run's would."""
    try:
        timeout = frame.f_locals.get("timeout")
    except Exception:
        return False
    if type(timeout) not in (int, float) or timeout < 0:
        return False
    outer = frame.f_back
    while outer is not None:
        if outer.f_globals.get("__name__") == module and name in outer.f_code.co_names:
            return True
        outer = outer.f_back
    return False


def local_values(frame):
    try:
        return list(frame.f_locals.values())
    except Exception:  # a frame Python cannot show
        return []


def attribute_values(value):
    attrs = own_dict(value)
    if attrs is None:
        return []
    try:
        return list(attrs.values())
    except Exception:
        return []


def others_run():
    """Whether a thread runs other than this one and hotload's own (the
    agent's reader, its watchers: named "hotload-...")."""
    me = threading.get_ident()
    return any(t.ident != me and not t.name.startswith("hotload-") for t in threading.enumerate())


def note_held_by_threads(up):
    """Notes each module-level name a module of the save bound to a new
    object while another thread still uses the old one. A thread a
    module's run started again (the threading adapter says so) is left
    out: the note on the start says to stop it."""
    if not others_run():
        return  # the usual case: no thread of the program's, nothing to look for
    olds = replaced_state(up)
    if not olds:
        return
    for key, (who, function) in holders(olds, up.restarted | {threading.get_ident()}).items():
        module, name, old, new = olds[key]
        if safe_equal(old, new):
            continue  # equal (a list, a frozen dataclass): the thread reads what the module's code says now
        file = up.sources.get(module, (None, None))[0]
        shape = up.sources.get(module, (None, None))[1]
        line = shape.lines.get(name) if shape is not None else None
        kind = type(old).__name__
        up.note("%s.%s" % (module, name),
                "%s still uses the %s %s held before this save (in %s): %s ran again and bound %s to a new "
                "one, so they and the module no longer share it, where in a fresh run they do; make it once "
                "(`try: %s` then `except NameError: %s = ...`), or stop it in __hotload_teardown__() and "
                "start it again" % (who, kind, name, function, module, name, name, name),
                (file, line) if file and line else None)
