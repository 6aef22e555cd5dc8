"""The running program's failures, sent to the editor as they happen.

A failure is an exception the program did not handle where it was raised:

- one that escapes a thread (threading.excepthook), the app's main thread
  included (app.py reports that one itself);
- one the program logs with its traceback at ERROR or above
  (`logger.exception(...)`, `logger.error(..., exc_info=True)`): this is how
  Flask, Django, Starlette and uvicorn report a failing request, and how
  asyncio reports a task whose exception nobody retrieved, or a callback
  that raised, in every event loop that uses its default exception handler;
- one the program prints with traceback.print_exc() or print_exception():
  how socketserver and http.server report a failing request, and the
  `except: traceback.print_exc()` idiom.

An exception is reported once however many of these it goes through (a
logging handler formats a record's traceback with print_exception).

Records are seen through the log record factory rather than a handler on
the root logger: a root handler would turn `logging.basicConfig()` into a
no-op, silence Python's last-resort printing of warnings and make Flask
think a handler is configured; the factory sees every record a logger
creates and changes nothing about where it goes.

Each failure is sent as an event {"event": "failure", "origin": ...,
"where": ..., "text": ..., "error": describe_exception(exc)}; the Go side
merges repeats and maps them to diagnostics. The program's own reporting
(the traceback printed to stderr, the log record) happens as before.
"""

import logging
import sys
import threading
import traceback

from .tracebacks import describe_exception

# The attribute that marks an exception as reported.
REPORTED = "__hotload_reported__"


class FailureHooks:
    """Installs the hooks that report failures through send(event).

    install() and uninstall() may be called from any thread; uninstall
    puts back what it replaced unless someone replaced it again since.
    """

    def __init__(self, send):
        self.send = send
        self._local = threading.local()  # .reporting: a report is being made on this thread
        self._excepthook = None
        self._factory = None
        self._print_exception = None
        self._installed = False

    def install(self):
        if self._installed:
            return
        self._installed = True
        if hasattr(threading, "excepthook"):  # Python 3.8+
            self._excepthook = threading.excepthook
            threading.excepthook = self.thread_excepthook
        self._factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self.record_factory)
        self._print_exception = traceback.print_exception
        traceback.print_exception = self.print_exception

    def uninstall(self):
        if not self._installed:
            return
        self._installed = False
        if self._excepthook is not None and threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._excepthook
        if logging.getLogRecordFactory() == self.record_factory:
            logging.setLogRecordFactory(self._factory)
        if traceback.print_exception == self.print_exception:
            traceback.print_exception = self._print_exception

    def thread_excepthook(self, args):
        if args.exc_value is not None and args.exc_type is not SystemExit:
            name = args.thread.name if args.thread is not None else "a thread"
            self.report("thread", name, args.exc_value)
        self._excepthook(args)

    def record_factory(self, *args, **kwargs):
        record = self._factory(*args, **kwargs)
        try:
            exc_info = record.exc_info
            if exc_info and record.levelno >= logging.ERROR and isinstance(exc_info, tuple) and exc_info[1] is not None:
                self.report("log", record.name, exc_info[1], text=record.getMessage())
        except Exception:  # a record whose message does not format is the program's to report
            pass
        return record

    def print_exception(self, *args, **kwargs):
        exc = kwargs.get("value", args[1] if len(args) > 1 else args[0] if args else None)
        if isinstance(exc, BaseException) and not isinstance(exc, (SystemExit, KeyboardInterrupt)):
            self.report("printed", caller_module(), exc)
        return self._print_exception(*args, **kwargs)

    def report(self, origin, where, exc, text=None):
        """Sends one failure; never raises, and never reports from inside a
        report, nor an exception reported already."""
        if getattr(self._local, "reporting", False):
            return
        # Marked on the exception itself: exceptions take no weak
        # references, ids are reused, and holding on to them would keep
        # their frames alive.
        try:
            if getattr(exc, REPORTED, False):
                return
            setattr(exc, REPORTED, True)
        except Exception:  # an exception that takes no attributes: reported each time
            pass
        self._local.reporting = True
        try:
            event = {"id": None, "event": "failure", "origin": origin, "where": where, "error": describe_exception(exc)}
            if text:
                event["text"] = text
            self.send(event)
        except Exception:  # the channel is gone, or the exception cannot be described
            pass
        finally:
            self._local.reporting = False


def caller_module():
    """The module that called into the traceback module's printing."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") in ("traceback", __name__):
        frame = frame.f_back
    return frame.f_globals.get("__name__", "?") if frame is not None else "?"
