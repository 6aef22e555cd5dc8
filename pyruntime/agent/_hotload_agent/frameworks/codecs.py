"""codecs: a module that registers a codec search function at import
registers it once, and the codecs it found are looked up again.

`codecs.register(search)` at module level ran again with the module: the
search function (the old object, updated in place) was added once more to
Python's search path, and `codecs.lookup` kept answering from its cache
the CodecInfo the old code made (its name, its functions if they were made
anew). While a module re-runs, codecs.register first takes off what it is
given, which also empties the lookup cache, as a fresh run starts with
none. A search function the version before registered at module level
(`codecs.register(search)`) that this run did not is taken off too.
Rollback registers again what it took off. Needs codecs.unregister
(Python 3.10): before, a save does as it did.
"""

import sys
import types

from . import Adapter


class CodecsAdapter(Adapter):
    module = "codecs"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.original = None  # codecs.register while a module re-runs
        self.registered = set()  # id of each search function the module's run registered

    def before_run(self, up, module):
        # Looked up, not named: codecs.unregister is new in 3.10, and the
        # agent runs on 3.8.
        codecs = sys.modules["codecs"]
        unregister = getattr(codecs, "unregister", None)
        if unregister is None:
            return
        if self.original is None:
            self.original = codecs.register
        original, namespace = self.original, module.__dict__
        self.registered = registered = set()

        def register(search):
            registered.add(id(search))
            unregister(search)  # the module's last run registered it: once is a fresh run's
            # Rare: the namespace before the run is read only when a run registers.
            before = up.ran_before.get(id(namespace), {})
            up.on_undo(restore, unregister, original, search, any(v is search for v in before.values()))
            return original(search)

        register.__wrapped__ = original
        up.set_attr(codecs, "register", register)

    def after_run(self, up, module):
        if self.original is None:
            return
        codecs = sys.modules["codecs"]
        codecs.register = self.original
        previous = up.previous.get(module.__name__)
        if previous is None or not previous.registers:
            return
        before = up.ran_before.get(id(module.__dict__), {})
        unregister = getattr(codecs, "unregister")
        for target, key in previous.registers:
            if target.partition(".")[2] or before.get(target) is not codecs:
                continue
            search = before.get(key)
            if isinstance(search, types.FunctionType) and id(search) not in self.registered:
                unregister(search)
                up.on_undo(self.original, search)

    def after_rerun(self, up, modules):
        if self.original is not None:
            sys.modules["codecs"].register = self.original


def restore(unregister, register, search, existed):
    """Undoes a run's registration of search: registered again once if the
    module had it before the run (its version before registered it)."""
    unregister(search)
    if existed:
        register(search)
