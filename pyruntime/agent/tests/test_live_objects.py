"""What a save does to objects made before it that a fresh run would make
differently: the edits of lsp/testdata/unseen/, on small modules, each
either made right or noted on the line of the object that is not."""

import asyncio
import atexit
import sys
import textwrap

import pytest

from _hotload_agent import ops


def texts(reply):
    return [n["text"] for n in reply.get("notes", [])]


def test_singledispatchmethod_implementations_in_a_class_keep_one_each(project):
    source = """\
        import functools

        class Renderer:
            @functools.singledispatchmethod
            def render(self, value):
                return "?"

            @render.register
            def _(self, value: int):
                return "INT"

            @render.register
            def _(self, value: list):
                return "list"
            EXTRA
        """
    project.save("render", source.replace("INT", "int").replace("EXTRA", ""))
    r = project.module("render").Renderer()
    project.save("render", source.replace("INT", "integer").replace("EXTRA", """
            @render.register
            def _(self, value: float):
                return "float"
"""))
    assert (r.render(3), r.render([1]), r.render(2.5)) == ("integer", "list", "float")


def test_names_a_star_import_no_longer_gives_are_removed(project):
    project.save("helpers", '__all__ = ["slug", "title"]\n\ndef slug(s):\n    return s\n\ndef title(s):\n    return s\n')
    project.save("views", "from M_helpers import *\n")
    reply = project.save("helpers", '__all__ = ["slug"]\n\ndef slug(s):\n    return s\n\ndef title(s):\n    return s\n')
    views = project.module("views")
    assert hasattr(views, "slug") and not hasattr(views, "title")
    assert any("removed title, which its star import" in t for t in texts(reply)), texts(reply)


def test_an_attribute_init_now_sets_is_noted_for_instances_made_before(project):
    source = """\
        class Client:
            limit = 5

            def __init__(self, url):
                self.url = url
                %s
        """
    project.save("client", source % "")
    reply = project.save("client", source % "self.retries = 3\n                self.limit = 9")
    [note] = reply["notes"]  # limit has a class default: instances read it
    assert "__init__ now sets self.retries: instances made before this save do not have it" in note["text"]
    assert note["line"] == 1
    assert "notes" not in project.save("client", source % "self.retries = 4\n                self.limit = 9")


def test_an_edited_cached_property_is_noted(project):
    source = "import functools\n\nclass R:\n    @functools.cached_property\n    def total(self):\n        return %d\n"
    project.save("report", source % 1)
    reply = project.save("report", source % 2)
    [note] = reply["notes"]
    assert "`del obj.total` recomputes it" in note["text"] and note["line"] == 4


def test_an_open_contextmanager_of_an_edited_function_is_noted(project):
    source = ("import contextlib\n\nLOG = []\n\n@contextlib.contextmanager\ndef session():\n    yield\n"
              "    LOG.append(%d)\n")
    project.save("db", source % 1)
    project.save("app", "import M_db\n")
    app = project.module("app")
    app.cm = project.module("db").session()
    app.cm.__enter__()
    reply = project.save("db", source % 2)
    [note] = reply["notes"]
    assert note["text"].startswith(project.name("db") + ".session: %s.cm holds a generator made before"
                                   % project.name("app"))
    app.cm.__exit__(None, None, None)
    assert "notes" not in project.save("db", source % 3)


def test_a_live_generator_of_an_edited_generator_function_is_noted(project):
    source = "def numbers():\n    n = 0\n    while True:\n        yield n * %d\n        n += 1\n"
    project.save("feed", source % 1)
    project.save("app", "import M_feed\n")
    app = project.module("app")
    app.stream = project.module("feed").numbers()
    next(app.stream)
    reply = project.save("feed", source % 10)
    [note] = reply["notes"]
    assert note["text"].startswith(project.name("feed") + ".numbers: %s.stream holds a generator made before"
                                   % project.name("app"))
    del app.stream
    assert "notes" not in project.save("feed", source % 100)


@pytest.mark.parametrize("queue", [
    "asyncio.run_coroutine_threadsafe(ticker(), loop)",  # in the callback's closure
    "loop.call_soon_threadsafe(loop.create_task, ticker())",  # in its arguments
    "loop.call_soon(functools.partial(asyncio.ensure_future, ticker(), loop=loop))",  # in a partial's
    "loop.call_later(60, loop.create_task, ticker())",  # among the loop's timers
])
def test_a_coroutine_queued_on_a_loop_before_the_save_is_noted(project, queue):
    # No thread runs the loop, so the coroutine stays queued: it is not a
    # task yet, and becomes one, with the old code, when the loop runs.
    source = """\
        import asyncio
        import functools

        async def ticker():
            return %r

        try:
            loop
        except NameError:
            loop = asyncio.new_event_loop()
            QUEUE
        """.replace("QUEUE", queue)
    project.save("bot", source % "v1")
    loop = project.module("bot").loop
    try:
        reply = project.save("bot", source % "v2")
        [note] = reply["notes"]
        assert note["text"].startswith(project.name("bot") + ".ticker: a task of %s.loop queued before this save runs it"
                                       % project.name("bot")), note["text"]
        assert note["line"] == 4
    finally:
        close_queued(loop)
    assert "notes" not in project.save("bot", source % "v3")  # a closed loop starts nothing


# A module whose ticker task runs on a loop a thread runs (in_a_thread),
# after IMPORT; MAIN is how main() starts the task and waits for it.
TICKER_IN_A_THREAD = """\
import asyncio
import threading
IMPORT

def run_until_complete(coroutine):
    asyncio.new_event_loop().run_until_complete(coroutine)

async def ticker():
    STARTED.set()
    while not STOP.is_set():
        await asyncio.sleep(0.005)
    return %r

async def main():
    MAIN
"""


@pytest.mark.parametrize("run", ["asyncio.run", "uvloop.run", "run_until_complete"])
def test_a_task_of_a_loop_only_a_thread_holds_is_noted(project, run):
    # A loop run in a thread, as a program's main thread runs its own: no
    # module holds the loop or the task, the thread's frames do. uvloop's
    # loop methods have no Python frame; the frames that call them do.
    if run == "uvloop.run":
        pytest.importorskip("uvloop")  # .venv-test has it (make test); the bare Pythons of make test-pythons do not
    source = in_a_thread(TICKER_IN_A_THREAD.replace("IMPORT", "import uvloop" if run == "uvloop.run" else "")
                         .replace("MAIN", "task = asyncio.ensure_future(ticker())\n    await task"), run + "(main())")
    [note] = saved_while_its_thread_runs(project, "svc", source)["notes"]
    assert note["text"].startswith(project.name("svc") + ".ticker: a running task of the event loop of thread "
                                   "'svc-loop' runs it"), note["text"]
    assert note["line"] == 8
    assert "notes" not in project.save("svc", source % "v3")  # the loop ended with its thread


def test_a_task_a_module_holds_on_a_loop_a_thread_runs_is_noted_once(project):
    source = in_a_thread(TICKER_IN_A_THREAD.replace("IMPORT", "")
                         .replace("MAIN", "global TASK\n    TASK = asyncio.ensure_future(ticker())\n    await TASK"),
                         "asyncio.run(main())")
    [note] = saved_while_its_thread_runs(project, "svc", source)["notes"]
    assert note["text"].startswith("%s.ticker: a running task of %s.TASK runs it" % (project.name("svc"),
                                                                                      project.name("svc"))), note["text"]


def test_the_loop_of_a_thread_deep_in_calls_is_found(project):
    # The loop's own thread is 300 calls deep when the save comes (a
    # request's frames): its loop's frames lie under them all.
    source = """\
        import asyncio
        import threading

        def deep(n):
            if n:
                return deep(n - 1)
            STARTED.set()
            STOP.wait(5)

        async def waiting():
            await asyncio.sleep(60)
            return %r

        async def main():
            task = asyncio.ensure_future(waiting())
            await asyncio.sleep(0)  # the task starts, and waits
            deep(300)
            task.cancel()
        """
    [note] = saved_while_its_thread_runs(project, "svc", in_a_thread(source, "asyncio.run(main())"))["notes"]
    assert note["text"].startswith(project.name("svc") + ".waiting: a running task of the event loop of thread "
                                   "'svc-loop' runs it"), note["text"]


def test_an_async_generator_a_running_task_iterates_is_noted(project):
    # `async for` awaits the generator's step object, not the generator:
    # the generator is found through it.
    source = """\
        import asyncio
        import threading

        async def stream():
            while not STOP.is_set():
                STARTED.set()
                await asyncio.sleep(0.005)
                yield %r

        async def consume():
            async for item in stream():
                pass
        """
    source = in_a_thread(source, "asyncio.run(consume())", "consumer")
    [note] = saved_while_its_thread_runs(project, "feed", source)["notes"]
    assert note["text"].startswith(project.name("feed") + ".stream: a running task of the event loop of thread "
                                   "'consumer' runs it"), note["text"]
    assert note["line"] == 4


def in_a_thread(source, call, thread="svc-loop"):
    """source, dedented, and the lines that call call (`asyncio.run(main())`)
    on a thread of that name, once: the module sets STARTED when its code
    runs, and stops when STOP is set."""
    return textwrap.dedent(source) + textwrap.dedent("""
        try:
            STOP
        except NameError:
            STARTED, STOP = threading.Event(), threading.Event()
            THREAD = threading.Thread(target=lambda: %s, name=%r, daemon=True)
            THREAD.start()
        """) % (call.replace("%", "%%"), thread)


def saved_while_its_thread_runs(project, short, source):
    """Saves source's v1, which starts THREAD; once that sets STARTED,
    saves v2 and returns its reply; sets STOP and waits for THREAD to
    end."""
    project.save(short, source % "v1")
    module = project.module(short)
    try:
        assert module.STARTED.wait(5)
        return project.save(short, source % "v2")
    finally:
        module.STOP.set()
        module.THREAD.join(5)


def close_queued(loop):
    """Closes the loop and the coroutines its callbacks hold, which never
    ran (no "never awaited" warning)."""
    for handle in list(loop._ready) + list(loop._scheduled):
        callback = handle._callback
        for item in list(handle._args or ()) + list(getattr(callback, "args", ())) + [
                cell.cell_contents for cell in getattr(callback, "__closure__", None) or ()]:
            if asyncio.iscoroutine(item):
                item.close()
        handle.cancel()
    loop.close()


def test_a_list_registry_follows_the_order_of_the_new_registrations(project):
    project.save("bus", "SUBSCRIBERS = []\n\ndef on(f):\n    SUBSCRIBERS.append(f)\n    return f\n")
    project.save("other", "from M_bus import on\n\n@on\ndef first():\n    pass\n")
    source = "from M_bus import on\n\n@on\ndef %s():\n    pass\n\n@on\ndef audit():\n    pass\n"
    project.save("handlers", source % "notify")
    project.save("handlers", source % "welcome")
    assert [f.__name__ for f in project.module("bus").SUBSCRIBERS] == ["first", "welcome", "audit"]


def test_a_dict_registry_lists_a_module_s_definitions_in_its_order(project):
    project.save("registry", "COMMANDS = {}\n\ndef command(f):\n    COMMANDS[f.__name__] = f\n    return f\n")
    source = "from M_registry import command\n%s\n@command\ndef build():\n    pass\n"
    project.save("commands", source % "")
    project.save("commands", source % "\n@command\ndef init():\n    pass\n")
    assert list(project.module("registry").COMMANDS) == ["init", "build"]


REGISTRY = "HANDLERS = {}\n\ndef register(name):\n    def deco(f):\n        HANDLERS[name] = f\n        return f\n    return deco\n"


def test_a_definition_registered_under_a_new_key_leaves_its_old_key(project):
    project.save("registry", REGISTRY)
    source = "from M_registry import register\n\n@register(%r)\ndef upper(s):\n    return s.upper()\n\n" \
             "@register('rev')\ndef rev(s):\n    return s[::-1]\n"
    project.save("plugins", source % "upper")
    project.save("plugins", source % "shout")
    handlers = project.module("registry").HANDLERS
    assert list(handlers) == ["shout", "rev"] and handlers["shout"] is project.module("plugins").upper


def test_an_alias_the_new_version_still_registers_stays(project):
    project.save("registry", REGISTRY)
    source = "from M_registry import register\n\n@register('/')\n@register(%r)\ndef home():\n    return 'home'\n"
    project.save("views", source % "/index")
    project.save("views", source % "/home")
    assert list(project.module("registry").HANDLERS) == ["/home", "/"]


def test_a_key_another_module_set_for_a_definition_stays(project):
    project.save("registry", REGISTRY)
    source = "from M_registry import register\n\n@register(%r)\ndef upper(s):\n    return s.upper()\n"
    project.save("plugins", source % "upper")
    project.save("app", "import M_registry, M_plugins\n\nM_registry.HANDLERS['u'] = M_plugins.upper\n")
    project.save("plugins", source % "shout")
    assert list(project.module("registry").HANDLERS) == ["shout", "u"]


def test_a_class_registered_under_a_new_key_by_init_subclass_leaves_its_old_key(project):
    project.save("base", "class Plugin:\n    registry = {}\n\n    def __init_subclass__(cls):\n"
                         "        Plugin.registry[cls.key] = cls\n")
    source = "from M_base import Plugin\n\nclass Csv(Plugin):\n    key = %r\n\nclass Json(Plugin):\n    key = 'json'\n"
    project.save("plugins", source % "csv")
    reply = project.save("plugins", source % "csv2")
    registry = project.module("base").Plugin.registry
    assert list(registry) == ["csv2", "json"] and registry["csv2"] is project.module("plugins").Csv
    assert "notes" not in reply


def test_a_registry_of_the_module_of_a_base_taken_by_name_is_found(project):
    project.save("base", "READERS = {}\n\nclass Reader:\n    def __init_subclass__(cls, format=None):\n"
                         "        READERS[format] = cls\n")
    source = "from M_base import Reader\n\nclass TabReader(Reader, format=%r):\n    sep = '\\t'\n"
    project.save("readers", source % "csv")
    reply = project.save("readers", source % "tsv")
    assert project.module("base").READERS == {"tsv": project.module("readers").TabReader}
    assert "notes" not in reply


def test_a_failed_save_gives_a_renamed_key_back(project):
    project.save("registry", REGISTRY)
    source = "from M_registry import register\n\n@register(%r)\ndef upper(s):\n    return s.upper()\n%s"
    project.save("plugins", source % ("upper", ""))
    path = project.dir / project.file("plugins")
    path.write_text((source % ("shout", "\n1 / 0\n")).replace("M_", project.prefix))
    reply = ops.op_reload(project.agent, {"module": project.name("plugins"), "path": str(path)})
    assert reply["rolled_back"]
    assert list(project.module("registry").HANDLERS) == ["upper"]


def test_a_listener_object_made_again_is_registered_once(project):
    project.save("events", "LISTENERS = []\n")
    source = """\
        from M_events import LISTENERS

        class Counter:
            def on(self, n):
                return n * %d

        counter = Counter()
        LISTENERS.append(counter.on)
        """
    project.save("app", source % 1)
    reply = project.save("app", source % 10)
    [listener] = project.module("events").LISTENERS
    assert listener.__self__ is project.module("app").counter and listener(2) == 20
    assert "notes" not in reply


def test_a_class_body_table_of_its_functions_holds_the_class_s_functions(project):
    source = """\
        class Machine:
            def on_start(self):
                return %r

            HANDLERS = {"start": on_start}
            ORDER = (on_start,)
        """
    project.save("machine", source % "v1")
    project.save("machine", source % "v2")
    cls = project.module("machine").Machine
    assert cls.HANDLERS["start"] is cls.__dict__["on_start"] is cls.ORDER[0]
    assert cls.HANDLERS["start"](None) == "v2"


@pytest.mark.parametrize("edit, names, value", [
    ("LOW = enum.auto()\n    MEDIUM = enum.auto()\n    HIGH = enum.auto()", ["LOW", "MEDIUM", "HIGH"], 3),
    ("LOW = 1\n    HIGH = 20", ["LOW", "HIGH"], 20),
])
def test_an_enum_whose_members_change_keeps_its_class_and_members(project, edit, names, value):
    project.save("levels", "import enum\n\nclass Level(enum.Enum):\n    LOW = enum.auto()\n    HIGH = enum.auto()\n")
    cls = project.module("levels").Level
    high = cls.HIGH
    reply = project.save("levels", "import enum\n\nclass Level(enum.Enum):\n    %s\n" % edit)
    assert project.module("levels").Level is cls and "notes" not in reply
    assert [m.name for m in cls] == names and high is cls.HIGH and high.value == value and cls(value) is high


@pytest.mark.parametrize("kept", [False, True])
def test_inner_functions_are_noted_only_when_an_old_one_is_kept(project, kept):
    source = "def make(k):\n    def inner(x):\n        return x * k + %d\n    return inner\n\nmade = make(1)\n"
    project.save("factory", source % 0)
    if kept:
        project.module("factory").__dict__["kept"] = [project.module("factory").make(2)]
    reply = project.save("factory", source % 1)
    assert bool(reply.get("notes")) is kept
    assert project.module("factory").made(1) == 2


def test_changed_bases_are_given_in_place_when_the_layout_allows(project):
    source = "class AppError(Exception):\n    pass\n\nclass NotFound(%s):\n    pass\n"
    project.save("errors", source % "AppError")
    errors = project.module("errors")
    err, cls = errors.NotFound("k"), errors.NotFound
    reply = project.save("errors", source % "AppError, LookupError")
    assert "notes" not in reply and errors.NotFound is cls and isinstance(err, LookupError)
    reply = project.save("errors", source % "dict")  # another layout: a new class, noted
    assert errors.NotFound is not cls and "its bases changed" in texts(reply)[0]


def test_an_exit_handler_is_registered_once_however_often_the_module_runs(project):
    calls = []
    sys.modules["calls_" + project.prefix] = calls
    source = "import atexit, sys\n\ndef flush():\n    sys.modules[%r].append(%d)\n\natexit.register(flush)\n"
    name = "calls_" + project.prefix
    project.save("cache", source % (name, 1))
    project.save("cache", source % (name, 2))
    reply = project.save("cache", source % (name, 3) + "atexit.register(lambda: None)\n")
    assert any("registers another exit handler with atexit" in t for t in texts(reply))
    flush = project.module("cache").flush
    atexit._run_exitfuncs()
    assert calls == [3]
    atexit.unregister(flush)
    del sys.modules[name]


def test_a_filter_of_the_user_s_class_is_added_once_however_often_the_module_runs(project):
    source = """\
        import logging

        class Redact(logging.Filter):
            def filter(self, record):
                record.msg = %r + str(record.msg)
                return True

        log = logging.getLogger("M_svc")
        log.addFilter(Redact())
        """
    for version in ("v1 ", "v2 ", "v3 "):
        project.save("logsetup", source % version)
        [only] = project.module("logsetup").log.filters
        assert type(only) is project.module("logsetup").Redact


SQLA_HOOKS = """\
    from sqlalchemy import event

    from M_db import AppSession

    LOG = []

    def %s(session, transaction):
        LOG.append(%r)

    event.listen(AppSession, "after_transaction_create", %s)
    %s
    """


def begin_log(project):
    """What the hooks module's listeners log when a session begins."""
    from sqlalchemy import create_engine
    log = project.module("hooks").LOG
    del log[:]
    project.module("db").AppSession(create_engine("sqlite://")).begin()
    return list(log)


@pytest.fixture
def sqla(project):
    """A project with a Session class of its own, whose listeners go with it."""
    pytest.importorskip("sqlalchemy")  # .venv-test has it; the bare Pythons of make test-pythons do not
    project.save("db", "from sqlalchemy.orm import Session\n\nclass AppSession(Session):\n    pass\n")
    return project


def test_a_renamed_sqlalchemy_listener_replaces_the_one_before(sqla):
    sqla.save("hooks", SQLA_HOOKS % ("log_flush", "flush", "log_flush", ""))
    sqla.save("hooks", SQLA_HOOKS % ("audit_flush", "audit", "audit_flush", ""))
    assert begin_log(sqla) == ["audit"]


def test_a_renamed_listens_for_listener_imported_by_name_replaces_the_one_before(sqla):
    source = """\
        from sqlalchemy.event import listens_for

        from M_db import AppSession

        LOG = []

        @listens_for(AppSession, "after_transaction_create")
        def %s(session, transaction):
            LOG.append(%r)
        """
    sqla.save("hooks", source % ("log_begin", "begin"))
    sqla.save("hooks", source % ("audit_begin", "audit"))
    sqla.save("hooks", source % ("audit_begin", "audit v2"))
    assert begin_log(sqla) == ["audit v2"]


def test_a_sqlalchemy_listener_made_again_fires_once(sqla):
    sqla.save("hooks", SQLA_HOOKS % ("log_flush", "flush", "log_flush", ""))
    lam = "event.listen(AppSession, 'after_transaction_create', lambda *a: LOG.append(%r))"
    for version in ("v1", "v2", "v3"):
        sqla.save("hooks", SQLA_HOOKS % ("log_flush", version, "log_flush", lam % ("lambda " + version)))
    assert begin_log(sqla) == ["v3", "lambda v3"]


def test_a_failed_save_takes_its_sqlalchemy_listeners_back(sqla):
    sqla.save("hooks", SQLA_HOOKS % ("log_flush", "flush", "log_flush", ""))
    path = sqla.dir / sqla.file("hooks")
    path.write_text(textwrap.dedent(SQLA_HOOKS % ("audit_flush", "audit", "audit_flush", "1 / 0")).replace("M_", sqla.prefix))
    reply = ops.op_reload(sqla.agent, {"module": sqla.name("hooks"), "path": str(path)})
    assert reply["rolled_back"]
    assert begin_log(sqla) == ["flush"]


def test_a_thread_started_again_while_the_old_one_runs_is_noted(project):
    source = """\
        import threading

        stop = threading.Event()

        def poll():
            stop.wait()

        worker = threading.Thread(target=poll, name="poller-%s", daemon=True)
        worker.start()
        """ % project.prefix
    project.save("poller", source)
    first = project.module("poller").stop
    try:
        reply = project.save("poller", source)
        [note] = reply["notes"]
        assert "started another thread 'poller-" in note["text"] and note["line"] == 9
    finally:
        first.set()
        project.module("poller").stop.set()


POLLER = """\
    import threading

    def poll():
        while not stop.wait(0.01):
            %s

    try:
        worker
    except NameError:
        stop = threading.Event()
        worker = threading.Thread(target=poll, name="loop-%s", daemon=True)
        worker.start()
    """


@pytest.mark.parametrize("bodies", [
    ["pass  # v1", "stop.is_set()  # v2"],
    # The thread runs the first version's code; a save swapped the
    # function's code since, and the last save replaces that: still noted.
    ["pass  # v0", "pass  # v1\n\n\n\n", "stop.is_set() or None  # v2"],  # lines moved only
    ["pass  # v0", "stop.is_set()  # v1", "stop.is_set() or None  # v2"],  # changed: noted once already
])
def test_a_thread_running_replaced_code_is_noted(project, bodies):
    project.save("poller", POLLER % (bodies[0], project.prefix))
    try:
        for body in bodies[1:]:
            reply = project.save("poller", POLLER % (body, project.prefix))
        [note] = reply["notes"]
        assert "thread 'loop-%s' is running it" % project.prefix in note["text"] and note["line"] == 3
    finally:
        project.module("poller").stop.set()
        project.module("poller").worker.join(5)


@pytest.mark.parametrize("after", [
    "import atexit, sys\n\ndef flush():\n    sys.modules[%r].append('flush')\n",
    "import atexit, sys\n\ndef save_all():\n    sys.modules[%r].append('save_all')\n\natexit.register(save_all)\n",
    "import atexit, sys\n\n@atexit.register\ndef save_all():\n    sys.modules[%r].append('save_all')\n",
], ids=["deleted", "renamed", "renamed, decorated"])
def test_an_exit_handler_the_module_no_longer_registers_is_taken_off(project, after):
    calls = []
    name = "calls_" + project.prefix
    sys.modules[name] = calls
    for before in ("import atexit, sys\n\ndef flush():\n    sys.modules[%r].append('flush')\n\natexit.register(flush)\n",
                   "import atexit, sys\n\n@atexit.register\ndef flush():\n    sys.modules[%r].append('flush')\n"):
        project.save("cache", before % name)
        flush = project.module("cache").flush
        project.save("cache", after % name)
        atexit._run_exitfuncs()  # a fresh run of the new code registers no flush
        assert calls == ([] if "register" not in after else ["save_all"])
        calls.clear()
        atexit.unregister(flush)
    del sys.modules[name]


@pytest.mark.parametrize("after,money,number", [
    ("from M_core import render\n\nclass Money:\n    pass\n", "plain", "int"),
    ("from M_core import render\n\nclass Money:\n    pass\n\n@render.register\ndef _(value: float):\n    return 'float'\n",
     "plain", "int"),
    ("import M_core\n\nclass Money:\n    pass\n\ndef _(value: Money):\n    return 'money'\n", "plain", "int"),
    ("from M_core import render\n\nclass Money:\n    pass\n\n@render.register\ndef _(value: Money):\n    return 'money 2'\n",
     "money 2", "int"),
], ids=["deleted", "type changed", "decorator removed, by module", "edited"])
def test_an_implementation_a_module_no_longer_registers_on_another_modules_singledispatch_is_taken_off(
        project, after, money, number):
    project.save("core", """\
        import functools

        @functools.singledispatch
        def render(value):
            return "plain"

        @render.register
        def _(value: int):
            return "int"
        """)
    project.save("plugin", "import M_core\n\nclass Money:\n    pass\n\n@M_core.render.register\ndef _(value: Money):\n"
                 "    return 'money'\n")
    render = project.module("core").render
    assert render(project.module("plugin").Money()) == "money"
    project.save("plugin", after)
    assert render(project.module("plugin").Money()) == money
    assert render(1) == number and render(2.5) == ("float" if "float" in after else "plain")


@pytest.mark.skipif(not hasattr(__import__("codecs"), "unregister"), reason="codecs.unregister is Python 3.10's")
def test_a_codec_search_function_is_registered_once_and_its_codecs_looked_up_again(project):
    import codecs
    source = """\
        import codecs

        def encode(text, errors="strict"):
            return (text.upper() + %r).encode(), len(text)

        def decode(data, errors="strict"):
            return bytes(data).decode(), len(data)

        def search(name):
            if name == "M_shout":
                return codecs.CodecInfo(encode, decode, name=%r)
            return None

        codecs.register(search)
        """
    codec = project.name("shout")
    project.save("shout", source % ("", "one"))
    search = project.module("shout").search
    try:
        assert codecs.lookup(codec).name == "one" and "a".encode(codec) == b"A"
        project.save("shout", source % ("!", "two"))
        assert codecs.lookup(codec).name == "two" and "a".encode(codec) == b"A!"
        codecs.unregister(search)  # registered once: no more
        with pytest.raises(LookupError):
            codecs.lookup(codec)
        codecs.register(search)
        project.save("shout", source.replace("codecs.register(search)", "") % ("?", "three"))
        with pytest.raises(LookupError):  # a fresh run registers no search function
            codecs.lookup(codec)
    finally:
        codecs.unregister(search)
