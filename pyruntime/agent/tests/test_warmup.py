"""Warming a spare: a real reload runs, nothing is sent, nothing is left."""

import os
import sys
import tempfile

from _hotload_agent import warmup
from _hotload_agent.agent import Agent


class RecordingChannel:
    """Stands in for both the real channel (which must get nothing) and the
    warm-up's null channel (which sees what a real request would send)."""

    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


def test_warm_runs_a_reload_and_leaves_no_trace(monkeypatch, tmp_path):
    real = RecordingChannel()
    null = RecordingChannel()
    monkeypatch.setattr(warmup, "NullChannel", lambda: null)
    # A folder of its own: other runtimes on the machine warm up in /tmp too.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    agent = Agent(real)
    stdout, stderr = sys.stdout, sys.stderr
    try:
        warmup.warm(agent)
    finally:
        sys.stdout, sys.stderr = stdout, stderr

    assert real.sent == [], "the warm-up sent something to the Go side"
    assert agent.channel is real
    # The reload ran as a request would: its output, then its reply.
    output = [m for m in null.sent if m.get("event") == "output"]
    replies = [m for m in null.sent if "ok" in m]
    assert [m["text"] for m in output] == ["3\n"]
    assert len(replies) == 1 and replies[0]["error"] is None and replies[0]["value"] == "[1, 2, 3]"
    # And left nothing behind.
    assert warmup.WARMUP_MODULE not in sys.modules
    assert os.listdir(str(tmp_path)) == []
    assert not agent._queued and agent._current is None and agent.requests.empty()


def test_warm_without_a_temporary_folder_does_nothing(monkeypatch):
    def no_folder(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(warmup.tempfile, "mkstemp", no_folder)
    real = RecordingChannel()
    agent = Agent(real)
    warmup.warm(agent)
    assert real.sent == [] and agent.channel is real and not agent._queued
