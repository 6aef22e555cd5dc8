"""hotload agent: runs inside the user's Python process and serves the Go side.

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
"""

import ast
import faulthandler
import importlib
import importlib.util
import json
import linecache
import os
import queue
import signal
import sys
import threading
import time
import traceback

AGENT_FILE = "<hotload-agent>"

# The longest repr sent back. A 2 GB DataFrame's repr is already abbreviated by
# pandas, but a list of a million ints is not; 64 KiB keeps the pipe and the
# editor responsive while showing far more than fits in a message.
MAX_REPR = 64 * 1024

# Output is sent when a line ends or this many characters are pending, so a
# loop printing without newlines still streams.
OUTPUT_CHUNK = 8192


class Channel:
    """The protocol channel: line-JSON in, line-JSON out, writes serialized."""

    def __init__(self, infd, outfd):
        self._in = os.fdopen(infd, "rb", buffering=0)
        self._out = os.fdopen(outfd, "wb", buffering=0)
        self._lock = threading.Lock()
        self._pending = b""

    def send(self, msg):
        data = json.dumps(msg, ensure_ascii=False, default=repr).encode("utf-8", "replace") + b"\n"
        with self._lock:
            self._out.write(data)

    def receive(self):
        """Returns the next message, or None when the Go side has gone."""
        while b"\n" not in self._pending:
            chunk = self._in.read(65536)
            if not chunk:
                return None
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)


class OutputStream:
    """A text stream that forwards writes as output events of the current request."""

    def __init__(self, agent, name):
        self._agent = agent
        self._name = name
        self._buf = []
        self._size = 0
        self._lock = threading.Lock()
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        with self._lock:
            self._buf.append(text)
            self._size += len(text)
            if "\n" in text or self._size >= OUTPUT_CHUNK:
                self._flush_locked()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        with self._lock:
            self._flush_locked()

    def _flush_locked(self):
        if not self._buf:
            return
        text = "".join(self._buf)
        self._buf, self._size = [], 0
        self._agent.output(self._name, text)

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        # C extensions and subprocess ask for a descriptor; fd 2 is the real stderr.
        return 2


def char_column(filename, lineno, byte_col):
    """Converts Python's UTF-8 byte column on a line into a code point column."""
    if byte_col is None or lineno is None:
        return None
    line = linecache.getline(filename, lineno)
    if not line:
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def is_agent_frame(filename):
    return filename == AGENT_FILE or filename.startswith("<frozen importlib")


def user_frames(tb):
    """The traceback's frames without the agent's own, which users never see."""
    return [fs for fs in traceback.extract_tb(tb) if not is_agent_frame(fs.filename)]


def format_exception(exc, seen=None):
    """Formats exc like Python does, chained exceptions included, minus agent frames."""
    seen = seen if seen is not None else set()
    seen.add(id(exc))
    parts = []
    if exc.__cause__ is not None and id(exc.__cause__) not in seen:
        parts.append(format_exception(exc.__cause__, seen))
        parts.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__ and id(exc.__context__) not in seen:
        parts.append(format_exception(exc.__context__, seen))
        parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    frames = user_frames(exc.__traceback__)
    if frames:
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.StackSummary.from_list(frames).format())
    parts.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(parts)


def describe_exception(exc):
    """Turns an exception into the structured error the Go side maps to diagnostics."""
    frames = []
    for fs in user_frames(exc.__traceback__):
        # Column positions exist since Python 3.11; before, a frame is a line.
        end_line = getattr(fs, "end_lineno", None) or fs.lineno
        frames.append({
            "file": fs.filename,
            "line": fs.lineno,
            "end_line": end_line,
            "col": char_column(fs.filename, fs.lineno, getattr(fs, "colno", None)),
            "end_col": char_column(fs.filename, end_line, getattr(fs, "end_colno", None)),
            "function": fs.name,
            "source": linecache.getline(fs.filename, fs.lineno).rstrip("\r\n"),
        })
    syntax = None
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        # Since 3.10 offset/end_offset are 1-based code point columns.
        col = (exc.offset - 1) if exc.offset else None
        end_line = getattr(exc, "end_lineno", None) or exc.lineno
        end_offset = getattr(exc, "end_offset", None)  # since Python 3.10
        end_col = (end_offset - 1) if end_offset and end_offset > 0 else None
        syntax = {
            "file": exc.filename,
            "line": exc.lineno,
            "end_line": end_line,
            "col": col,
            "end_col": end_col,
            "function": "",
            "source": (exc.text or "").rstrip("\r\n"),
        }
        message = exc.msg
    else:
        message = str(exc)
    return {
        "type": type(exc).__name__,
        "message": message,
        "frames": frames,
        "syntax": syntax,
        "text": format_exception(exc),
    }


def safe_repr(value):
    try:
        text = repr(value)
    except BaseException as exc:  # a broken __repr__ must not break the reply
        return "<repr failed: %s: %s>" % (type(exc).__name__, exc)
    if len(text) > MAX_REPR:
        text = text[:MAX_REPR] + "… (%d characters in all)" % len(text)
    return text


def compile_split(source, filename):
    """Compiles source as a body plus, when it ends in an expression, that expression.

    Returns (body_code, last_expr_code_or_None). Line numbers stay those of the file,
    so tracebacks point at the user's lines.
    """
    # The builtin compile rather than ast.parse: a SyntaxError then carries no
    # frame of the standard library's ast.py.
    tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", dont_inherit=True)
    last_code = compile(last, filename, "eval", dont_inherit=True) if last is not None else None
    return body, last_code


def run_split(body, last, namespace):
    exec(body, namespace)
    if last is None:
        return None
    return eval(last, namespace)


class Agent:
    def __init__(self, channel):
        self.channel = channel
        self.requests = queue.Queue()
        self.main_ident = threading.main_thread().ident
        self._state_lock = threading.Lock()
        self._current = None  # id of the request the main thread is running
        self._queued = 0  # requests received but not started
        self._interrupt_next = False  # an interrupt arrived while a request was queued
        self.stdout = OutputStream(self, "stdout")
        self.stderr = OutputStream(self, "stderr")

    # --- output -------------------------------------------------------------

    def output(self, stream, text):
        with self._state_lock:
            current = self._current
        self.channel.send({"id": current, "event": "output", "stream": stream, "text": text})

    # --- reader thread ------------------------------------------------------

    def read_loop(self):
        while True:
            try:
                msg = self.channel.receive()
            except ValueError as exc:
                self.channel.send({"id": None, "event": "protocol_error", "text": str(exc)})
                continue
            if msg is None:
                # The Go side is gone (exited, killed, or closed our stdin): so are we.
                os._exit(0)
            op = msg.get("op")
            if op == "ping":
                self.channel.send({"id": msg.get("id"), "ok": True, "pid": os.getpid()})
            elif op == "interrupt":
                self.channel.send({"id": msg.get("id"), "ok": True, "interrupted": self.interrupt()})
            else:
                with self._state_lock:
                    self._queued += 1
                self.requests.put(msg)

    def interrupt(self):
        """Raises KeyboardInterrupt in the main thread if it is running a request.

        pthread_kill rather than _thread.interrupt_main: a real SIGINT also wakes
        blocking calls such as time.sleep or socket reads, which interrupt_main
        only sets a flag for.
        """
        with self._state_lock:
            if self._current is None:
                if self._queued == 0:
                    return False
                # The request was sent before the interrupt but has not
                # started: it stops as soon as it does.
                self._interrupt_next = True
                return True
        signal.pthread_kill(self.main_ident, signal.SIGINT)
        return True

    # --- main thread --------------------------------------------------------

    def serve(self):
        while True:
            try:
                msg = self.requests.get()
                self.handle(msg)
            except KeyboardInterrupt:
                # An interrupt that landed between requests: nothing to stop.
                continue

    def handle(self, msg):
        rid = msg.get("id")
        handler = HANDLERS.get(msg.get("op"))
        # One lock section from "queued" to "running", so an interrupt never
        # finds the request in neither state.
        with self._state_lock:
            self._queued -= 1
            if handler is not None:
                self._current = rid
                interrupted, self._interrupt_next = self._interrupt_next, False
        if handler is None:
            self.channel.send({"id": rid, "ok": False, "protocol_error": "unknown op %r" % msg.get("op")})
            return
        start = time.perf_counter()
        reply = {"id": rid, "ok": True, "value": None, "error": None}
        try:
            try:
                if interrupted:
                    raise KeyboardInterrupt
                reply.update(handler(self, msg))
            except BaseException as exc:  # user code may raise anything, SystemExit included
                reply["error"] = describe_exception(exc)
            finally:
                self.stdout.flush()
                self.stderr.flush()
                with self._state_lock:
                    self._current = None
        except KeyboardInterrupt:
            # The interrupt arrived after user code finished; the reply still stands.
            pass
        reply["seconds"] = time.perf_counter() - start
        self.channel.send(reply)


def add_sys_path(entries, front):
    for entry in reversed(entries) if front else entries:
        if entry in sys.path:
            continue
        if front:
            sys.path.insert(0, entry)
        else:
            sys.path.append(entry)


def op_setup(agent, msg):
    """Puts the workspace roots on sys.path, moves to the workspace and preloads modules."""
    if msg.get("cwd"):
        os.chdir(msg["cwd"])
    add_sys_path(msg.get("sys_path") or [], front=True)
    failed = {}
    for name in msg.get("preload") or []:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            failed[name] = describe_exception(exc)
    return {"preload_errors": failed}


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except (OSError, TypeError):
        return False


def load_module(msg):
    """Runs the module's file in its namespace, importing it first if needed.

    Returns (module, value of the last top-level expression or None). A module
    that is already loaded from the same file is executed again in its existing
    namespace, so its globals persist across reloads; a SyntaxError leaves the
    loaded code untouched because nothing runs until the whole file compiles.
    """
    name, path = msg["module"], msg["path"]
    if msg.get("path_entry"):
        add_sys_path([msg["path_entry"]], front=True)
    with open(path, "rb") as f:
        source = f.read()
    linecache.checkcache(path)
    body, last = compile_split(source, path)

    module = sys.modules.get(name)
    fresh = module is None or not same_file(getattr(module, "__file__", None) or "", path)
    if fresh:
        parent, _, child = name.rpartition(".")
        if parent:
            importlib.import_module(parent)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        if parent:
            setattr(sys.modules[parent], child, module)
    try:
        value = run_split(body, last, module.__dict__)
    except BaseException:
        if fresh:
            sys.modules.pop(name, None)
        raise
    return module, value


def op_reload(agent, msg):
    if msg.get("if_loaded"):
        module = sys.modules.get(msg["module"])
        if module is None or not same_file(getattr(module, "__file__", None) or "", msg["path"]):
            return {"skipped": True}
    _, value = load_module(msg)
    return {"value": None if value is None else safe_repr(value)}


def op_evaluate(agent, msg):
    module = sys.modules.get(msg["module"])
    if module is None or not same_file(getattr(module, "__file__", None) or "", msg["path"]):
        module, _ = load_module(msg)
    body, last = compile_split(msg["code"], msg.get("filename") or "<evaluate>")
    value = run_split(body, last, module.__dict__)
    return {"value": None if value is None else safe_repr(value)}


HANDLERS = {
    "setup": op_setup,
    "reload": op_reload,
    "evaluate": op_evaluate,
}


def main():
    # Keep the original pipes as the private channel, then make fds 0 and 1 safe.
    channel = Channel(os.dup(0), os.dup(1))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, "r")
    faulthandler.enable(file=sys.__stderr__, all_threads=True)

    agent = Agent(channel)
    sys.stdout = agent.stdout
    sys.stderr = agent.stderr
    threading.Thread(target=agent.read_loop, name="hotload-reader", daemon=True).start()
    channel.send({"id": None, "event": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
    agent.serve()


main()
