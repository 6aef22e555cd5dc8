"""hotload's agent: runs inside the user's Python process and serves the Go side.

The Go side starts `python -c BOOTSTRAP`; the bootstrap reads this file's source
from stdin and executes it. From then on the original stdin/stdout are a private
protocol channel carrying one JSON object per line:

    request  {"id": 1, "op": "reload", ...}
    event    {"id": 1, "event": "output", "stream": "stdout", "text": "..."}
    reply    {"id": 1, "ok": true, ...}

fd 0 is pointed at /dev/null (input() raises EOFError instead of hanging) and fd 1
at stderr (C-level writes cannot corrupt the protocol). sys.stdout/sys.stderr are
replaced by writers that stream output as events of the request that produced it.

A reader thread owns the protocol input: it answers `ping` itself (so liveness
is visible while user code runs), turns `interrupt` into a SIGINT for the main
thread, queues everything else for the main thread, and exits the process when
the channel closes, so the process never outlives the Go side.

A reload of a module that is already loaded runs its new code in its existing
namespace, then updates the old functions and classes in place from the new
ones (UPDATE_RULES), so every reference held elsewhere runs the new code. The
loaded workspace modules that import it re-run after it, in dependency order.
Every change goes through an undo log: if any module of the save fails, all
of them are put back as they were.

Started with the argument "zygote", it preloads and then forks workers (see
the zygote section). Saved as a file (`hotload agent > hotload_agent.py`), it
is a module a running app imports to let hotload attach (see serve()).

The package's files, one concern each: protocol (the channel), output
(captured streams), tracebacks (exceptions for the editor), files (a
file's bytes and version), source (compiling, the bind hook), update and
rules (updating live objects in place, undoably), graph (the user's
modules and their imports), ops (the requests), agent (reader thread and
main loop), zygote, attach, main. The server sends them bundled with
../loader.py; tests import them from disk.
"""
