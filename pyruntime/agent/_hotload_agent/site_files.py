"""The .pth files and the installed distributions of site-packages that
change while the runtime runs.

Python reads the .pth files of its site-packages folders once, as it
starts (site.py): a `pip install -e ./vend` into the runtime's venv, made
while the runtime runs, writes one (`__editable__.vend.pth`) that a fresh
`python` run reads and the runtime never would. SitePackages processes the
ones added since the start as site would; one changed or removed since then
cannot be undone, and gets a note saying a restart is needed.

A `pip install -U pandas` while the runtime runs leaves the pandas it
imported running, where a fresh run imports the new one: a distribution
whose `.dist-info` folder goes (upgraded, downgraded, uninstalled) or is
made anew under the same name (`pip install ./mylib` again, its version
unchanged and its code not) while modules of it are loaded gets a note
saying so. The server starts a new
zygote before the next restart or fresh run, as a site-packages folder's
mtime changed (setup gives it), so a restart is enough.

It does not look at folders other than the site-packages ones site
processed at the start (a .pth in a folder a .pth added is not read), nor
at a .pth edited in place without a change to its folder (written again
through the same name): a folder's mtime changes only when an entry is
added, removed or renamed, and the folders are listed only then. A
distribution installed again is told by the inode number of its new
metadata folder: pip moves the old one aside until the new one is made,
so the numbers differ; a tool that removed the old one first could get
its number back from the file system, and that reinstall goes unseen.
"""

import importlib
import os
import site
import sys
import time

# How recent a folder's mtime may be for the folder to be listed again at
# the next look, whatever its mtime then: Linux stamps files with a clock
# that ticks every few milliseconds, so a .pth added in the same tick as
# the last listing, after it, leaves the folder's mtime as it was. A
# second is far past any tick, and the cost is one more listing per look
# during that second.
RACY_SECONDS = 1.0

# Python 3.13 skips .pth files whose names start with a dot (macOS's
# "._" files), as earlier versions did not.
SKIPS_DOT_FILES = sys.version_info >= (3, 13)

# The mtime recorded for a folder that is not there.
MISSING = -1


def site_folders():
    """The site-packages folders site processes at the start, in its order."""
    if sys.flags.no_site:
        return []
    folders = []
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    if hasattr(site, "getsitepackages"):  # a virtualenv < 20's site.py has none
        folders.extend(site.getsitepackages())
    return folders


def listing(folder):
    """The names of the .pth files in folder that site would read, and its
    distributions' metadata folders (`pandas-2.2.0.dist-info`), each with
    its inode number, which tells a folder made anew under the same name
    (a reinstall) from the one there before; ([], {}) if it cannot be
    listed. The inode comes with the listing on POSIX systems (Windows
    asks the file system for each)."""
    pths, dists = [], {}
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                if e.name.endswith(".pth") and not (SKIPS_DOT_FILES and e.name.startswith(".")):
                    pths.append(e.name)
                elif e.name.endswith(DIST_SUFFIXES):
                    dists[e.name] = inode(e)
    except OSError:
        return [], {}
    return sorted(pths), dists


def inode(entry):
    """The inode number of a listed entry, or None if it is gone already."""
    try:
        return entry.inode()
    except OSError:
        return None


# The metadata folders of installed distributions: a wheel's, a legacy
# setup.py install's.
DIST_SUFFIXES = (".dist-info", ".egg-info")


def project_of(dist):
    """The project and version of a metadata folder's name
    (`typing_extensions-4.9.0.dist-info`: its name with `-` made `_`)."""
    stem = dist.rsplit(".", 1)[0]
    name, _, rest = stem.partition("-")
    return name.lower().replace("-", "_").replace(".", "_"), rest.split("-")[0]


def top_level_names(folder, dist):
    """The names a distribution's metadata folder says it installs at the
    top of folder (its top_level.txt, else the first parts of its RECORD's
    paths), or None if it says none."""
    path = os.path.join(folder, dist)
    try:
        with open(os.path.join(path, "top_level.txt"), encoding="utf-8") as f:
            names = {line.strip() for line in f if line.strip()}
        if names:
            return names
    except OSError:
        pass
    try:
        with open(os.path.join(path, "RECORD"), encoding="utf-8") as f:
            rows = [line.split(",", 1)[0] for line in f]
    except OSError:
        return None
    names = set()
    for row in rows:
        first = row.replace("\\", "/").split("/", 1)[0]
        if not first or first.startswith("..") or first.endswith(DIST_SUFFIXES) or first == "__pycache__":
            continue
        if first.endswith(".py"):
            first = first[:-3]
        elif "." in first:  # a .pth, a .so of its own at the top: not a package name
            first = first.split(".", 1)[0]
        names.add(first)
    return names or None


def loaded_from(name, folder):
    """Whether the top-level module name is loaded from folder."""
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):  # a namespace package: its paths
        paths = getattr(getattr(module, "__spec__", None), "submodule_search_locations", None) or []
        return any(os.path.dirname(os.path.abspath(p)) == folder for p in paths)
    return os.path.abspath(file).startswith(os.path.join(folder, ""))


def racy(t):
    """Whether the mtime t (nanoseconds) is within RACY_SECONDS of now."""
    return time.time() - t / 1e9 < RACY_SECONDS


def mtime(path):
    """path's mtime in nanoseconds, or None if it is not there."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class SitePackages:
    """The .pth files of the site-packages folders: those there at the
    start, which site read, and those processed since."""

    def __init__(self, folders=None):
        self.folders = site_folders() if folders is None else list(folders)
        # Each folder's mtime at the last listing (MISSING if it was not
        # there), or None: list it at the next look (its mtime was too
        # recent).
        self.listed = {}
        # The mtime of each .pth file read, by path: at the start, or when
        # it was processed.
        self.read = {}
        # The paths of read .pth files changed or removed since, noted.
        self.changed = set()
        # The .pth files read while they were racy (written within
        # RACY_SECONDS): maybe half-written (pip, an editor, a test write
        # one in two steps), so one written again is read again, not
        # noted as changed, until it settles. Their folders are listed
        # at each look meanwhile.
        self.unsettled = set()
        # The notes not yet taken (take_notes).
        self.unsaid = []
        # Each folder's distributions' metadata folders at the last
        # listing, with their inode numbers (see listing).
        self.dists = {}
        # While True, take_notes takes nothing: a spare's warm-up runs a
        # reload whose reply nobody reads, and the notes it inherited from
        # the zygote (or made itself) belong to the first save it runs.
        self.holding = False
        for folder in self.folders:
            self.listed[folder] = self.folder_mtime(folder)
            pths, self.dists[folder] = listing(folder)
            for name in pths:
                path = os.path.join(folder, name)
                self.read[path] = mtime(path)

    def folder_mtime(self, folder):
        """folder's mtime, MISSING if it is not there, or None if it
        changed within the last RACY_SECONDS (see there)."""
        t = mtime(folder)
        if t is None:
            return MISSING
        if racy(t):
            return None
        return t

    def look(self):
        """Processes the .pth files added to the folders since the last
        look, as site would at the start, each once; notes the read ones
        changed or removed since. Lists only the folders whose mtime
        changed."""
        for folder in self.folders:
            before, now = self.listed[folder], mtime(folder)
            unsettled = [path for path in self.unsettled if os.path.dirname(path) == folder]
            if before is not None and (MISSING if now is None else now) == before and not unsettled:
                continue
            self.listed[folder] = self.folder_mtime(folder)
            names, dists = listing(folder)
            self.dists_changed(folder, self.dists.get(folder, {}), dists)
            self.dists[folder] = dists
            paths = {os.path.join(folder, name) for name in names}
            for path, t in sorted(self.read.items()):
                if os.path.dirname(path) != folder or path in self.changed:
                    continue
                if path not in paths:
                    self.unsettled.discard(path)
                    self.note(path, "removed")
                elif mtime(path) != t and path in self.unsettled:
                    self.process(folder, os.path.basename(path))  # it was caught half-written
                elif mtime(path) != t:
                    self.note(path, "changed")
                elif path in self.unsettled and not racy(t):
                    self.unsettled.discard(path)
            added = [name for name in names if os.path.join(folder, name) not in self.read]
            if added:
                importlib.invalidate_caches()  # the folder may hold the modules its lines import
            for name in added:
                self.process(folder, name)

    def process(self, folder, name):
        """Reads the .pth file name of folder as site does at the start:
        path lines that exist appended to sys.path (once), import lines
        executed, errors printed."""
        path = os.path.join(folder, name)
        t = self.read[path] = mtime(path)
        if t is not None and racy(t):
            self.unsettled.add(path)
        else:
            self.unsettled.discard(path)
        site.addpackage(folder, name, None)

    def dists_changed(self, folder, before, now):
        """Notes each distribution whose metadata folder went from folder
        since the last listing (upgraded, downgraded or uninstalled), or
        was made anew under its name (installed again), while modules it
        installed, loaded from folder, are loaded: the runtime runs the
        code it imported."""
        gone = before.keys() - now.keys()
        again = [d for d in before.keys() & now.keys() if before[d] != now[d]]
        if not gone and not again:
            return
        added = {project_of(d)[0]: d for d in now.keys() - before.keys()}
        for dist in sorted(again):
            project, version = project_of(dist)
            loaded = sorted(n for n in (top_level_names(folder, dist) or {project}) if loaded_from(n, folder))
            if loaded:
                self.unsaid.append({
                    "text": "%s %s was installed again after the runtime imported it (%s): the runtime still runs "
                            "the code it imported, where a fresh run would run the files installed now; restart "
                            "the runtime" % (project, version, ", ".join(loaded)),
                })
        for dist in sorted(gone):
            project, old = project_of(dist)
            new_dist = added.get(project)
            names = top_level_names(folder, new_dist) if new_dist else None
            loaded = sorted(n for n in (names or {project}) if loaded_from(n, folder))
            if not loaded:
                continue
            if new_dist:
                how = "replaced by %s %s" % (project, project_of(new_dist)[1])
            else:
                how = "uninstalled"
            self.unsaid.append({
                "text": "%s %s was %s after the runtime imported it (%s): the runtime still runs the old one, "
                        "where a fresh run would not; restart the runtime" % (project, old, how, ", ".join(loaded)),
            })

    def note(self, path, how):
        self.changed.add(path)
        self.unsaid.append({
            "text": "%s was %s after the runtime started: Python reads .pth files as it starts, so the runtime "
                    "still has what it added (sys.path entries, import hooks) where a fresh run does not; "
                    "restart the runtime: a new one reads them as they are now" % (path, how),
        })

    def take_notes(self):
        """Returns the notes made since the last call and forgets them;
        returns none while holding."""
        if self.holding:
            return []
        notes, self.unsaid = self.unsaid, []
        return notes
