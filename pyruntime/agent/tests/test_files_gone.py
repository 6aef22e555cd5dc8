"""Workspace.files_gone: the loaded modules whose files are gone, looked up
by folder so that a save with many importers does not stat each file."""

import os

from _hotload_agent import graph

OLD = 1_000_000_000  # an mtime long past: not racy


def test_a_deleted_file_is_found_and_a_folder_unchanged_is_not_listed(project, monkeypatch):
    for short in ("a", "b"):
        project.save(short, "X = 1\n")
    names = [project.name("a"), project.name("b")]
    workspace = project.agent.workspace
    os.utime(project.dir, ns=(OLD, OLD))
    assert workspace.files_gone(names) == []
    stats = []
    real = graph.file_version
    monkeypatch.setattr(graph, "file_version", lambda path: stats.append(path) or real(path))
    assert workspace.files_gone(names) == []
    assert stats == [], "a folder whose mtime did not change had its files looked at"
    os.remove(project.dir / project.file("b"))
    os.utime(project.dir, ns=(OLD + 1, OLD + 1))  # as the deletion leaves it, past the racy second
    assert workspace.files_gone(names) == [project.name("b")]


def test_a_folder_changed_within_the_racy_second_is_looked_into_again(project):
    project.save("a", "X = 1\n")
    workspace = project.agent.workspace
    assert workspace.files_gone([project.name("a")]) == []
    stamp = os.stat(project.dir).st_mtime_ns
    os.remove(project.dir / project.file("a"))
    os.utime(project.dir, ns=(stamp, stamp))  # deleted in the same tick as the last look
    assert workspace.files_gone([project.name("a")]) == [project.name("a")]
