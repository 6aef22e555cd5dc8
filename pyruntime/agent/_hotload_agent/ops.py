"""The requests the main thread runs: setup, reload, evaluate."""

import ast
import contextlib
import gc
import importlib
import importlib.machinery
import importlib.util
import linecache
import os
import signal
import sys
import threading
import warnings

from . import app, dynamic, evaluated, folders, frameworks, importers
from .files import file_version, read_source
from .rules import UPDATE_RULES
from .shape import Shape
from .shadowed import release_shadowed
from .source import compile_split, compile_tree, parse, run_split
from .tracebacks import describe_exception, lines_evaluated, safe_repr
from .update import MISSING, Update, restore_module_attr


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
    if msg.get("cwd") and not agent.attached:
        os.chdir(msg["cwd"])
    add_sys_path(msg.get("sys_path") or [], front=True)
    agent.workspace.add_roots(msg.get("workspace_roots") or [])
    provided = agent.workspace.folders.prime(msg.get("sys_path") or [])
    if not agent.attached:
        release_shadowed(agent.loaded_before, msg.get("sys_path") or [], provided)
    failed = {}
    # What the preloads' workspace modules read as they ran (a data set, a
    # settings file), as an evaluation's first loads: the server runs such a
    # module again when one changes, which renews the zygote.
    reads = None if agent.attached else getattr(agent, "reads", None)
    if reads is not None:
        reads.install()
    first = {}
    with recording_first_loads(reads, agent.workspace.roots, first):
        for name in msg.get("preload") or []:
            try:
                importlib.import_module(name)
            except BaseException as exc:
                failed[name] = describe_exception(exc)
    files = set(agent.workspace.note_loaded().values())
    # A preload of the workspace that failed to import is held too: its
    # file, saved or changed outside the editor once fixed, starts a zygote
    # that imports it.
    for name in failed:
        try:
            spec = importlib.util.find_spec(name)
        except Exception:  # a parent package failed too, a finder raised
            spec = None
        path = agent.workspace.user_path(getattr(spec, "origin", None))
        if path is not None:
            files.add(path)
    files = sorted(files)
    # The workspace files loaded by now (the preloads and what they
    # import): a zygote holds them as they were at its start, so the server
    # starts a new one when one of them changes; and their mtimes, with
    # those of the data they read, to see one changed outside the editor,
    # and of the site-packages folders, which change when a distribution
    # is installed, upgraded or removed (pip), or a .pth file added, and of
    # the .pth files read, which may be written again in place.
    mtimes = {}
    sites = getattr(agent, "site", None)  # None: an agent-like object of a test
    site_paths = sites.folders + sorted(sites.read) if sites is not None else []
    for path in files + sorted(set().union(*first.values())) + site_paths:
        try:
            mtimes[path] = os.stat(path).st_mtime_ns
        except OSError:
            pass
    reply = {"preload_errors": failed, "preloaded_files": files, "preloaded_mtimes": mtimes}
    say_data_reads(agent, reads, first, first, reply)
    return reply


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except (OSError, TypeError):
        return False


def loaded_module(name, path):
    """Returns the module called name if it is loaded from path, else None."""
    module = sys.modules.get(name)
    if module is None:
        return None
    file = getattr(module, "__file__", None) or ""
    if file != path and not same_file(file, path):
        return None
    return module


def module_at(workspace, name, path):
    """(name, module) of the loaded module of the file at path: module name
    if it is loaded from there, else the first other name user code loaded
    that file as (a namespace package's `app.utils` where hotload names
    the file `utils`, see Workspace.loaded_as); (name, None) if neither."""
    module = loaded_module(name, path)
    if module is None:
        for other in workspace.loaded_as(path):
            module = loaded_module(other, path) if other != "__main__" else None
            if module is not None:
                return other, module
    return name, module


def also_loaded_as(workspace, name, path):
    """The other names the file at path, loaded as module name, is loaded
    as: modules of their own, with objects of their own."""
    return [n for n in workspace.loaded_as(path) if n != name and n != "__main__" and loaded_module(n, path) is not None]


def parse_file(source, path):
    """parse, without the garbage collector: a syntax tree holds no
    cycles, so a collection while Python builds one finds nothing, and
    the million nodes of a 10 MB file start hundreds of them (0.2 to 0.7
    s of its 3 s parse, measured)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return parse(source, path)
    finally:
        if enabled:
            gc.enable()


def read_file(name, path, trees, bind=False, prepared=None):
    """Parses and compiles the file at path, module name's, as it is now:
    (Shape, body, last, version), version being the file's (mtime, size)
    when read; bind as for compile_tree. trees holds the parse until the
    request drops it: what it asks of the Shape later reads it. prepared,
    if not None, may hold the code compiled from these very bytes before
    the save (see prepared.py)."""
    source, version = read_source(path)
    linecache.checkcache(path)
    compiled = prepared.take(name, path, bind, source) if prepared is not None else None
    if compiled is None:
        compiled = compile_source(name, path, source, trees, bind)
    return compiled + (version,)


def compile_source(name, path, source, trees, bind):
    """read_file's (Shape, body, last) for source, the bytes of module
    name's file at path."""
    tree = parse_file(source, path)
    shape = Shape(name, path, tree, source, trees)  # before compile_tree changes the tree
    trees.hold(shape, tree, compiling=True)
    # A running program's __main__ re-runs without its main guard, which
    # would start the program again (see app.py).
    return (shape,) + compile_tree(app.without_main_guard(tree, name), path, bind)


def op_prepare(agent, msg):
    """Compiles the editor's text of a loaded module as its next save would
    (see prepared.py). Replies prepared: whether it was kept."""
    name, path = msg["module"], msg["path"]
    name = app.main_name(name, path) if agent.app is not None else name
    name, module = module_at(agent.workspace, name, path)
    if module is None:
        return {"prepared": False}  # its first save imports it
    source = msg["code"].encode("utf-8")
    workspace = agent.workspace
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            compiled = compile_source(name, path, source, workspace.trees, True)
    except Exception:  # a SyntaxError: the save reports it
        return {"prepared": False}
    finally:
        workspace.trees.clear()  # the save parses again what it asks of the Shape
    if warned:
        return {"prepared": False}  # the save's result shows them
    workspace.prepared.put(name, path, True, source, compiled)
    return {"prepared": True}


def op_warm(agent, msg):
    """Runs the start of a save of the module and nothing else: the editor
    said it is about to save the file (see the server's warmer). After a
    few hundred milliseconds idle, the processor has let go of the agent's
    code, and the save's first request pays for fetching it again; a warm
    request shortly before pays instead, outside the time the user waits.
    Changes nothing: no code runs, and the prepared code stays."""
    name, path = msg["module"], msg["path"]
    name = app.main_name(name, path) if agent.app is not None else name
    name, module = module_at(agent.workspace, name, path)
    frameworks.active(agent.workspace)
    agent.workspace.prepared.has(name, path)
    file_version(path)
    return {"loaded": module is not None}


def read_again(workspace, name, path):
    """read_file with bind for a module to re-run: while the file is still
    the version of it that runs, the code compiled then, or at least the
    Shape read then (and the tree it was read from in this request)."""
    known = workspace.ran.get(name)
    if known is None or known.path != path or known.version != file_version(path):
        return read_file(name, path, workspace.trees, bind=True)
    if known.code is not None:
        return (known.shape,) + known.code + (known.version,)
    shape = known.shape_of()
    if shape is None:
        return read_file(name, path, workspace.trees, bind=True)
    tree = workspace.trees.take(shape)
    if tree is None:
        tree = parse_file(read_source(path)[0], path)
        workspace.trees.hold(shape, tree, compiling=True)
    linecache.checkcache(path)
    return (shape,) + compile_tree(app.without_main_guard(tree, name), path, True) + (known.version,)


def import_module_at(agent, name, path, standing=None, undo=None):
    """Imports the file at path as a new module called name and runs it.

    Returns (module, value of the last top-level expression or None). If the
    code raises, sys.modules and the parent package are left as they were.
    With standing, a list, the loaded user modules it imports whose files
    are gone are forgotten first, and standing gets the notes that say so.
    With undo, a list, it gets a function that, once the module ran, puts
    sys.modules, the parent package and what ran back as they were.
    """
    shape, body, last, version = read_file(name, path, agent.workspace.trees)
    agent.workspace.trees.drop(shape)  # nothing asks more of it in this request
    if standing is not None:
        # The module loaded under name before may be another file (util/
        # made util.py): what it imported and this one does not may be gone.
        known = agent.workspace.ran.get(name)
        dropped = [m for m in known.imports() if m not in shape.import_set] if known is not None else []
        gone = agent.workspace.gone_among(list(shape.imports) + dropped + list(shape.lazy_imports))
        if gone:
            standing.extend(forget_gone(agent.workspace, gone, name))
    parent, _, child = name.rpartition(".")
    if parent:
        importlib.import_module(parent)
    # Python's own loader for source, named rather than picked by the
    # file's suffix: hotload has already read the code; the loader serves
    # the source to tracebacks and inspect, whatever the file is called
    # (the spare's warm-up imports os.devnull, see warmup.py).
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    before = sys.modules.get(name, MISSING)
    parent_before = sys.modules[parent].__dict__.get(child, MISSING) if parent else MISSING
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)

    def put_back():
        if before is MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = before
        if parent:
            restore_module_attr(sys.modules[parent], child, parent_before)

    try:
        value = run_split(body, last, module.__dict__)
    except BaseException:
        put_back()
        raise
    known = agent.workspace.ran.get(name)
    agent.workspace.ran_now(name, path, version, shape)
    if undo is not None:
        def undo_import():
            put_back()
            agent.workspace.ran_back(name, known)
        undo.append(undo_import)
    return module, value


def forget_gone(workspace, gone, running):
    """Forgets the loaded user modules called gone, whose files no longer
    exist (deleted, or renamed): a fresh run could not import them, so
    code that imports them now raises ModuleNotFoundError. Returns the
    notes: one saying so, and one on the import line of each other loaded
    module that imported one of them (but running, the module the request
    runs), which keeps what it took until it runs again."""
    files, importers = workspace.loaded(), workspace.importers()
    holders = {}
    for name in gone:
        for importer in importers.get(name, ()):
            if importer != running and importer not in gone:
                holders.setdefault(importer, []).append(name)
    notes = [{"text": "%s: %s, its file, is gone (deleted or renamed since it ran), so it is no longer loaded: code "
                      "that imports it raises ModuleNotFoundError, as in a fresh run" % (name, shown_path(files[name]))}
             for name in gone]
    for importer, names in sorted(holders.items()):
        file, took = files[importer], ", ".join(names)
        line = import_line(file, names)
        notes.append({
            "text": "%s: imports %s, whose file is gone: %s still runs with what it took, where a fresh run fails "
                    "with ModuleNotFoundError; save %s to see" % (importer, took, importer, shown_path(file)),
            "file": file, "line": line, "source": linecache.getline(file, line).rstrip("\r\n"), "until": importer,
        })
    workspace.forget(gone)
    return notes


def teardown(up, module):
    """Calls the module's __hotload_teardown__ (its old code), if it has one."""
    hook = module.__dict__.get("__hotload_teardown__")
    if callable(hook):
        up.teardowns.append(module.__name__)
        hook()


def rerun(agent, up, adapters, name, module, path, dependents, standing):
    """Runs a loaded module again in place, then (with dependents) those of
    the loaded workspace modules that import it and must re-run: an
    importer re-runs when a name it takes from a module that ran (`from m
    import x`, `m.x`) now refers to a different object or value, when code
    it runs at import time uses a module whose code changed in place, or
    when that module's own imports changed (see importers.py). The modules
    the saved one imports whose files changed since they last ran run
    first, as a fresh run would run their new code, and a module whose
    save failed runs its file again once a module its file imports ran;
    those whose files are gone are forgotten, and standing gets the notes
    that say so. Each module's
    __hotload_teardown__ runs (with the old code) just before it re-runs.
    Returns the saved module's value and [(name, file, read_file's
    result)] of each module that ran."""
    workspace = agent.workspace
    workspace.trees.saved = name
    shape, body, last, version = read_file(name, path, workspace.trees, bind=True, prepared=workspace.prepared)
    if dependents:
        # What the version before imported and this one does not may be a
        # module renamed with this save: then nothing reaches it any more.
        known = workspace.ran.get(name)
        dropped = [m for m in known.imports() if m not in shape.import_set] if known is not None else ()
        order, stale, gone = workspace.reload_order(name, path, shape.imports)
        gone += workspace.gone_among(dropped) if dropped else []
        # Imports in its functions (`def run(): import utils`) run again at
        # their next call: a module of theirs whose file is gone must fail there.
        gone += workspace.gone_among(shape.lazy_imports) if shape.lazy_imports else []
        if os.path.basename(path) == "__init__.py":
            # Its loaded submodules, however they were imported (by name, by
            # its __getattr__): one whose file is gone is no longer its.
            prefix = name + "."
            gone += workspace.gone_among([m for m in list(sys.modules) if m.startswith(prefix)])
        # An importer whose file is gone (a plugin deleted) does not run
        # again: a fresh run could not import it.
        gone += workspace.files_gone([m for m in order if m != name])
        if gone:
            standing.extend(forget_gone(workspace, sorted(set(gone)), name))
            order, stale, _ = workspace.reload_order(name, path, shape.imports)
        # Modules that ran without it before something else loaded it (an
        # evaluation): they run again, as on a first save (importers_of_new).
        late = workspace.ran_before_loaded(name)
    else:
        order, stale, late = [name], [], ()
    for adapter in adapters:
        adapter.before_rerun(up, [module] + [sys.modules[n] for n in stale])
    ran, value = [], None
    for other in order:
        if other != name:
            # A stale module runs its new file, not as an importer.
            done = run_importer(agent, up, adapters, other, must=other in stale or other in late,
                                as_importer=other not in stale)
            if done is not None:
                ran.append(done)
            continue
        compiled = shape, body, last, version
        teardown(up, module)
        value = run_module(up, adapters, module, body, last, shape, workspace.previous_shape(name))
        ran_as(up, workspace, name, path, compiled)
        ran.append((name, path, compiled))
    up.reloaded = [name] + [n for n, _, _ in ran if n != name]
    after_runs(up, adapters, ran)
    return value, ran


def run_importer(agent, up, adapters, name, must, as_importer):
    """Runs the loaded module name again from its file, after the modules
    of the save it imports, if must or if importers.decide says it must
    (decided by the version that runs). Returns (name, file, read_file's
    result), or None if it did not run. A SyntaxError in its file stops
    the save."""
    workspace = agent.workspace
    module = sys.modules[name]
    file = module.__file__
    if not must:
        known = workspace.ran.get(name)
        known = None if known is None else known.shape or known.shape_of()
        if known is not None and not importers.decide(up, name, file, known):
            return None
    compiled = read_again(workspace, name, file)
    if as_importer:
        up.importers.add(name)
    teardown(up, module)
    run_module(up, adapters, module, compiled[1], compiled[2], compiled[0], workspace.previous_shape(name))
    ran_as(up, workspace, name, file, compiled)
    return name, file, compiled


def ran_as(up, workspace, name, file, compiled):
    """What follows the run of module name from file (compiled: read_file's
    result): its change carried to its importers, its lines that use a
    removed name noted, its tree dropped."""
    importers.carry(up, name, compiled[0])
    importers.note_removed(up, name, file, compiled[0])
    workspace.trees.drop(compiled[0])  # the save is done with its tree


def after_runs(up, adapters, ran):
    """The checks once the modules of a save ran (ran: rerun's)."""
    checked(up, up.reconcile)
    for adapter in adapters:
        adapter.after_rerun(up, [sys.modules[n] for n, _, _ in ran])
    checked(up, up.note_growth)
    checked(up, up.note_running_code)
    checked(up, up.note_stale_closures)
    checked(up, up.note_held_by_threads)


def run_importers_of_new(agent, up, adapters, name, holders):
    """Runs again, after module name's first run, holders (the loaded
    modules whose running version imports it: they ran without it, or with
    what stood in its place in sys.modules) and, as after any save, those
    of their importers that must. Returns rerun's ran."""
    for adapter in adapters:
        adapter.before_rerun(up, [sys.modules[n] for n in holders])
    ran = []
    for other in agent.workspace.first_import_order(name, holders):
        done = run_importer(agent, up, adapters, other, must=other in holders, as_importer=True)
        if done is not None:
            ran.append(done)
    up.reloaded = [name] + [n for n, _, _ in ran]
    after_runs(up, adapters, ran)
    return ran


def checked(up, check):
    """Runs one of the Update's checks after the modules ran: a failure of
    hotload's own is a note, never the user's error."""
    try:
        check()
    except Exception as exc:
        up.note("hotload", "could not finish %s (%s: %s); restart the runtime if registries misbehave"
                % (check.__name__, type(exc).__name__, exc))


def run_module(up, adapters, module, body, last, shape, previous):
    for adapter in adapters:
        adapter.before_run(up, module)
    value = up.run(module, body, last, shape, previous)
    for adapter in adapters:
        adapter.after_run(up, module)
    return value


@contextlib.contextmanager
def sigint_deferred():
    """Holds off KeyboardInterrupt: a rollback cut short would leave a mix of
    old and new code. An interrupt that arrives meanwhile was meant for the
    code that already stopped, so it is dropped."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread gets KeyboardInterrupt
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def call_after_reload(spec):
    """Calls the function named "pkg.mod:func", importing pkg.mod if needed."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError("afterReload %r does not look like 'pkg.mod:func'" % spec)
    target = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    target()


def op_reload(agent, msg):
    """Runs the module's file: imports it the first time, then runs it again in
    its existing namespace, updating old objects in place and re-running its
    importers, all or nothing. Globals persist across reloads."""
    name, path = msg["module"], msg["path"]
    sites = getattr(agent, "site", None)  # None: an agent-like object of a test
    if sites is not None:
        sites.look()  # a fresh run would read the .pth files added since the start
    if msg.get("path_entry"):
        add_sys_path([msg["path_entry"]], front=True)
        agent.workspace.add_roots([msg["path_entry"]])
    name = app.main_name(name, path) if agent.app is not None else name
    if msg.get("if_loaded"):
        switched, (name, module) = Switched(), module_at(agent.workspace, name, path)
    else:
        switched, name, module = enter_root(agent, name, path, msg.get("path_entry"))
    if sites is not None:
        switched.notes[:0] = sites.take_notes()
    if module is None and msg.get("if_loaded"):
        return switched.told({"skipped": True})
    adapters = frameworks.active(agent.workspace)
    hits = agent.workspace.prepared.hits
    up = Update([rule for a in adapters for rule in a.rules] + UPDATE_RULES, agent.workspace)
    undo_import = []
    reads = getattr(agent, "reads", None)  # None: an agent-like object of a test
    if reads is not None:
        if not agent.attached:  # an app hotload attached to is not ours to hook
            reads.install()
        reads.start(agent.workspace.roots)
    try:
        try:
            if module is None:
                # Those it has are rarely there: a lookup, before it runs
                # (the modules it imports are not read for this).
                holders = agent.workspace.importers_of_new(name) if not msg.get("no_dependents") else ()
                watch = dynamic.Watch(agent.workspace, name)
                _, value = import_module_at(agent, name, path, switched.notes, undo_import)
                known = agent.workspace.ran.get(name)
                watch.end(up, frozenset(known.imports()) if known is not None else frozenset(), path)
                if not holders:
                    up.finish()  # it records what the run imported by name
                up.reloaded.append(name)
                if holders:
                    ran = run_importers_of_new(agent, up, adapters, name, holders)
                    for other, file, (shape, body, last, version) in ran:
                        agent.workspace.ran_now(other, file, version, shape, (body, last))
                    up.finish()
            else:
                dependents = not msg.get("no_dependents")
                value, ran = rerun(agent, up, adapters, name, module, path, dependents, switched.notes)
                # The same file loaded as another module: that one runs the
                # new code too, with its own importers.
                for other in also_loaded_as(agent.workspace, name, path):
                    before = up.reloaded
                    ran += rerun(agent, up, adapters, other, sys.modules[other], path, dependents, switched.notes)[1]
                    up.reloaded = before + [n for n in up.reloaded if n not in before]
                for other, file, (shape, body, last, version) in ran:
                    agent.workspace.ran_now(other, file, version, shape, (body, last))
                up.finish()
        finally:
            recorded = reads.stop() if reads is not None else {}
            agent.workspace.trees.clear()
            agent.workspace.request_ended()
    except BaseException as exc:  # user code may raise anything
        # What the runs read goes with them: what the runs before read stands.
        if module is None and not undo_import:
            return switched.told({"error": describe_exception(exc), "failed_with": loaded_files(agent)})
        up.notes = []  # they were about changes now undone
        with sigint_deferred():
            up.rollback()
            # A fresh run would fail at the importer too: the new module
            # is not loaded, as before the save, and its next save tries
            # again.
            for undo in undo_import:
                undo()
        agent.workspace.save_failed(up.modules if module is None else {name} | up.modules)
        reply = {"error": describe_exception(exc), "rolled_back": True, "failed_with": loaded_files(agent)}
        say_prepared(agent, hits, reply)
        if up.notes:
            reply["notes"] = up.notes
        return switched.told(reply)
    watch_old_code(agent, up, path)
    reply = {"value": None if value is None else safe_repr(value), "reloaded": up.reloaded}
    say_data_reads(agent, reads, recorded, up.reloaded, reply)
    say_prepared(agent, hits, reply)
    if up.notes:
        reply["notes"] = up.notes
    if msg.get("after_reload"):
        try:
            call_after_reload(msg["after_reload"])
        except BaseException as exc:  # the reload stands; the hook's error is reported apart
            reply["hook_error"] = describe_exception(exc)
    return switched.told(reply)


def loaded_files(agent):
    """The files of the user modules loaded now, sorted: after a failed
    run, those its failure may come from (the server takes its Error off
    when a fresh run of one of them succeeds)."""
    return sorted(set(agent.workspace.loaded().values()))


class Switched:
    """What a request did before it ran anything, which stands whatever
    it does after: aside, the files of the modules it set aside
    (folders.py); notes, one for each module shared by several folders'
    programs that imported one of them, and those of forget_gone. The
    zero value did nothing."""

    def __init__(self, aside=(), notes=()):
        self.aside, self.notes = sorted(aside), list(notes)

    def told(self, reply):
        """reply, with what was set aside and the notes added: they stand
        whatever the request did after."""
        if self.aside:
            reply["set_aside"] = self.aside
        if self.notes:
            reply["notes"] = self.notes + reply.get("notes", [])
        return reply


def enter_root(agent, name, path, entry):
    """Lets the import root of the file at path hold the names it provides
    (see folders.py), and returns (Switched, name, module) of the file's
    module then (see module_at). name is the module the server named the
    file, imported from the sys.path folder entry; a module user code
    loaded from the file under another name (a namespace package's
    `app.utils`) has its own root, whose names it already holds. Not in a
    program's process (hotload app, an attached app): its modules are the
    program's, whichever file you save, and are not set aside under it."""
    workspace = agent.workspace
    loaded, module = module_at(workspace, name, path)
    if agent.app is not None or agent.attached:
        return Switched(), loaded, module
    if loaded != name:
        entry = folders.root_of(loaded, path)
    aside, shared = workspace.folders.enter(workspace, loaded, path, entry)
    if aside or module is None:  # it may be one put back
        loaded, module = module_at(workspace, name, path)
    notes = []
    for other, (file, took) in sorted(shared.items()):
        names = ", ".join(took)
        line = import_line(file, took)
        notes.append({
            "text": "%s: imported %s from %s; the files of %s import their own %s now, as a fresh run of "
                    "them would, but %s keeps what it took until it runs again: save %s"
                    % (other, names, ", ".join(shown_path(aside[n]) for n in took if n in aside),
                       os.path.join(shown_path(os.path.normpath(entry)), ""),
                       names, other, shown_path(file)),
            "file": file, "line": line, "source": linecache.getline(file, line).rstrip("\r\n"),
            "until": other,
        })
    return Switched(aside.values(), notes), loaded, module


def shown_path(path):
    """path from the working directory (the workspace folder) if it is
    within it, else as it is."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def import_line(file, names):
    """The first line of the file at file that imports one of names (or a
    submodule of one), else 1."""
    tops = {n.partition(".")[0] for n in names}
    try:
        tree = parse_file(read_source(file)[0], file)
    except (OSError, SyntaxError, ValueError):
        return 1
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            imported = [node.module]
        else:
            continue
        if any(n.partition(".")[0] in tops for n in imported):
            lines.append(node.lineno)
    return min(lines, default=1)


def watch_old_code(agent, up, path):
    """Watches the old code of the generator and coroutine functions the
    save replaced that no note named, and again what fired in the saved
    file, whose late notes the save clears (see old_code.py). A failure of
    hotload's own is a note."""
    watch = getattr(agent, "old_code", None)
    if watch is None:
        return  # an agent-like object of a test
    try:
        watch.watch(up.unnoted_suspending_code(), (path,))
    except Exception as exc:
        up.note("hotload", "could not watch the old code this save replaced (%s: %s)" % (type(exc).__name__, exc))


def say_data_reads(agent, reads, recorded, ran, reply):
    """Adds data_reads to a reload's or an evaluation's reply: the data
    files the modules that ran read now, for each of them that reads some
    or did before (see reads.py). reads is None in an agent-like object
    of a test."""
    if reads is None or not (recorded or reads.by_module):
        return

    def file_of(name):
        return agent.workspace.user_file(sys.modules.get(name))

    data = reads.stand(recorded, ran, file_of)
    if data:
        reply["data_reads"] = data


def say_prepared(agent, hits, reply):
    """Adds prepared to a reload's reply if the code it ran, cleanly or
    not, was compiled before the save: the prepared store's hits were
    hits when the reload began."""
    if agent.workspace.prepared.hits != hits:
        reply["prepared"] = True


@contextlib.contextmanager
def recording_first_loads(reads, roots, into):
    """Records, while the block runs, what the bodies of the modules it
    loads for the first time read (see reads.py): into gets {module name:
    {path}} for each module loaded in the block and still loaded after
    it, an empty set for one that read nothing. A module loaded before
    gets nothing: the code evaluated in its namespace is not its run, and
    what its own last run read stands. reads None records nothing."""
    if reads is None:
        yield
        return
    before = set(sys.modules)
    reads.start(roots)
    try:
        yield
    finally:
        recorded = reads.stop()
        for name in set(sys.modules) - before:
            into[name] = recorded.get(name, set())


def op_evaluate(agent, msg):
    """Runs code in the namespace of the module at path, importing the
    module first if it is not loaded. The reply names the data files
    that the modules it loaded for the first time read as they ran."""
    reads = getattr(agent, "reads", None)  # None: an agent-like object of a test
    if reads is not None and not agent.attached:  # an app hotload attached to is not ours to hook
        reads.install()
    first = {}  # what the modules loaded first in this evaluation read
    if agent.app is not None:  # the program's script evaluates in its __main__
        module = app.module_for(agent.workspace, msg["module"], msg["path"])
        switched = Switched()
    else:
        switched, _, module = enter_root(agent, msg["module"], msg["path"], msg.get("path_entry"))
    if module is None:
        if msg.get("path_entry"):
            add_sys_path([msg["path_entry"]], front=True)
        with recording_first_loads(reads, agent.workspace.roots, first):
            module, _ = import_module_at(agent, msg["module"], msg["path"])
    source, filename = msg.get("code", ""), msg.get("filename") or "<evaluate>"
    own = None
    try:
        body, last = compile_split(source, filename)
        own = evaluated.definitions(module)
        # Recorded apart from the import above: the module is loaded now,
        # so what the evaluated code itself reads is left out.
        with recording_first_loads(reads, agent.workspace.roots, first):
            value = run_split(body, last, module.__dict__)
    except BaseException as exc:  # user code may raise anything
        with lines_evaluated(filename, source):
            reply = {"error": describe_exception(exc)}
        # What it loaded stays loaded, so what those modules read is watched.
        say_data_reads(agent, reads, {name: paths for name, paths in first.items() if paths}, first, reply)
        return switched.told(reply)
    finally:
        if own:  # what it bound over the module's own definitions, a save of the module takes back
            evaluated.remember(agent.workspace, module, own)
        agent.workspace.trees.clear()
        agent.workspace.request_ended()
    reply = {"value": None if value is None else safe_repr(value)}
    say_data_reads(agent, reads, {name: paths for name, paths in first.items() if paths}, first, reply)
    return switched.told(reply)


def op_changed(agent, msg):
    """Tells the active adapters that files of the workspace that are not
    Python code changed (paths), a template saved: what their framework
    keeps of those files goes, so the next request reads them as a fresh
    run would. Runs none of the user's code. The reply lists what went
    (dropped) and the adapters that failed to (failed), each a text."""
    paths = [p for p in msg.get("paths") or () if isinstance(p, str) and not p.endswith(".py")]
    dropped, failed = [], []
    for adapter in frameworks.active(agent.workspace) if paths else ():
        try:
            dropped.extend(adapter.files_changed(paths))
        except Exception as exc:  # the framework's code: say so, the others still run
            failed.append("%s: %s: %s" % (adapter.module, type(exc).__name__, exc))
    reply = {}
    if dropped:
        reply["dropped"] = dropped
    if failed:
        reply["failed"] = failed
    return reply


HANDLERS = {
    "setup": op_setup,
    "reload": op_reload,
    "evaluate": op_evaluate,
    "changed": op_changed,
    "prepare": op_prepare,
    "warm": op_warm,
    "app": app.op_app,
    "loaded": app.op_loaded,
}
