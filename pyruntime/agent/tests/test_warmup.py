"""Warming a spare: a first save's requests run, nothing is sent, nothing
is written, nothing is left."""

import os
import sys

import pytest

from _hotload_agent import warmup
from _hotload_agent.agent import Agent
from _hotload_agent.site_files import SitePackages


class RecordingChannel:
    """Stands in for both the real channel (which must get nothing) and the
    warm-up's null channel (which sees what a real request would send)."""

    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


def warm_quietly(agent):
    stdout, stderr = sys.stdout, sys.stderr
    try:
        warmup.warm(agent)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


class FileWrites:
    """Records, while active, every file Python opens to write or create:
    an audit hook, as it sees the opens of C code and of os.open too. A
    hook cannot be removed, so it is added once and records only inside
    `with`."""

    WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def __init__(self):
        self.paths = None
        sys.addaudithook(self.hook)

    def hook(self, event, args):
        if self.paths is None or event != "open":
            return
        path, mode, flags = args
        if (mode is not None and any(c in mode for c in "wax+")) or (flags & self.WRITING):
            self.paths.append(path)

    def __enter__(self):
        self.paths = []
        return self

    def __exit__(self, *exc):
        self.paths, self.seen = None, self.paths


@pytest.fixture(scope="module")
def file_writes():
    return FileWrites()


def test_warm_runs_a_first_save_and_leaves_no_trace(monkeypatch):
    real = RecordingChannel()
    null = RecordingChannel()
    monkeypatch.setattr(warmup, "NullChannel", lambda: null)
    agent = Agent(real)
    warm_quietly(agent)

    assert real.sent == [], "the warm-up sent something to the Go side"
    assert agent.channel is real
    # The import ran as a save's reload would, then the code in it: its
    # output, then its reply.
    output = [m for m in null.sent if m.get("event") == "output"]
    replies = [m for m in null.sent if "ok" in m]
    assert [m["text"] for m in output] == ["3\n"]
    assert [(r["error"], r["value"]) for r in replies] == [(None, None), (None, "[1, 2, 3]")]
    assert replies[0]["reloaded"] == [warmup.WARMUP_MODULE]
    # And left nothing behind.
    assert warmup.WARMUP_MODULE not in sys.modules
    assert warmup.WARMUP_MODULE not in agent.workspace.ran
    assert not agent._queued and agent._current is None and agent.requests.empty()


def test_warm_writes_no_file(file_writes):
    """A spare killed while it warms up (the server exiting, a restart)
    must leave nothing in the temporary folder: so the warm-up writes
    nothing anywhere."""
    agent = Agent(RecordingChannel())
    with file_writes:
        warm_quietly(agent)
    assert file_writes.seen == []


def test_a_warm_up_that_fails_still_leaves_no_trace(monkeypatch, tmp_path):
    missing = str(tmp_path / "gone.py")
    where = {"module": warmup.WARMUP_MODULE, "path": missing}
    monkeypatch.setattr(warmup, "warmup_requests", lambda: [dict(where, id=0, op="reload")])
    real = RecordingChannel()
    agent = Agent(real)
    warm_quietly(agent)
    assert real.sent == [] and agent.channel is real and not agent._queued
    assert warmup.WARMUP_MODULE not in sys.modules


def test_warm_leaves_the_site_notes_to_the_first_save(tmp_path):
    """A .pth removed before the spare was forked is noted in the zygote,
    and the spare inherits the note: its warm-up's reload must not take it,
    since nobody reads that reply, but leave it to the first real save."""
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir()
    (site_dir / "gone.pth").write_text("%s\n" % tmp_path)
    agent = Agent(RecordingChannel(), site=SitePackages([str(site_dir)]))
    (site_dir / "gone.pth").unlink()
    agent.site.look()
    warm_quietly(agent)
    notes = agent.site.take_notes()
    assert len(notes) == 1 and "gone.pth was removed" in notes[0]["text"]
