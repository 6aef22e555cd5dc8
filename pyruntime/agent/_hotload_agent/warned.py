"""The warnings a request's code issues: shown as the code's own setup
shows them, and recorded for the editor's Warning diagnostics."""

import linecache
import warnings


class Warned:
    """Records the warnings issued while it is entered (warned: one dict
    each, where the warning points). The warnings filters stay as the code
    leaves them: `warnings.filterwarnings("ignore", ...)` run at import
    lasts after the run, as in a fresh run of the program, and so does a
    `warnings.showwarning` the code installs (`logging.captureWarnings`).
    Entering forgets which warnings were shown already ("once per
    location"): each run is shown its warnings as a fresh run would be."""

    def __init__(self):
        self.warned = []
        self._filters = None  # the filters on entering, for undo_filters
        self._shown = None  # warnings.showwarning on entering
        self._record = None  # the showwarning in place while entered

    def __enter__(self):
        forget_shown()
        self._filters = list(warnings.filters)
        self._shown = warnings.showwarning
        self._record = recorder(self.warned, self._shown)
        warnings.showwarning = self._record
        return self

    def __exit__(self, *exc):
        if warnings.showwarning is self._record:
            warnings.showwarning = self._shown
        return False

    def undo_filters(self):
        """Puts the filters back as they were on entering: the request's
        changes were rolled back (a save that failed), so are the filters
        its code added."""
        if self._filters is not None and warnings.filters != self._filters:
            warnings.filters[:] = self._filters
            forget_shown()


def forget_shown():
    """Makes Python forget which warnings it showed "once" or "default",
    and see changes made to warnings.filters: catch_warnings does both on
    entering and leaving, and leaves the filters as they were."""
    with warnings.catch_warnings():
        pass


def recorder(warned, show):
    """A warnings.showwarning that records where the warning points, for
    the editor's Warning diagnostics, and then shows it with show, the one
    in place before: printed as Python prints it, or as the code set up."""

    def record(message, category, filename, lineno, file=None, line=None):
        warned.append({
            "file": filename,
            "line": lineno,
            "category": category.__name__,
            "message": str(message),
            "source": linecache.getline(filename, lineno).rstrip("\r\n"),
        })
        show(message, category, filename, lineno, file, line)

    return record
