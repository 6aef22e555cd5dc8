"""The data files a module's own run reads (`SETTINGS = json.load(open(
"settings.json"))`), so that the server can run the module again when one
of them changes, as a fresh run would read the new contents.

Python's audit hook on the "open" event sees every way a file is opened
(open, io.open, os.open, pathlib, io.open_code in C code). A hook cannot be
removed, so it does nothing unless a run records; it never raises into user
code. Only a run hotload makes records (see ops.op_reload, and
ops.op_evaluate for the modules an evaluation loads); what a module's
functions read later, when called, is not its run's."""

import os
import sys

# Flags of os.open that open a file for more than reading.
WRITING = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC

# Source and compiled code: the module's own files, never data.
CODE_SUFFIXES = (".py", ".pyc", ".pyi")


class Reads:
    """What the runs of modules read. The zero value has no hook: it
    records nothing until install."""

    def __init__(self):
        self.installed = False
        # {module name: {absolute path}} of the run that records, else None.
        self.recorded = None
        self.roots = ()  # the workspace roots while a run records, each ending in os.sep
        self.written = set()  # the paths a recording run opened to write: not data
        # Folders whose files are never data: the interpreter's, the venv's, site-packages.
        self.skip = ()
        # {module name: (absolute path, …)}: what each module's last run
        # that stood read, for modules that read something.
        self.by_module = {}
        self.audit = None  # the hook, once installed

    def install(self):
        """Adds the audit hook, once. Not in an app hotload attached to:
        its process is not ours to hook."""
        if self.installed:
            return
        prefixes = {sys.prefix, sys.exec_prefix, getattr(sys, "base_prefix", sys.prefix)}
        self.skip = tuple(os.path.join(os.path.abspath(p), "") for p in prefixes if p)
        reads = self

        # A closure, not a bound method: Python calls it for every audit
        # event of the process (id(), compile, exec, attribute reads of
        # code objects…), and while nothing records it costs 0.15 us an
        # event, where a bound method cost 0.59 (Python 3.11, measured).
        def audit(event, args):
            if reads.recorded is None:
                return
            try:
                if event == "open":
                    reads.note(args)
                elif event == "os.rename":  # os.rename and os.replace
                    reads.renamed(args)
            except Exception:  # hotload's own failure must never be the user's
                pass

        self.audit = audit
        sys.addaudithook(audit)
        self.installed = True

    def note(self, args):
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return  # an open file descriptor: opened before, elsewhere
        if (flags or 0) & WRITING or (mode is not None and any(c in mode for c in "wax+")):
            # State the run keeps, not data it is given (`n = read(p)`,
            # then `write(p, n + 1)`): its change is the run's own doing.
            self.written.add(os.path.abspath(os.fsdecode(path)))
            return
        path = os.fsdecode(path)
        if path.endswith(CODE_SUFFIXES):
            return
        path = os.path.abspath(path)
        if not self.watchable(path):
            return
        module = self.reader()
        if module is not None and os.path.isfile(path):
            paths = self.recorded.setdefault(module, set())
            paths.add(path)
            # Through a symlink (`settings.json -> shared/settings.json`),
            # the file an editor saves is the target: its folder's watch
            # sees that change, not the link's.
            real = os.path.realpath(path)
            if real != path and self.watchable(real):
                paths.add(real)

    def watchable(self, path):
        """Whether the absolute path is in the workspace and not the
        interpreter's, the venv's or a library's."""
        if not path.startswith(self.roots) or path.startswith(self.skip):
            return False
        parts = path.split(os.sep)
        return "site-packages" not in parts and "dist-packages" not in parts

    def renamed(self, args):
        """A file the run renames over (`os.replace(tmp, p)`, an atomic
        write of its own state) is written by the run, as open(p, "w")."""
        dst, dst_dir_fd = args[1], args[3]
        if dst_dir_fd in (None, -1) and not isinstance(dst, int):
            self.written.add(os.path.abspath(os.fsdecode(dst)))

    def reader(self):
        """The name of the module whose top-level code is running: the
        innermost frame of a module body, if that module's file is in the
        workspace (a library's module body reading a file is not the
        user's module's run), else None."""
        frame = sys._getframe(3)  # past reader, note and the hook: the code that opened
        while frame is not None:
            code = frame.f_code
            if code.co_name == "<module>":
                if not code.co_filename.startswith(self.roots):
                    return None
                name = frame.f_globals.get("__name__")
                return name if isinstance(name, str) else None
            frame = frame.f_back
        return None

    def start(self, roots):
        """Records, until stop, what the module bodies that run read from
        under roots (the workspace's). Without the hook, records nothing."""
        if self.installed:
            self.roots, self.recorded, self.written = tuple(roots), {}, set()

    def stop(self):
        """Ends the recording start began: {module name: {path}}, less
        the paths the run also opened to write."""
        recorded, self.recorded = self.recorded, None
        written, self.written = self.written, set()
        return {module: paths - written for module, paths in (recorded or {}).items() if paths - written}

    def stand(self, recorded, ran, file_of):
        """Keeps what the runs of a request that stood read: each module
        of ran (names) and of recorded replaces what its previous run read.
        Returns, for the reply, [{"module", "file", "data"}] of each of them
        that reads something now or did before, file_of giving a module's
        file from its name (None: the module is left out)."""
        changed = []
        for name in sorted(set(ran) | set(recorded)):
            now = tuple(sorted(recorded.get(name, ())))
            if not now and name not in self.by_module:
                continue
            if now:
                self.by_module[name] = now
            else:
                del self.by_module[name]
            file = file_of(name)
            if file:
                changed.append({"module": name, "file": file, "data": list(now)})
        return changed
