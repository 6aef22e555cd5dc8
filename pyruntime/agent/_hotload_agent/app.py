"""Running a program as __main__ in the runtime, patched live by saves.

`hotload app -- ARGS…` asks a fresh worker to run `python ARGS…`: a script
with its arguments, `-m module …` or `-c code …`. The worker replies at
once, then gives its main thread to the program, which runs as it would
under `python`: its own signal handlers (SIGINT raises KeyboardInterrupt,
or does what the program installed), its event loop, `sys.argv`,
`sys.path[0]` (the script's folder, or the working directory for -m and
-c) and `__main__`.

From then on the agent's requests run on a thread of their own,
"hotload-main": a save reloads modules there while the program's threads
keep running, the same arrangement as serve_in_thread() in an attached app,
with its caveats (see run_requests). An interrupt raises KeyboardInterrupt
in that thread, never in the program; the `signal` request sends the
program SIGINT, as Ctrl-C would.

When the program ends, the worker ends as Python would: it waits for
non-daemon threads, runs atexit handlers, and exits with the program's
status (SystemExit's code; 1 and a traceback for an exception; SIGINT for
an unhandled KeyboardInterrupt). The server reads that status from the
worker's exit.

The script itself is the module __main__. Its save re-runs it like any
module, except for its `if __name__ == "__main__":` blocks, which ran
once, at start: running them again would start a second program on
hotload's thread.
"""

import ast
import atexit
import importlib.machinery
import importlib.util
import os
import signal
import sys
import threading
import traceback
import types

from .tracebacks import is_agent_frame

# Interpreter options cannot apply to a Python that is already running.
OPTION_HINT = "%s is an option of the interpreter, which is already running: give it with --python (the `python` setting), e.g. --python 'python3 %s'"


class App:
    """The program a worker runs as __main__."""

    def __init__(self, agent, argv, cwd):
        self.agent = agent
        self.kind, self.target, self.args = parse_python_args(argv)
        self.cwd = cwd or os.getcwd()
        self.main_file = None  # the file of __main__, once known
        if self.kind == "script":
            self.main_file = os.path.abspath(os.path.join(self.cwd, self.target))
            if not os.path.isfile(self.main_file):
                raise AppError("can't open file %r: No such file" % self.main_file)
        elif self.kind == "module":
            spec = find_spec(self.target)
            if spec is None:
                raise AppError("No module named %s" % self.target)
            self.spec = spec

    def run(self):
        """Runs the program on the main thread, then ends the process with
        its status. Called once the reply to the app request is sent."""
        agent = self.agent
        agent.app = self
        agent.workspace.include_main = True
        threading.Thread(target=run_requests, args=(agent,), name="hotload-main", daemon=True).start()
        if self.cwd != os.getcwd():
            os.chdir(self.cwd)
        # The program starts with Python's own SIGINT handler, whatever the
        # agent installed for its requests: Ctrl-C is the program's.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupted = False
        try:
            status = self.main()
        except KeyboardInterrupt:
            interrupted = True
            status = 130
        finish(agent, status, interrupted)

    def main(self):
        """Runs the program; returns its exit status as Python would give it."""
        try:
            if self.kind == "module":
                self.run_module()
            elif self.kind == "script":
                self.run_script()
            else:
                self.run_code()
            return 0
        except SystemExit as exc:
            return exit_status(exc)
        except KeyboardInterrupt as exc:
            print_exception(exc)
            raise
        except BaseException as exc:  # the program's own failure
            exc.__traceback__ = program_frames(exc.__traceback__)
            self.agent.failures.report("main", threading.current_thread().name, exc)
            print_exception(exc)
            return 1

    def run_script(self):
        # Python 3.9+ gives __main__ an absolute __file__; argv[0] stays as typed.
        sys.argv[:] = [self.target] + self.args
        set_path0(os.path.dirname(self.main_file))
        with open(self.main_file, "rb") as f:
            source = f.read()
        code = compile(source, self.main_file, "exec", dont_inherit=True)
        main = types.ModuleType("__main__")
        main.__file__ = self.main_file
        main.__cached__ = None
        main.__loader__ = importlib.machinery.SourceFileLoader("__main__", self.main_file)
        main.__spec__ = None
        sys.modules["__main__"] = main
        exec(code, main.__dict__)

    def run_module(self):
        import runpy
        sys.argv[:] = ["-m"] + self.args  # runpy puts the module's file in argv[0]
        set_path0(self.cwd)
        self.main_file = self.spec.origin if self.spec.has_location else None
        if self.spec.submodule_search_locations is not None:  # a package runs its __main__
            main_spec = find_spec(self.target + ".__main__")
            self.main_file = main_spec.origin if main_spec is not None and main_spec.has_location else None
        runpy.run_module(self.target, run_name="__main__", alter_sys=True)

    def run_code(self):
        sys.argv[:] = ["-c"] + self.args
        set_path0("")
        main = types.ModuleType("__main__")
        main.__loader__ = None
        sys.modules["__main__"] = main
        exec(compile(self.target, "<string>", "exec", dont_inherit=True), main.__dict__)


class AppError(Exception):
    """The program cannot start: its file or module does not exist, or
    its arguments ask for what a running interpreter cannot do."""


def parse_python_args(argv):
    """Reads `python ARGS…` as ("script", path, args), ("module", name,
    args) or ("code", source, args)."""
    argv = list(argv)
    if not argv:
        raise AppError("nothing to run: give a script or -m module, as to python")
    first = argv[0]
    if first in ("-m", "-c"):
        if len(argv) < 2:
            raise AppError("Argument expected for the %s option" % first)
        return ("module" if first == "-m" else "code"), argv[1], argv[2:]
    if first.startswith("-m") or first.startswith("-c"):  # -mhttp.server, as python accepts
        return ("module" if first[1] == "m" else "code"), first[2:], argv[1:]
    if first == "-":
        raise AppError("a program on stdin cannot run under hotload: stdin is hotload's")
    if first.startswith("-"):
        raise AppError(OPTION_HINT % (first, first))
    return "script", first, argv[1:]


def find_spec(name):
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


def set_path0(folder):
    """Puts the program's folder first on sys.path, as python does, in
    place of the empty entry of the `python -c` that started the worker."""
    if sys.path and sys.path[0] == "":
        sys.path.pop(0)
    if folder in sys.path:
        sys.path.remove(folder)
    sys.path.insert(0, folder)


def run_requests(agent):
    """The agent's requests, run on this thread while the program owns the
    main thread.

    Caveats, as with serve_in_thread(): a thread of the program that calls
    into a module while it is being reloaded can see it half updated; a
    reload runs between two of the program's Python lines, not at a quiet
    moment of its choosing; and an interrupt stops reloading code at its
    next Python line, not in a blocking C call. The program's output never
    counts as a request's: only this thread's does.
    """
    agent.main_ident = threading.get_ident()
    agent.serve()


def finish(agent, status, interrupted):
    """Ends the process as Python ends after its main module: waits for
    non-daemon threads, runs atexit handlers, flushes, and exits with
    status (by SIGINT for an unhandled KeyboardInterrupt, as Python 3.8+
    does)."""
    shutdown = getattr(threading, "_shutdown", None)
    try:
        if shutdown is not None:
            shutdown()
        else:
            for t in threading.enumerate():
                if t is not threading.main_thread() and not t.daemon:
                    t.join()
    except KeyboardInterrupt:
        pass  # a second Ctrl-C while threads finish: exit now, as Python does
    try:
        atexit._run_exitfuncs()
    except BaseException:  # atexit prints its own errors
        pass
    for stream in (sys.stdout, sys.stderr, agent.stdout, agent.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(status & 0xFF)


def exit_status(exc):
    """The status SystemExit asks for, printing a non-integer code as Python does."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        sys.stderr.write(str(code) + "\n")
    except Exception:
        pass
    return 1


def program_frames(tb):
    """The traceback from the program's first frame on, without the
    agent's and runpy's frames that started it."""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (is_agent_frame(filename) or os.path.basename(filename) == "runpy.py" or filename == "<frozen runpy>"):
            break
        tb = tb.tb_next
    return tb


def print_exception(exc):
    """Prints exc as Python prints an exception that ends the program."""
    tb = program_frames(exc.__traceback__)
    exc.__traceback__ = tb  # Python 3.11+ prints the exception's own traceback
    try:
        sys.excepthook(type(exc), exc, tb)
    except Exception:
        traceback.print_exception(type(exc), exc, tb)


def module_for(workspace, name, path):
    """The loaded module of the file at path (see ops.module_at), or the
    program's __main__ if path is its file; None if neither."""
    from .ops import module_at
    module = module_at(workspace, name, path)[1]
    if module is None:
        main = sys.modules.get("__main__")
        if main is not None and main_file_is(main, path):
            return main
    return module


def main_name(name, path):
    """"__main__" if path is the file of the program running as __main__,
    else name: a save of the script reloads the program's own module."""
    main = sys.modules.get("__main__")
    if main is not None and main_file_is(main, path):
        return "__main__"
    return name


def main_file_is(module, path):
    from .ops import same_file
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and same_file(file, path)


def without_main_guard(tree, name):
    """tree without its top-level `if __name__ == "__main__":` statements
    when it is the program's __main__ re-running; else tree unchanged."""
    if name != "__main__":
        return tree
    tree.body = [stmt for stmt in tree.body if not is_main_guard(stmt)] or [ast.Pass()]
    return ast.fix_missing_locations(tree)


def is_main_guard(stmt):
    if not isinstance(stmt, ast.If) or not isinstance(stmt.test, ast.Compare):
        return False
    test = stmt.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if is_text(s, "__main__")]
    return len(names) == 1 and len(consts) == 1


def is_text(node, text):
    """Whether node is the string literal text (ast.Str before Python 3.8)."""
    if isinstance(node, ast.Constant):
        return node.value == text
    old = getattr(ast, "Str", None) if sys.version_info < (3, 8) else None
    return old is not None and isinstance(node, old) and node.s == text


def op_app(agent, msg):
    """Starts the program: checks it can start, and has the agent run it on
    the main thread once this reply is sent."""
    if agent.app is not None or agent.attached:
        raise AppError("this runtime runs a program already" if agent.app is not None else "an attached app cannot run another program")
    app = App(agent, msg.get("args") or [], msg.get("cwd"))
    agent.after_reply = app.run
    return {"pid": os.getpid()}


def op_loaded(agent, msg):
    """Reports whether the module of msg's file is loaded: whether a save of
    it concerns the running program."""
    return {"loaded": module_for(agent.workspace, msg.get("module") or "", msg.get("path") or "") is not None}


def send_signal(agent, msg):
    """The reader thread's answer to `signal`: SIGINT to the program's main
    thread, as Ctrl-C in a terminal would send it."""
    running = agent.app is not None
    if running:
        signal.pthread_kill(threading.main_thread().ident, msg.get("signal") or signal.SIGINT)
    agent.channel.send({"id": msg.get("id"), "ok": True, "interrupted": running})
