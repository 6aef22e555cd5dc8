"""The requests the main thread runs: setup, reload, evaluate."""

import contextlib
import importlib
import importlib.util
import linecache
import os
import signal
import sys
import threading

from . import app, frameworks
from .rules import UPDATE_RULES
from .source import compile_split, compile_tree, parse, run_split
from .tracebacks import describe_exception, safe_repr
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


def loaded_module(name, path):
    """Returns the module called name if it is loaded from path, else None."""
    module = sys.modules.get(name)
    if module is None or not same_file(getattr(module, "__file__", None) or "", path):
        return None
    return module


def compile_file(path, bind=False, name=None):
    with open(path, "rb") as f:
        source = f.read()
    linecache.checkcache(path)
    if name == "__main__":
        return compile_tree(app.without_main_guard(parse(source, path), name), path, bind)
    return compile_split(source, path, bind)


def import_module_at(name, path):
    """Imports the file at path as a new module called name and runs it.

    Returns (module, value of the last top-level expression or None). If the
    code raises, sys.modules and the parent package are left as they were.
    """
    body, last = compile_file(path)
    parent, _, child = name.rpartition(".")
    if parent:
        importlib.import_module(parent)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    before = sys.modules.get(name, MISSING)
    parent_before = sys.modules[parent].__dict__.get(child, MISSING) if parent else MISSING
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)
    try:
        value = run_split(body, last, module.__dict__)
    except BaseException:
        if before is MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = before
        if parent:
            restore_module_attr(sys.modules[parent], child, parent_before)
        raise
    return module, value


def rerun(agent, up, adapters, name, module, path, dependents):
    """Runs a loaded module again in place, then (with dependents) the loaded
    workspace modules that import it. Everything compiles before anything
    runs, so a SyntaxError anywhere leaves every module untouched; then each
    module's __hotload_teardown__ runs, importers first, with the old code."""
    with open(path, "rb") as f:
        source = f.read()
    linecache.checkcache(path)
    tree = parse(source, path)
    order = agent.workspace.reload_order(name, path, tree) if dependents else [name]
    runs = [(name, module) + compile_tree(app.without_main_guard(tree, name), path, bind=True)]
    for other in order[1:]:
        mod = sys.modules[other]
        runs.append((other, mod) + compile_file(mod.__file__, bind=True, name=other))
    for _, mod, _, _ in reversed(runs):
        teardown = mod.__dict__.get("__hotload_teardown__")
        if callable(teardown):
            teardown()
    for other, mod, _, _ in runs:
        up.modules.add(other)
        up.modules.add(mod.__dict__.get("__name__"))
    modules = [mod for _, mod, _, _ in runs]
    for adapter in adapters:
        adapter.before_rerun(up, modules)
    value = None
    for other, mod, body, last in runs:
        result = up.run(mod, body, last)
        up.reloaded.append(other)
        if mod is module:
            value = result
    for adapter in adapters:
        adapter.after_rerun(up, modules)
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
    if msg.get("path_entry"):
        add_sys_path([msg["path_entry"]], front=True)
        agent.workspace.add_roots([msg["path_entry"]])
    name = app.main_name(name, path) if agent.app is not None else name
    module = loaded_module(name, path)
    if module is None and msg.get("if_loaded"):
        return {"skipped": True}
    adapters = frameworks.active()
    up = Update([rule for a in adapters for rule in a.rules] + UPDATE_RULES)
    try:
        if module is None:
            _, value = import_module_at(name, path)
            up.reloaded.append(name)
        else:
            value = rerun(agent, up, adapters, name, module, path, not msg.get("no_dependents"))
    except BaseException as exc:  # user code may raise anything
        if module is None:
            return {"error": describe_exception(exc)}
        up.notes = []  # they were about changes now undone
        with sigint_deferred():
            up.rollback()
        reply = {"error": describe_exception(exc), "rolled_back": True}
        if up.notes:
            reply["notes"] = up.notes
        return reply
    reply = {"value": None if value is None else safe_repr(value), "reloaded": up.reloaded}
    if up.notes:
        reply["notes"] = up.notes
    if msg.get("after_reload"):
        try:
            call_after_reload(msg["after_reload"])
        except BaseException as exc:  # the reload stands; the hook's error is reported apart
            reply["hook_error"] = describe_exception(exc)
    return reply


def op_evaluate(agent, msg):
    if agent.app is not None:  # the program's script evaluates in its __main__
        module = app.module_for(msg["module"], msg["path"])
    else:
        module = loaded_module(msg["module"], msg["path"])
    if module is None:
        if msg.get("path_entry"):
            add_sys_path([msg["path_entry"]], front=True)
        module, _ = import_module_at(msg["module"], msg["path"])
    body, last = compile_split(msg["code"], msg.get("filename") or "<evaluate>")
    value = run_split(body, last, module.__dict__)
    return {"value": None if value is None else safe_repr(value)}


HANDLERS = {
    "setup": op_setup,
    "reload": op_reload,
    "evaluate": op_evaluate,
    "app": app.op_app,
    "loaded": app.op_loaded,
}
