"""Failure hooks: what reaches the editor, and that the program's own reporting is unchanged."""

import asyncio
import gc
import logging
import threading

import pytest

from _hotload_agent.failures import FailureHooks


@pytest.fixture
def sent():
    events = []
    hooks = FailureHooks(events.append)
    hooks.install()
    yield events
    hooks.uninstall()


def test_thread_exception(monkeypatch):
    previous = []  # what the hook before ours received: Python's own report still happens
    monkeypatch.setattr(threading, "excepthook", previous.append)
    sent = []
    hooks = FailureHooks(sent.append)
    hooks.install()

    def work():
        raise KeyError("k")

    try:
        t = threading.Thread(target=work, name="worker")
        t.start()
        t.join()
    finally:
        hooks.uninstall()
    assert [(e["origin"], e["where"], e["error"]["type"]) for e in sent] == [("thread", "worker", "KeyError")]
    assert [type(args.exc_value) for args in previous] == [KeyError]


def test_logged_traceback(sent):
    log = logging.getLogger("test_failures.app")
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("request %s failed", "/boom")
        log.warning("handled", exc_info=True)  # below ERROR: the program handled it
    log.error("no traceback")
    assert [(e["origin"], e["where"], e["text"], e["error"]["type"]) for e in sent] == [
        ("log", "test_failures.app", "request /boom failed", "ZeroDivisionError")]


def test_unretrieved_task_exception(sent):
    async def fail():
        raise ValueError("task")

    async def main():
        asyncio.get_running_loop().create_task(fail())
        await asyncio.sleep(0.01)

    asyncio.run(main())
    gc.collect()
    assert [(e["where"], e["error"]["type"]) for e in sent] == [("asyncio", "ValueError")]


def test_basic_config_still_configures_logging(sent):
    root = logging.getLogger()
    before = list(root.handlers)
    for h in before:
        root.removeHandler(h)
    try:
        logging.basicConfig(level=logging.INFO)
        assert len(root.handlers) == 1  # our hooks add no handler
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in before:
            root.addHandler(h)


def test_uninstall_restores():
    factory, hook = logging.getLogRecordFactory(), threading.excepthook
    hooks = FailureHooks(lambda event: None)
    hooks.install()
    assert logging.getLogRecordFactory() != factory
    hooks.uninstall()
    assert logging.getLogRecordFactory() is factory and threading.excepthook is hook


def test_printed_traceback_once(sent):
    import io
    import traceback

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # formats the record's traceback with print_exception
    log = logging.getLogger("test_failures.printed")
    log.addHandler(handler)
    try:
        try:
            [][1]
        except IndexError:
            log.exception("failed")  # reported as logged, then printed by the handler: once
        try:
            {}["k"]
        except KeyError:
            traceback.print_exc(file=stream)  # as socketserver's handle_error does
    finally:
        log.removeHandler(handler)
    assert [(e["origin"], e["where"], e["error"]["type"]) for e in sent] == [
        ("log", "test_failures.printed", "IndexError"),
        ("printed", __name__, "KeyError"),
    ]
    assert "IndexError" in stream.getvalue() and "KeyError" in stream.getvalue()
