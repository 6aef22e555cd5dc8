"""The .pth files of site-packages that appear while the runtime runs.

Python reads the .pth files of its site-packages folders once, as it
starts (site.py): a `pip install -e ./vend` into the runtime's venv, made
while the runtime runs, writes one (`__editable__.vend.pth`) that a fresh
`python` run reads and the runtime never would. SitePackages processes the
ones added since the start as site would; one changed or removed since then
cannot be undone, and gets a note saying a restart is needed.

It does not look at folders other than the site-packages ones site
processed at the start (a .pth in a folder a .pth added is not read), nor
at a .pth edited in place without a change to its folder (written again
through the same name): a folder's mtime changes only when an entry is
added, removed or renamed, and the folders are listed only then.
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


def pth_names(folder):
    """The names of the .pth files in folder that site would read, or [] if
    it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries
                          if e.name.endswith(".pth") and not (SKIPS_DOT_FILES and e.name.startswith(".")))
    except OSError:
        return []


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
        # While True, take_notes takes nothing: a spare's warm-up runs a
        # reload whose reply nobody reads, and the notes it inherited from
        # the zygote (or made itself) belong to the first save it runs.
        self.holding = False
        for folder in self.folders:
            self.listed[folder] = self.folder_mtime(folder)
            for name in pth_names(folder):
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
            names = pth_names(folder)
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

    def note(self, path, how):
        self.changed.add(path)
        self.unsaid.append({
            "text": "%s was %s after the runtime started: Python reads .pth files as it starts, so the runtime "
                    "still has what it added (sys.path entries, import hooks) where a fresh run does not; "
                    "restart the language server to start a new runtime" % (path, how),
        })

    def take_notes(self):
        """Returns the notes made since the last call and forgets them;
        returns none while holding."""
        if self.holding:
            return []
        notes, self.unsaid = self.unsaid, []
        return notes
