"""A module whose code starts a thread at import starts one more each time
it runs again, while the one its previous run started still runs: the
editor says so on the module-level statement that started it, whoever's
code made and started the thread (lsp/testdata/unseen/py_thread_*.txtar,
py_timer_started.txtar)."""

import sys
import threading

import pytest

from _hotload_agent import ops

# Each form: (the other module's source or None, the module's source, the
# line of its statement that starts the thread, what the note says). NAME
# stands for the thread's name; each other module has a STOP Event its
# threads end on.
FORMS = {
    "a constructor of another module starts it": ("""\
        import threading

        STOP = threading.Event()

        class Service:
            def __init__(self):
                self.thread = threading.Thread(target=self._run, name="NAME", daemon=True)
                self.thread.start()

            def _run(self):
                STOP.wait()
        """, """\
        from M_other import Service

        svc = Service()
        """, 3, "started another thread 'NAME' while 1 started before this save is still running"),
    "a Thread subclass of another module": ("""\
        import threading

        STOP = threading.Event()

        class Worker(threading.Thread):
            def __init__(self):
                super().__init__(name="NAME", daemon=True)

            def run(self):
                STOP.wait()
        """, """\
        from M_other import Worker

        w = Worker()
        w.start()
        """, 4, "started another thread 'NAME'"),
    "a target of another module": ("""\
        import threading

        STOP = threading.Event()
        TICKS = []

        def pump():
            while not STOP.wait(0.001):
                TICKS.append(1)
        """, """\
        import threading
        from M_other import pump

        threading.Thread(target=pump, name="NAME",
                         daemon=True).start()
        """, 4, "started another thread 'NAME'"),
    "started in a function the module calls": (None, """\
        import threading

        STOP = threading.Event()

        def poll():
            STOP.wait()

        def start():
            threading.Thread(target=poll, name="NAME", daemon=True).start()

        start()
        """, 11, "started another thread 'NAME'"),
    "a Timer armed at import": (None, """\
        import threading

        def flush():
            pass

        timer = threading.Timer(60, flush)
        timer.name = "NAME"
        timer.daemon = True
        timer.start()
        """, 9, "armed another Timer 'NAME' while 1 armed before this save is still waiting"),
}


def stop(project, name):
    other = sys.modules.get(project.name("other"))
    if other is not None:
        other.STOP.set()
    for thread in threading.enumerate():
        if thread.name == name:
            getattr(thread, "cancel", lambda: None)()
            if hasattr(project.module("app"), "STOP"):
                project.module("app").STOP.set()  # the first run's Event: the old thread's
    for thread in threading.enumerate():
        if thread.name == name:
            thread.join(5)


@pytest.mark.parametrize("form", FORMS)
def test_a_thread_the_module_s_code_starts_again_is_noted_on_the_statement_that_started_it(project, form):
    other, app, line, text = FORMS[form]
    name = project.prefix + "worker"
    if other is not None:
        project.save("other", other.replace("NAME", name))
    project.save("app", app.replace("NAME", name))
    first = getattr(project.module("app"), "STOP", None)
    try:
        reply = project.save("app", app.replace("NAME", name))
        notes = [n for n in reply.get("notes", []) if " another thread " in n["text"] or " another Timer " in n["text"]]
        assert [(n["file"], n["line"]) for n in notes] == [(project.module("app").__file__, line)], reply.get("notes")
        assert text.replace("NAME", name) in notes[0]["text"]
        assert sum(1 for t in threading.enumerate() if t.name == name) == 2  # as the note says
    finally:
        if first is not None:
            first.set()
        stop(project, name)


def test_a_list_the_threads_append_to_is_not_taken_for_the_module_s_additions(project):
    # The thread app's run starts appends to TICKS before the run ends:
    # a thread's code adds to it, not the module's run, and a fresh run's
    # thread appends too. Only the second thread is said.
    name = project.prefix + "worker"
    project.save("other", """\
        import threading

        STOP = threading.Event()
        TICKS = []

        def pump(ready):
            TICKS.append(1)
            ready.set()
            STOP.wait()
        """)
    app = """\
        import threading
        from M_other import pump

        ready = threading.Event()
        threading.Thread(target=pump, args=(ready,), name="NAME", daemon=True).start()
        ready.wait(5)
        """.replace("NAME", name)
    project.save("app", app)
    try:
        texts = [n["text"] for n in project.save("app", app).get("notes", [])]
        assert len(texts) == 1 and "started another thread" in texts[0], texts
    finally:
        stop(project, name)


def test_a_list_a_thread_only_reads_is_still_noted_when_the_module_adds_to_it_again(project):
    name = project.prefix + "reader"
    project.save("other", """\
        import threading

        STOP = threading.Event()
        ITEMS = []

        def add(f):
            ITEMS.append(f)

        def read():
            while not STOP.wait(0.001):
                len(ITEMS)

        threading.Thread(target=read, name="NAME", daemon=True).start()
        """.replace("NAME", name))
    app = """\
        from M_other import add

        def make(n):
            return lambda: n

        add(make(1))
        """
    project.save("app", app)
    try:
        texts = [n["text"] for n in project.save("app", app).get("notes", [])]
        assert [t for t in texts if "ITEMS: received another function while" in t], texts
    finally:
        stop(project, name)


def test_a_thread_started_where_the_old_one_ended_is_not_noted(project):
    source = """\
        import threading

        STOP = threading.Event()

        def poll():
            STOP.wait()

        def __hotload_teardown__():
            STOP.set()
            worker.join(5)

        worker = threading.Thread(target=poll, name="NAME", daemon=True)
        worker.start()
        """.replace("NAME", project.prefix + "worker")
    project.save("app", source)
    try:
        assert not project.save("app", source).get("notes")
    finally:
        project.module("app").STOP.set()


def test_a_library_s_worker_thread_is_not_noted(project):
    # The old executor's worker ends once the executor is freed: the pool's business.
    source = """\
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(1)
        pool.submit(int).result()
        """
    project.save("app", source)
    assert not project.save("app", source).get("notes")
    project.module("app").pool.shutdown()


def test_a_thread_another_module_s_run_started_is_not_counted_as_the_module_s(project):
    # The same target, started by first's import and then by its run again
    # (known as first's), and by app's import: app's run again sees two
    # it may have started, not three.
    other, app, _, _ = FORMS["a target of another module"]
    name = project.prefix + "worker"
    project.save("other", other.replace("NAME", name))
    project.save("first", app.replace("NAME", name))
    project.save("first", app.replace("NAME", name))
    try:
        project.save("app", app.replace("NAME", name))
        notes = [n["text"] for n in project.save("app", app.replace("NAME", name)).get("notes", []) if " another thread " in n["text"] or " another Timer " in n["text"]]
        assert len(notes) == 1 and "while 2 started before this save are still running" in notes[0], notes
    finally:
        stop(project, name)


def test_thread_start_is_threading_s_own_again_after_a_save_and_after_a_failed_one(project):
    start = threading.Thread.start
    project.save("app", "import threading\nthreading.Thread(target=int).start()\n")
    assert threading.Thread.__dict__["start"] is start
    path = project.dir / project.file("app")
    path.write_text("import threading\nthreading.Thread(target=int).start()\n1 / 0\n")
    reply = ops.op_reload(project.agent, {"module": project.name("app"), "path": str(path)})
    assert reply["rolled_back"]
    assert threading.Thread.__dict__["start"] is start
