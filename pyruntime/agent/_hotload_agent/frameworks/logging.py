"""logging: a module that configures logging at import configures it once,
however often it is saved.

A module-level `log.addHandler(h)` added one more handler per save, so every
message came out once per save; `logging.basicConfig(...)` did nothing after
the first run, so a changed format or level never showed.

- After a save, a logger that gained handlers drops the ones it had before
  that send to the same place (the same handler class, stream or file): the
  previous run's copies. Handlers added by a module's re-run are marked
  with it; before it runs again, they go, so a handler whose line was
  removed is gone, as in a fresh run. Filters likewise.
- While modules re-run, logging.basicConfig replaces the root logger's
  handlers (force=True), as a fresh run's first call would configure it.
- logging.config.dictConfig run again disables every logger that exists
  (disable_existing_loggers), the user's modules' too, which a fresh run
  makes after it: those stay enabled.

Rollback puts every logger's handlers, filters, level and flags back.
"""

import sys

from . import Adapter
from .live import touches

# Marks a handler or filter with the module whose run added it.
ADDED_BY = "_hotload_added_by"


def loggers(logging):
    """The root logger and every logger made so far."""
    found = [logging.getLogger()]
    for value in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(value, logging.Logger):
            found.append(value)
    return found


def target(handler):
    """Where a handler sends records, for telling copies apart."""
    return (type(handler), getattr(handler, "baseFilename", None) or id(getattr(handler, "stream", None)))


def same_filter(a, b):
    """Reports whether filters a and b filter alike: one class, the same
    attributes, leaving out the mark saying which module's run added one
    (ADDED_BY), which is about who added it, not what it filters."""
    return a is b or (type(a) is type(b) and unmarked(a) == unmarked(b))


def unmarked(obj):
    """obj's attributes without ADDED_BY; None if it has no __dict__."""
    attrs = getattr(obj, "__dict__", None)
    return None if attrs is None else {k: v for k, v in attrs.items() if k != ADDED_BY}


def restore_settings(logger, level, disabled, propagate):
    logger.setLevel(level)
    logger.disabled, logger.propagate = disabled, propagate


def of_user_module(name, users):
    """Reports whether a logger's name is one of the user's modules or under one."""
    return name in users or any(name.startswith(u + ".") for u in users)


def forced(original):
    def basicConfig(**kwargs):
        kwargs.setdefault("force", True)
        return original(**kwargs)

    basicConfig.__wrapped__ = original
    return basicConfig


class LoggingAdapter(Adapter):
    module = "logging"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        # id(logger) -> (handlers, filters) before the running module ran; None
        # while a module that holds nothing of logging runs.
        self.before = None
        self.original = None  # logging.basicConfig while it is replaced
        self.settings = {}  # id(logger) -> (level, disabled, propagate) before the running module ran

    def before_run(self, up, module):
        """Takes off every logger the handlers and filters module's last run
        added, just before it re-runs, and remembers what each logger has."""
        self.before = None
        if not touches(module, ("logging",)):
            return  # holds no logger, handler or logging function: configures nothing
        logging = sys.modules["logging"]
        if self.original is None and sys.version_info >= (3, 8):  # basicConfig(force=...) is 3.8's
            self.original = logging.basicConfig
            logging.basicConfig = forced(self.original)
            up.on_undo(setattr, logging, "basicConfig", self.original)
        name = module.__name__
        self.before = {}
        self.settings = {}
        for logger in loggers(logging):
            up.manage(logger)
            self.settings[id(logger)] = (logger.level, logger.disabled, logger.propagate)
            up.on_undo(restore_settings, logger, logger.level, logger.disabled, logger.propagate)
            for attr in ("handlers", "filters"):
                items = logger.__dict__.get(attr)
                if isinstance(items, list):
                    # A copy: addHandler changes the list in place, and a
                    # rollback puts back the original.
                    up.set_attr(logger, attr, [i for i in items if getattr(i, ADDED_BY, None) != name])
            self.before[id(logger)] = (list(logger.handlers), list(logger.filters))

    def after_run(self, up, module):
        """Marks what module's run added, and drops the copies it replaces."""
        if self.before is None:
            return
        logging = sys.modules["logging"]
        users = set(self.workspace.loaded()) if self.workspace is not None else set()
        for logger in loggers(logging):
            up.manage(logger)
            was = self.settings.get(id(logger))
            if was is not None and not was[1] and logger.disabled and of_user_module(logger.name, users):
                # dictConfig's disable_existing_loggers: in a fresh run this
                # module configures logging before your modules make their
                # loggers, so theirs stay enabled.
                logger.disabled = False
            handlers, filters = self.before.get(id(logger), ((), ()))
            self.dedupe(up, logger, "handlers", handlers, module.__name__, lambda a, b: target(a) == target(b))
            self.dedupe(up, logger, "filters", filters, module.__name__, same_filter)

    def after_rerun(self, up, modules):
        if self.original is not None:
            sys.modules["logging"].basicConfig = self.original

    def dedupe(self, up, logger, attr, before, name, same):
        items = logger.__dict__.get(attr)
        if not isinstance(items, list):
            return
        added = [i for i in items if not any(i is b for b in before)]
        if not added:
            return
        for item in added:
            try:
                setattr(item, ADDED_BY, name)
            except (AttributeError, TypeError):  # an object without attributes: deduped on each save
                pass
        copies = [b for b in items if any(b is o for o in before) and any(same(b, a) for a in added)]
        if copies:
            up.set_attr(logger, attr, [i for i in items if not any(i is c for c in copies)])
            for copy in copies:
                if getattr(copy, "baseFilename", None):
                    up.on_commit(copy.close)
