"""A module run again binds its state to new objects while a thread its
run before started (once, guarded) still uses the old ones: a Warning on
the name's line says so (lsp/testdata/unseen/run_*.txtar)."""

import pytest

# The worker blocks on what it was given (or the module's name), until
# the test sets the module's STOP, kept across saves.
WORKER = """\
import queue
import threading

JOBS = queue.Queue()
SETTINGS = {"label": %r}

try:
    STOP
except NameError:
    STOP = threading.Event()


def consume():
    JOBS.get()


def poll(settings):
    STOP.wait()


try:
    worker
except NameError:
    worker = threading.Thread(target=%s, name="worker", daemon=True)
    worker.start()
"""


def held_notes(reply):
    return [n for n in reply.get("notes", ()) if "still uses the" in n["text"]]


@pytest.mark.parametrize("target, line, what", [
    ("consume", 4, "the Queue JOBS"),  # blocked in JOBS.get(): Queue.get's self
    ("lambda: poll(SETTINGS)", 5, "the dict SETTINGS"),  # an argument of the thread's function
])
def test_state_a_thread_holds_is_noted_when_the_module_makes_it_anew(project, target, line, what):
    project.save("jobs", WORKER % ("v1", target))
    module = project.module("jobs")
    jobs = module.JOBS  # what the thread waits on
    try:
        reply = project.save("jobs", WORKER % ("v2", target))
        notes = held_notes(reply)
        assert len(notes) == 1, reply.get("notes")
        assert "thread 'worker' still uses %s held before this save" % what in notes[0]["text"]
        assert notes[0]["line"] == line
    finally:
        module.STOP.set()
        jobs.put(None)
        module.worker.join(5)


def test_state_kept_across_saves_or_unchanged_is_not_noted(project):
    source = WORKER.replace("JOBS = queue.Queue()", "try:\n    JOBS\nexcept NameError:\n    JOBS = queue.Queue()")
    project.save("jobs", source % ("v1", "lambda: poll(SETTINGS)"))
    module = project.module("jobs")
    try:
        # JOBS kept, SETTINGS equal: the thread shares them with the module
        reply = project.save("jobs", source % ("v1", "lambda: poll(SETTINGS)") + "\n\ndef label():\n    return 2\n")
        assert held_notes(reply) == []
    finally:
        module.STOP.set()
        module.worker.join(5)


def test_a_call_with_a_timeout_whose_loop_reads_the_name_again_is_not_noted(project):
    # The loop takes the new JOBS at its next get, as a fresh run's thread would.
    source = WORKER.replace("def consume():\n    JOBS.get()", (
        "def consume():\n    while not STOP.is_set():\n        try:\n            JOBS.get(timeout=0.01)\n"
        "        except queue.Empty:\n            pass"))
    project.save("jobs", source % ("v1", "consume"))
    module = project.module("jobs")
    try:
        reply = project.save("jobs", source % ("v2", "consume"))
        assert held_notes(reply) == []
    finally:
        module.STOP.set()
        module.worker.join(5)


BOT = """\
import asyncio
import threading

try:
    LOOP
except NameError:
    LOOP = asyncio.new_event_loop()
    threading.Thread(target=LOOP.run_forever, name="bot-loop", daemon=True).start()


async def make_queue():
    return asyncio.Queue()


INBOX = asyncio.run_coroutine_threadsafe(make_queue(), LOOP).result(5)


async def serve():
    while True:
        await INBOX.get()


async def started():
    return None


try:
    SERVING
except NameError:
    SERVING = asyncio.run_coroutine_threadsafe(serve(), LOOP)
    asyncio.run_coroutine_threadsafe(started(), LOOP).result(5)  # serve() awaits by then
"""


def test_state_a_task_of_a_threads_loop_awaits_is_noted(project):
    project.save("bot", BOT)
    module = project.module("bot")
    try:
        reply = project.save("bot", BOT + "\n\ndef label():\n    return 2\n")
        notes = held_notes(reply)
        assert len(notes) == 1, reply.get("notes")
        assert "a task of the event loop of thread 'bot-loop' still uses the Queue INBOX" in notes[0]["text"]
        assert notes[0]["line"] == 15
    finally:
        module.SERVING.cancel()
        module.LOOP.call_soon_threadsafe(module.LOOP.stop)


def test_what_a_librarys_thread_started_again_holds_is_not_noted(project):
    # Each run starts another QueueListener (a library's thread, not the
    # user's): the one before keeps the old queue, and the new one serves
    # the module's, as in a fresh run.
    source = """\
        import logging
        import logging.handlers
        import queue

        LOG_QUEUE = queue.Queue()
        listener = logging.handlers.QueueListener(LOG_QUEUE, logging.NullHandler())
        listener.start()
        """
    project.save("qlog", source)
    first = project.module("qlog").listener
    try:
        reply = project.save("qlog", source)
        assert held_notes(reply) == []
    finally:
        first.stop()
        project.module("qlog").listener.stop()
