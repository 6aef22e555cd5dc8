"""hotload-bench's probe inside a peer tool's process (jurigged, IPython's
%autoreload, hmr): it sets the tool up as its users do, loads a scenario's
modules, and reports on file descriptor 3, one JSON object a line, what the
program observes and when (time.time_ns(), the clock the bench reads too):

    {"obs": "7", "ns": 1767000000000000000}   the scenario's probe gave "7"
    {"work_ms": 1.2, "ns": ...}               the tool's own reload took 1.2 ms
    {"wrote": ...}                            (IPython) when the edit was written
    {"error": "..."}                          setting up failed

Each line is a write to a pipe that wakes the bench, which costs the
process tens of microseconds after a pause: nothing is written between
an edit and its observation, so that no tool's time includes the probe's
own reporting. A work line and IPython's wrote line come after the
observation of the edit they belong to.

    python peers.py jurigged|ipython SCENARIO ROOT
        runs the tool in this process; for IPython, each line on stdin is
        {"path": ..., "content": ...}: write it, then run the next cell.
    hmr ROOT/entry.py  (entry.py imports this file as _peerprobe)

Scenarios: "a" (lib.area after an edit of its body, 5 M objects alive in
data), "b" and "b2" (the values 100 importers of big.core see after VALUE
changes; b imports VALUE by name, b2 reads big.core.VALUE), "c" (the output
of trivial.py).
"""

import importlib
import json
import os
import sys
import time

_out = os.fdopen(3, "w", buffering=1, closefd=False)


# The lines held back until the next observation (see emit_later), and
# how many observations were reported so far.
_held = []
_observations = [0]


def emit(**msg):
    _out.write(json.dumps(msg) + "\n")


def emit_later(**msg):
    """Reports msg right after the next observation, outside the time
    measured for the edit that observation ends."""
    _held.append(msg)


def observed(now, value):
    """Reports an observation made at now, then what was held for it."""
    emit(obs=value, ns=now)
    _observations[0] += 1
    while _held:
        emit(**_held.pop(0))


def observe(value):
    """Reports what the program sees now."""
    observed(time.time_ns(), str(value))


class StampedStdout:
    """sys.stdout that reports each line printed as an observation."""

    def __init__(self, real):
        self.real = real

    def write(self, text):
        now = time.time_ns()
        for line in text.splitlines():
            if line.strip():
                observed(now, line.strip())
        return self.real.write(text)

    def flush(self):
        self.real.flush()

    def __getattr__(self, name):
        return getattr(self.real, name)


class WorkTimer:
    """Times the tool's own reload, between two of its hooks. The time is
    reported after the update's observation: at once if the program
    observed it before the second hook (hmr runs its entry in between),
    else with the observation (jurigged, IPython)."""

    def __init__(self):
        self.began = None

    def start(self, *args, **kwargs):
        self.began = time.perf_counter_ns(), time.time_ns(), _observations[0]

    def stop(self, *args, **kwargs):
        if self.began is not None:
            elapsed, at, seen = time.perf_counter_ns() - self.began[0], self.began[1], self.began[2]
            self.began = None
            report = emit if _observations[0] > seen else emit_later
            report(work_ms=elapsed / 1e6, ns=at)


IMPORTERS = ["big.m%03d" % i for i in range(100)]


def load(scenario):
    """Imports the scenario's modules and returns its probe: a function
    giving what the program sees, or None when what it prints is the probe."""
    if scenario == "a":
        importlib.import_module("data")
        lib = importlib.import_module("lib")
        return lambda: lib.area(2, 3)
    if scenario in ("b", "b2"):
        mods = [importlib.import_module(name) for name in IMPORTERS]
        return lambda: "|".join(sorted({str(m.value()) for m in mods}))
    if scenario == "c":
        importlib.import_module("trivial")
        return None
    raise SystemExit("unknown scenario %r" % scenario)


def wait_for_stdin_to_close():
    for _ in sys.stdin:
        pass


def run_jurigged(scenario, root):
    """jurigged as `jurigged.watch()` in the program: its watchdog observer
    and its default debounce; the probe runs after each of its updates."""
    import jurigged

    watcher = jurigged.watch(pattern=os.path.join(root, "*.py"))
    timer = WorkTimer()
    watcher.prerun.register(timer.start)
    probe = load(scenario)

    def after(*args):
        timer.stop()
        if probe is not None:
            observe(probe())

    watcher.postrun.register(after)
    if probe is not None:
        observe(probe())
    wait_for_stdin_to_close()


def run_ipython(scenario, root):
    """IPython's `%load_ext autoreload` and `%autoreload 2` (with IPython 9's
    default algorithm), checked before each cell; after each edit the probe
    runs as the next cell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    timer = WorkTimer()
    # Callbacks run in the order registered: around autoreload's own.
    shell.events.register("pre_run_cell", timer.start)
    shell.run_line_magic("load_ext", "autoreload")
    shell.events.register("pre_run_cell", timer.stop)
    shell.run_line_magic("autoreload", "2")
    # (InteractiveShell puts its own module in sys.modules["__main__"].)
    shell.user_ns["_observe"] = observe
    shell.user_ns["_probe"] = load(scenario)
    cell = "pass" if shell.user_ns["_probe"] is None else "_observe(_probe())"
    result = shell.run_cell(cell)
    if not result.success:
        emit(error="the first cell failed: %r" % (result.error_in_exec or result.error_before_exec))
        return
    for line in sys.stdin:
        edit = json.loads(line)
        with open(edit["path"], "w") as f:
            f.write(edit["content"])
        wrote = time.time_ns()
        shell.run_cell(cell)
        emit(wrote=wrote)  # after the cell: see the top of this file


def main():
    tool, scenario, root = sys.argv[1:4]
    sys.path.insert(0, root)
    os.chdir(root)
    if scenario == "c":
        sys.stdout = StampedStdout(sys.stdout)
    try:
        {"jurigged": run_jurigged, "ipython": run_ipython}[tool](scenario, root)
    except Exception as exc:
        emit(error="%s: %s" % (type(exc).__name__, exc))
        raise


if __name__ == "__main__":
    main()
elif os.environ.get("HOTLOAD_BENCH_PEER") == "hmr":
    # Imported by an hmr entry file: time hmr's reloads with its own hooks
    # and, for scenario c, report what is printed.
    from reactivity.hmr.hooks import post_reload, pre_reload

    _timer = WorkTimer()
    pre_reload(_timer.start)
    post_reload(_timer.stop)
    if os.environ.get("HOTLOAD_BENCH_SCENARIO") == "c" and not isinstance(sys.stdout, StampedStdout):
        sys.stdout = StampedStdout(sys.stdout)
