"""A .pth file added to site-packages while the runtime runs (`pip install
-e` into its venv) is read at the next look, as a fresh python reads it at
its start: its paths go on sys.path, its import lines run, each once. A
read one changed or removed gets a note: what it added cannot be undone."""

import os
import sys
import uuid

import pytest

from _hotload_agent.site_files import SitePackages

OLD = 1_000_000_000  # an mtime long past: not racy (see RACY_SECONDS)


@pytest.fixture
def site_dir(tmp_path, monkeypatch):
    """An empty site-packages folder; sys.path and sys.modules as they were after."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        del sys.modules[name]


def unique(stem):
    return stem + "_" + uuid.uuid4().hex[:8]


def test_a_path_pth_added_puts_its_folder_on_sys_path(site_dir, tmp_path):
    sites = SitePackages([str(site_dir)])
    vendor = tmp_path / "vend"
    vendor.mkdir()
    (site_dir / "__editable__.vend.pth").write_text("# a comment\n%s\n%s\n" % (vendor, tmp_path / "missing"))
    sites.look()
    assert sys.path[-1] == str(vendor)
    assert str(tmp_path / "missing") not in sys.path  # site adds only folders that exist
    assert sites.take_notes() == []


def test_an_import_line_runs_once(site_dir):
    hook = unique("hook")
    (site_dir / (hook + ".py")).write_text("runs = []\n")
    sys.path.append(str(site_dir))
    sites = SitePackages([str(site_dir)])
    (site_dir / "__editable__.vend.pth").write_text("import %s; %s.runs.append(1)\n" % (hook, hook))
    sites.look()
    sites.look()
    (site_dir / "other.pth").write_text("\n")
    sites.look()
    assert sys.modules[hook].runs == [1]


def test_a_pth_caught_half_written_is_read_again_once_written(site_dir):
    # pip, an editor or a test writes a file in two steps (create, then
    # write): a look between them reads it empty. Its write is no change
    # to note, and its folder's mtime stays: it is read again.
    hook = unique("hook")
    (site_dir / (hook + ".py")).write_text("runs = []\n")
    sys.path.append(str(site_dir))
    sites = SitePackages([str(site_dir)])
    pth = site_dir / "__editable__.vend.pth"
    pth.write_text("")
    sites.look()
    assert hook not in sys.modules
    pth.write_text("import %s; %s.runs.append(1)\n" % (hook, hook))
    t = pth.stat().st_mtime_ns
    os.utime(pth, ns=(t + 5_000_000, t + 5_000_000))  # a later tick than the empty write, however coarse the clock
    sites.look()
    sites.look()
    assert sys.modules[hook].runs == [1]
    assert sites.take_notes() == []


def test_a_pth_there_at_the_start_is_not_read_again(site_dir):
    hook = unique("hook")
    (site_dir / (hook + ".py")).write_text("runs = []\n")
    sys.path.append(str(site_dir))
    (site_dir / "early.pth").write_text("import %s; %s.runs.append(1)\n" % (hook, hook))
    sites = SitePackages([str(site_dir)])
    (site_dir / "late.pth").write_text("\n")
    sites.look()
    assert hook not in sys.modules


def test_a_changed_or_removed_pth_is_noted_once(site_dir):
    (site_dir / "a.pth").write_text("\n")
    (site_dir / "b.pth").write_text("\n")
    os.utime(site_dir / "a.pth", ns=(OLD * 10**9, OLD * 10**9))
    sites = SitePackages([str(site_dir)])
    (site_dir / "a.pth").write_text("/elsewhere\n")
    (site_dir / "b.pth").unlink()
    sites.look()
    notes = sites.take_notes()
    assert [n["text"].split(" was ")[1].split(" ")[0] for n in notes] == ["changed", "removed"]
    assert "restart" in notes[0]["text"]
    sites.look()
    assert sites.take_notes() == []


def test_notes_stay_until_taken(site_dir):
    """The zygote looks and never takes them: each worker it forks has them."""
    (site_dir / "a.pth").write_text("\n")
    sites = SitePackages([str(site_dir)])
    (site_dir / "a.pth").unlink()
    sites.look()
    sites.look()
    assert len(sites.unsaid) == 1


def test_a_folder_whose_mtime_is_as_at_the_last_look_is_not_listed(site_dir, tmp_path):
    os.utime(site_dir, ns=(OLD * 10**9, OLD * 10**9))
    sites = SitePackages([str(site_dir)])
    (site_dir / "new.pth").write_text("%s\n" % tmp_path)
    os.utime(site_dir, ns=(OLD * 10**9, OLD * 10**9))
    sites.look()
    assert str(tmp_path) not in sys.path
    os.utime(site_dir, ns=((OLD + 1) * 10**9, (OLD + 1) * 10**9))
    sites.look()
    assert str(tmp_path) in sys.path


def test_a_folder_changed_within_the_racy_second_is_listed_again(site_dir, tmp_path):
    """A .pth added in the same clock tick as the last listing leaves the
    folder's mtime as it was: a recent mtime is not trusted."""
    sites = SitePackages([str(site_dir)])
    sites.look()
    stamp = os.stat(site_dir).st_mtime_ns
    (site_dir / "new.pth").write_text("%s\n" % tmp_path)
    os.utime(site_dir, ns=(stamp, stamp))  # as if in the same tick
    sites.look()
    assert str(tmp_path) in sys.path


def test_a_save_imports_from_a_pth_added_after_the_start(project, site_dir, tmp_path):
    project.agent.site = SitePackages([str(site_dir)])
    vendor = tmp_path / "vend"
    vendor.mkdir()
    mod = unique("vendmod")
    (vendor / (mod + ".py")).write_text("X = 'vend'\n")
    (site_dir / "__editable__.vend.pth").write_text("%s\n" % vendor)
    project.save("app", "import %s\nv = %s.X\n" % (mod, mod))
    assert project.module("app").v == "vend"


def install(site_dir, project, version, names, top_level=False):
    """Writes the metadata folder pip leaves for project's version, naming
    the top-level modules it installs (in top_level.txt or in RECORD)."""
    dist = site_dir / ("%s-%s.dist-info" % (project, version))
    dist.mkdir()
    if top_level:
        (dist / "top_level.txt").write_text("".join(n + "\n" for n in names))
    rows = ["%s/__init__.py,sha256=x,1" % n for n in names] + ["%s/RECORD,," % dist.name, "../../bin/tool,,"]
    (dist / "RECORD").write_text("\n".join(rows) + "\n")
    return dist


def uninstall(dist):
    for f in dist.iterdir():
        f.unlink()
    dist.rmdir()


def stash(dist):
    """Moves dist aside, as pip's uninstall does until the install that
    replaces it is done (then uninstall removes it)."""
    aside = dist.parent / ("~" + dist.name)
    dist.rename(aside)
    return aside


@pytest.mark.parametrize("case", ["upgraded", "upgraded, named by top_level.txt", "uninstalled", "not loaded", "added",
                                  "installed again", "installed again, not loaded"])
def test_a_distribution_whose_modules_are_loaded_changed_is_noted(site_dir, case):
    """pip install -U while the runtime runs: the runtime still runs the
    version it imported, a fresh run the new one."""
    pkg = unique("lib")
    project = pkg if "top_level" not in case else unique("py_" + pkg)
    (site_dir / pkg).mkdir()
    (site_dir / pkg / "__init__.py").write_text("V = 1\n")
    sys.path.append(str(site_dir))
    old = install(site_dir, project, "1.0", [pkg], top_level="top_level" in case)
    if not case.endswith("not loaded"):
        __import__(pkg)
    sites = SitePackages([str(site_dir)])
    if case == "added":
        install(site_dir, unique("other"), "0.1", ["other"])
    elif case.startswith("installed again"):
        # `pip install ./lib` again, its version unchanged: the same name.
        aside = stash(old)
        install(site_dir, project, "1.0", [pkg])
        uninstall(aside)
    else:
        uninstall(old)
    if case.startswith("upgraded"):
        install(site_dir, project, "2.0", [pkg], top_level="top_level" in case)
    sites.look()
    notes = [n["text"] for n in sites.take_notes()]
    if case.endswith("not loaded") or case == "added":
        assert notes == []
    elif case == "installed again":
        assert len(notes) == 1 and "%s 1.0 was installed again" % project.lower() in notes[0] and "(%s)" % pkg in notes[0]
        assert "restart the runtime" in notes[0]
    elif case == "uninstalled":
        assert len(notes) == 1 and "%s 1.0 was uninstalled" % project.lower() in notes[0] and "restart the runtime" in notes[0]
    else:
        assert len(notes) == 1 and "%s 1.0 was replaced by %s 2.0" % (project.lower(), project.lower()) in notes[0]
        assert "(%s)" % pkg in notes[0]
    sites.look()
    assert sites.take_notes() == []  # once
