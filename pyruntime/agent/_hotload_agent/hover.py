"""Live values for the editor's hover: a module global, or an attribute
chain starting at one, described in a few lines.

The reader thread takes `inspect` requests itself, as it takes ping, so a
hover never waits behind a reload:

- The name is looked up in the module's namespace (a dict lookup: no code
  of the program runs). A name that is not a global of a loaded module, or
  that the code at that place binds locally (a parameter, a local
  variable, a class attribute), gets no answer, so the user's other
  language server answers the hover as usual.
- While a request runs (a reload, an evaluation), the answer comes at once,
  without a value: looking at objects while a module re-runs could show
  them half updated, and the repr would compete with the run.
- Otherwise the value is described on hotload's inspect thread: attribute
  access, len() and repr() run the program's own code, beside the
  program's threads (an app keeps running meanwhile). They get REPR_SECONDS;
  past that, the answer says the repr took too long, and the inspect
  thread is interrupted with an asynchronous exception, which stops Python
  code at its next line but cannot cut a blocking C call (time.sleep) short:
  such a thread is left to finish and the next hover gets a new one.
"""

import ast
import os
import queue
import symtable
import sys
import threading

# How long describing a value may take. A hover must feel instant; 300 ms
# is the most an editor's tooltip can wait without looking broken, and far
# more than any ordinary repr needs.
REPR_SECONDS = 0.3

# A screenful: the repr is cut at this many lines or characters.
MAX_LINES = 40
MAX_CHARS = 4000

# Containers longer than this are shown with reprlib's abbreviations rather
# than pprint, which would format every item first.
PPRINT_ITEMS = 1000

# How many inspect threads stuck in a repr past its time limit may exist
# before hovers stop starting new ones.
MAX_STUCK = 3

# Files larger than this are not parsed to tell locals from globals: it
# would make the first hover after a save slow.
MAX_SCOPE_SOURCE = 2 * 1024 * 1024

BUILTIN_CONTAINERS = (list, tuple, dict, set, frozenset)


class ReprTimeout(BaseException):
    """Raised asynchronously in an inspect thread whose repr took too long."""


class Inspector:
    """Answers inspect requests; one per agent."""

    def __init__(self, agent):
        self.agent = agent
        self._lock = threading.Lock()  # guards the fields below
        self._jobs = None  # the current inspect thread's queue
        self._thread = None
        self._stuck = set()  # threads abandoned in a repr past its limit
        self._scopes = {}  # path -> ((mtime_ns, size), tree, table)

    def request(self, msg):
        """Runs on the reader thread: answers at once, or hands the value to
        the inspect thread, which answers within REPR_SECONDS."""
        rid = msg.get("id")
        try:
            found = self.lookup(msg)
        except Exception as exc:  # our own bug: say so rather than hang the hover
            self.agent.channel.send({"id": rid, "ok": True, "inspection": {"type": "", "note": "hotload could not look: %s: %s" % (type(exc).__name__, exc)}})
            return
        if found is None:
            self.agent.channel.send({"id": rid, "ok": True, "inspection": None})
            return
        namespace, names, module_name = found
        busy = self.agent.running()
        if busy is not None:
            inspection = {"note": "value not shown: the runtime is running %s" % busy}
            if len(names) == 1:
                inspection["type"] = type_name(type(namespace[names[0]]))
            self.agent.channel.send({"id": rid, "ok": True, "inspection": inspection})
            return
        job = Job(rid, namespace, names, self.agent.channel.send)
        if not self.submit(job):
            self.agent.channel.send({"id": rid, "ok": True, "inspection": {
                "note": "value not shown: earlier reprs are still running past their time limit"}})

    def lookup(self, msg):
        """Returns (namespace, names, module name) for the request's chain,
        or None when its first name is not the module global at that place."""
        from .app import module_for  # app imports ops, which imports this module's users
        names = (msg.get("expr") or "").split(".")
        if not all(n.isidentifier() for n in names):
            return None
        workspace = self.agent.workspace
        module = module_for(workspace, msg.get("module") or "", msg.get("path") or "")
        if module is None:  # set aside with another folder's modules, it still has its values
            module = workspace.folders.aside_module(msg.get("module") or "", msg.get("path") or "")
        if module is None:
            return None
        namespace = module.__dict__
        if names[0] not in namespace:
            return None
        if msg.get("line") and not self.is_global(msg["path"], msg["line"], msg.get("col") or 0, names[0]):
            return None
        return namespace, names, module.__name__

    def submit(self, job):
        global ctypes
        if ctypes is None:
            import ctypes  # here, on the reader thread: an import cut short by an asynchronous exception would leave the import lock held
        with self._lock:
            self._stuck = {t for t in self._stuck if t.is_alive()}
            if self._thread is None or not self._thread.is_alive():
                if len(self._stuck) >= MAX_STUCK:
                    return False
                self._jobs = queue.Queue()
                self._thread = threading.Thread(target=self.work, args=(self._jobs,), name="hotload-inspect", daemon=True)
                self._thread.start()
            jobs, thread = self._jobs, self._thread
        job.thread = thread
        job.timer = threading.Timer(REPR_SECONDS, self.expire, args=(job,))
        job.timer.daemon = True
        jobs.put(job)
        job.timer.start()
        return True

    def expire(self, job):
        """The job's time is up: answer without the value and interrupt it."""
        if not job.claim():
            return
        with self._lock:
            if self._thread is job.thread:
                # The thread is stuck in the repr; the next hover, which may
                # come as soon as this answer is sent, gets a new one.
                self._stuck.add(job.thread)
                self._thread = None
        inspection = {"note": "value not shown: its repr took too long (over %d ms)" % (REPR_SECONDS * 1000)}
        if job.type:
            inspection["type"] = job.type
        job.send({"id": job.rid, "ok": True, "inspection": inspection})
        with job.lock:
            if not job.finished:
                async_raise(job.thread.ident, ReprTimeout)

    def work(self, jobs):
        """The inspect thread's loop. An asynchronous ReprTimeout can land
        anywhere in a job, so while one may be pending this thread holds
        no lock but the job's own: never the channel's, the queue's or the
        import system's. The timer raises it only under job.lock and before
        job.finished, and the job's end cancels it under the same lock, so
        none survives into the next job."""
        me = threading.current_thread()
        while True:
            try:
                job = jobs.get()
                job.run()
                job.lock.acquire()
                try:
                    job.finished = True
                    async_raise(me.ident, None)  # cancels an interrupt that came too late
                finally:
                    job.lock.release()
            except ReprTimeout:
                pass  # it landed after the job's own code: the timer has answered
            if self._thread is not me:
                return  # abandoned after its time limit: a new thread took over

    # --- which name the hover is on -------------------------------------------

    def is_global(self, path, line, col, name):
        """Reports whether name at line (1-based) and col (0-based) of the file
        at path refers to the module global, not to a parameter, a local of a
        function, or a class attribute in its class body. When the file has
        changed since it was loaded, or cannot be read, the answer is yes."""
        scopes = self.scopes(path)
        if scopes is None:
            return True
        tree, table, lines = scopes
        if line > len(lines) or lines[line - 1][col:col + len(name)] != name:
            return True  # the editor's text is not the file's: nothing to go by
        for node in reversed(enclosing_scopes(tree, line, col)):
            scope = child_table(table, node)
            if scope is None:
                continue
            try:
                symbol = scope.lookup(name)
            except KeyError:
                continue
            if symbol.is_global() or symbol.is_declared_global():
                return True
            if symbol.is_local() or symbol.is_free() or symbol.is_parameter():
                return False
        return True

    def scopes(self, path):
        try:
            st = os.stat(path)
            version = (st.st_mtime_ns, st.st_size)
            known = self._scopes.get(path)
            if known is not None and known[0] == version:
                return known[1]
            if st.st_size > MAX_SCOPE_SOURCE or sys.version_info < (3, 8):
                return None  # no end positions before 3.8
            with open(path, "rb") as f:
                source = f.read()
            text = source.decode("utf-8", "replace")
            tree = compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
            table = symtable.symtable(text, path, "exec")
            value = (tree, table, text.splitlines())
        except (OSError, SyntaxError, ValueError):
            return None
        self._scopes[path] = (version, value)
        return value


class Job:
    """One value to describe, answered once: by the inspect thread with the
    value, or by the timer without it."""

    def __init__(self, rid, namespace, names, send):
        self.rid = rid
        self.namespace = namespace
        self.names = names
        self.send = send
        self.thread = None
        self.timer = None
        self.finished = False  # set under lock when the job's code is done
        self.lock = threading.Lock()  # orders finished against the timer's interrupt
        self.type = None  # known before the slow part starts
        self._answered = False
        self._answer_lock = threading.Lock()

    def run(self):
        try:
            obj = self.namespace[self.names[0]]
            for attr in self.names[1:]:
                try:
                    obj = getattr(obj, attr)
                except AttributeError:
                    self.answer_now(None)  # not an attribute: no hover
                    return
            self.type = type_name(type(obj))
            inspection = describe(obj)
        except ReprTimeout:
            return  # the timer has answered
        except BaseException as exc:  # the program's code may raise anything
            inspection = {"type": self.type or "", "note": "value not shown: %s: %s" % (type(exc).__name__, safe_str(exc))}
        self.answer_now(inspection)

    def answer_now(self, inspection):
        """Sends the value unless the timer has answered. The timer is
        canceled only by the thread that answered, so never with an
        interrupt pending (see Inspector.work)."""
        if not self.claim():
            return
        if self.timer is not None:
            self.timer.cancel()
        self.send({"id": self.rid, "ok": True, "inspection": inspection})

    def claim(self):
        """Reports whether the caller is the one to answer: true once."""
        with self._answer_lock:
            if self._answered:
                return False
            self._answered = True
            return True


def describe(obj):
    """The hover of a value: its type, its size where it has one, more
    details for tables, and its repr cut to a screenful."""
    cls = type(obj)
    out = {"type": type_name(cls)}
    size, details = measure(obj, cls)
    if size:
        out["size"] = size
    if details:
        out["details"] = details
    text = value_repr(obj, cls)
    out["repr"], cut = cut_text(text)
    if cut:
        out["cut"] = cut
    out["language"] = "python" if cls.__module__ == "builtins" else "text"
    return out


def measure(obj, cls):
    """(size, details) as short strings, "" where the value has none."""
    module = getattr(cls, "__module__", "") or ""
    if (module == "pandas" or module.startswith("pandas.")) and cls.__name__ == "DataFrame":
        rows, columns = obj.shape
        dtypes = obj.dtypes
        shown = ", ".join("%s %s" % (name, dtype) for name, dtype in list(dtypes.items())[:20])
        if columns > 20:
            shown += ", … (%d columns)" % columns
        return "shape (%d, %d)" % (rows, columns), "dtypes: " + shown
    if hasattr(cls, "shape") and hasattr(cls, "dtype"):
        shape = tuple(obj.shape)
        size = "shape %s, dtype %s" % (shape_text(shape), obj.dtype)
        nbytes = getattr(obj, "nbytes", None)
        if isinstance(nbytes, int):
            size += ", " + byte_size(nbytes)
        return size, ""
    if hasattr(cls, "__len__"):
        try:
            return "len %d" % len(obj), ""
        except TypeError:
            return "", ""
    return "", ""


def value_repr(obj, cls):
    # Imported here: pprint imports dataclasses and inspect, a few
    # milliseconds every runtime's start would pay for the first hover.
    import pprint
    import reprlib
    if cls in BUILTIN_CONTAINERS and len(obj) > PPRINT_ITEMS:
        short = reprlib.Repr()
        short.maxlist = short.maxtuple = short.maxset = short.maxfrozenset = short.maxdict = 100
        short.maxlevel = 3
        short.maxstring = short.maxother = 200
        return short.repr(obj)
    if cls in BUILTIN_CONTAINERS:
        try:
            return pprint.pformat(obj, width=88, sort_dicts=False)
        except TypeError:  # Python before 3.8 has no sort_dicts
            return pprint.pformat(obj, width=88)
    return repr(obj)


def cut_text(text):
    """text cut to a screenful, and a note saying how much there was, or ""."""
    lines = text.split("\n")
    if len(lines) <= MAX_LINES and len(text) <= MAX_CHARS:
        return text, ""
    kept = "\n".join(lines[:MAX_LINES])[:MAX_CHARS]
    return kept, "%d of %d lines, %d of %d characters" % (kept.count("\n") + 1, len(lines), len(kept), len(text))


def type_name(cls):
    """"int", "pandas.DataFrame", "app.models.User": the module a type is
    best known by (its package when the package exports it), and its name."""
    module = getattr(cls, "__module__", None) or ""
    name = getattr(cls, "__qualname__", None) or getattr(cls, "__name__", "?")
    if module in ("builtins", ""):
        return name
    package = module.partition(".")[0]
    top = sys.modules.get(package)
    if package != module and top is not None and getattr(top, "__dict__", {}).get(name) is cls:
        module = package
    return module + "." + name


def shape_text(shape):
    return "(%s)" % ", ".join(str(n) for n in shape) if len(shape) != 1 else "(%d,)" % shape[0]


def byte_size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0
    return ""


def safe_str(exc):
    try:
        return str(exc)
    except Exception:
        return "?"


def enclosing_scopes(tree, line, col):
    """The function, lambda, class and comprehension nodes around (line,
    col), outermost first."""
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
             ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    found = []
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if not hasattr(child, "end_lineno") or not contains(child, line, col):
                continue
            if isinstance(child, kinds):
                found.append(child)
            todo.append(child)
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found


def contains(node, line, col):
    start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
    return start <= (line, col) < end


def child_table(table, node):
    """The symbol table of a scope node, found among table's descendants by
    its kind and line; None if the compiler keeps no table for it (Python
    3.12 inlines comprehensions)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        name = node.name
    elif isinstance(node, ast.Lambda):
        name = "lambda"
    else:
        name = {ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
                ast.GeneratorExp: "genexpr"}[type(node)]
    todo = [table]
    while todo:
        t = todo.pop()
        for child in t.get_children():
            if child.get_name() == name and child.get_lineno() == node.lineno:
                return child
            todo.append(child)
    return None


# ctypes, imported by the first hover (Inspector.submit).
ctypes = None


def async_raise(ident, exc_class):
    """Raises exc_class in the thread ident at its next Python line; None
    cancels one not raised yet."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc_class) if exc_class is not None else None)
