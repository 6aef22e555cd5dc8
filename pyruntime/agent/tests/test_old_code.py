"""Old code a save replaced and could not see running: a generator or
coroutine made before the save and kept where the save does not look. From
Python 3.12 on, the first time such code runs again the editor gets a note
on the function's def line (old_code.py)."""

import _thread
import sys
import textwrap
import threading
import time

import pytest

from _hotload_agent.old_code import OldCodeWatch

pytestmark = pytest.mark.skipif(sys.version_info < (3, 12), reason="sys.monitoring is Python 3.12's")


@pytest.fixture
def watched(project):
    """project, its agent watching old code; the notes sent are in
    project.late."""
    project.late = []
    project.agent.old_code = OldCodeWatch(lambda event: project.late.append(event))
    yield project
    project.agent.old_code.close()


# A generator function, and a holder that keeps its generator in an
# instance, where a save does not look.
FEED = """\
    def numbers():
        n = 0
        while True:
            yield n * %d
            n += 1
    """

HOLDER = """\
    import M_feed

    class Holder:
        def __init__(self):
            self.stream = M_feed.numbers()

    holder = Holder()
    """


def late_notes(project):
    assert all(event["event"] == "stale" and event["id"] is None for event in project.late), project.late
    return [event["note"] for event in project.late]


def test_a_generator_an_instance_holds_is_noted_when_it_runs_the_old_code(watched):
    watched.save("feed", FEED % 1)
    watched.save("holder", HOLDER)
    holder = watched.module("holder").holder
    next(holder.stream)
    reply = watched.save("feed", FEED % 10)
    assert "notes" not in reply  # the save cannot see it
    assert watched.late == []  # nothing old ran yet
    assert next(holder.stream) == 1  # the old code: a fresh run would give 10
    [note] = late_notes(watched)
    assert note["text"] == (
        "%s.numbers: a generator made before a save ran its old code again, in thread 'MainThread': it runs the old "
        "code until it finishes; make a new one (call numbers() again) or restart the runtime" % watched.name("feed"))
    assert (note["file"], note["line"], note["source"]) == (str(watched.dir / watched.file("feed")), 1, "def numbers():")
    next(holder.stream)
    assert len(watched.late) == 1  # said once


def test_new_generators_run_the_new_code_without_a_note(watched):
    watched.save("feed", FEED % 1)
    watched.save("feed", FEED % 10)
    stream = watched.module("feed").numbers()
    assert [next(stream), next(stream)] == [0, 10]
    assert watched.late == []


def test_the_next_save_of_the_file_watches_what_ran_again(watched):
    watched.save("feed", FEED % 1)
    watched.save("holder", HOLDER)
    holder = watched.module("holder").holder
    next(holder.stream)
    watched.save("feed", FEED % 10)
    next(holder.stream)
    watched.save("holder", HOLDER.replace("holder = Holder()", "holder = Holder()\n"))  # another file: no
    next(holder.stream)
    assert len(watched.late) == 1
    watched.save("feed", FEED % 100)  # the editor takes the note off the file it saves
    next(holder.stream)
    assert len(watched.late) == 2 and late_notes(watched)[1]["line"] == 1


def test_a_coroutine_made_before_the_save_is_noted_when_it_starts(watched):
    source = "async def fetch():\n    return %r\n"
    watched.save("client", source % "v1")
    pending = watched.module("client").fetch()
    watched.save("client", source % "v2")
    with pytest.raises(StopIteration) as stopped:
        pending.send(None)
    assert stopped.value.value == "v1"
    [note] = late_notes(watched)
    assert note["text"].startswith("%s.fetch: a coroutine made before a save ran its old code again" % watched.name("client"))


def test_a_generator_a_thread_s_for_loop_iterates_is_noted_with_the_thread(watched):
    # The loop holds the generator where Python shows nothing of it: the
    # save cannot name it, and the thread's next step runs the old code.
    source = textwrap.dedent("""\
        import threading

        def stream():
            while True:
                yield %r

        def consume():
            for item in stream():
                SEEN.append(item)
                STEP.wait(5)
                STEP.clear()
                if STOP.is_set():
                    return

        try:
            STOP
        except NameError:
            SEEN, STEP, STOP = [], threading.Event(), threading.Event()
            THREAD = threading.Thread(target=consume, name="consumer", daemon=True)
            THREAD.start()
        """)
    watched.save("pump", source % "v1")
    pump = watched.module("pump")
    try:
        reply = watched.save("pump", source % "v2")
        assert "notes" not in reply
        pump.STEP.set()
        deadline = time.monotonic() + 5
        while len(pump.SEEN) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert pump.SEEN[-1] == "v1"
        [note] = late_notes(watched)
        assert note["text"].startswith("%s.stream: a generator made before a save ran its old code again, in thread "
                                       "'consumer'" % watched.name("pump")), note["text"]
        assert note["line"] == 3
    finally:
        pump.STOP.set()
        pump.STEP.set()
        pump.THREAD.join(5)


def test_a_thread_threading_did_not_start_is_named_by_its_ident_and_left_out_of_threading(watched):
    watched.save("feed", FEED % 1)
    watched.save("holder", HOLDER)
    holder = watched.module("holder").holder
    next(holder.stream)
    watched.save("feed", FEED % 10)
    done, idents = threading.Event(), []

    def step():
        idents.append(threading.get_ident())
        next(holder.stream)
        done.set()

    before = len(threading.enumerate())
    _thread.start_new_thread(step, ())
    assert done.wait(5)
    [note] = late_notes(watched)
    assert "in thread %d:" % idents[0] in note["text"], note["text"]
    assert len(threading.enumerate()) == before  # no dummy thread left behind


def test_a_generator_the_save_names_is_not_watched(watched):
    watched.save("feed", FEED % 1)
    watched.save("app", "import M_feed\n")
    app = watched.module("app")
    app.stream = watched.module("feed").numbers()
    next(app.stream)
    reply = watched.save("feed", FEED % 10)
    assert len(reply["notes"]) == 1  # said by the save
    next(app.stream)
    assert watched.late == []


def test_a_save_that_fails_watches_nothing(watched):
    watched.save("feed", FEED % 1)
    watched.save("holder", HOLDER)
    holder = watched.module("holder").holder
    next(holder.stream)
    path = watched.dir / watched.file("feed")
    path.write_text(textwrap.dedent(FEED % 10) + "raise RuntimeError('no')\n")
    from _hotload_agent import ops
    reply = ops.op_reload(watched.agent, {"module": watched.name("feed"), "path": str(path)})
    assert reply["rolled_back"]
    next(holder.stream)  # the code of the version that stands
    assert watched.late == []
