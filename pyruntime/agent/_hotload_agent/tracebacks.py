"""Exceptions as the structured errors the Go side maps to diagnostics."""

import contextlib
import linecache
import os
import traceback

from .source import relocate_file

# Where the agent's own code is: frames from it are hidden from users. Loaded
# by the bootstrap, its files are named "<hotload-agent>/..."; imported from
# disk (tests), they are this folder's.
AGENT_DIR = os.path.dirname(__file__)

# The longest repr sent back. A 2 GB DataFrame's repr is already abbreviated by
# pandas, but a list of a million ints is not; 64 KiB keeps the pipe and the
# editor responsive while showing far more than fits in a message.
MAX_REPR = 64 * 1024


def char_column(filename, lineno, byte_col):
    """Converts Python's UTF-8 byte column on a line into a code point column."""
    if byte_col is None or lineno is None:
        return None
    line = linecache.getline(filename, lineno)
    if not line:
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


@contextlib.contextmanager
def lines_evaluated(filename, source):
    """While it lasts, tracebacks read the lines source covers as those of
    filename: code evaluated as lines of a module's file (blank lines
    before it keep its line numbers the file's) is the editor's text,
    dedented, and may differ from the file on disk, which Python's
    columns and the traceback's source lines would otherwise be read
    from. Other lines are the file's."""
    lines = source.splitlines(True)
    pad = len(source) - len(source.lstrip("\n"))
    before = linecache.cache.get(filename)
    shown = list(linecache.getlines(filename))
    shown += [""] * (len(lines) - len(shown))
    shown[pad:len(lines)] = lines[pad:]
    linecache.cache[filename] = (len(source), None, shown, filename)
    try:
        yield
    finally:
        if before is None:
            linecache.cache.pop(filename, None)
        else:
            linecache.cache[filename] = before


def is_agent_frame(filename):
    return filename.startswith(("<hotload-agent", AGENT_DIR + os.sep, "<frozen importlib"))


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
    seen = set()
    for fs in user_frames(exc.__traceback__):
        # A recursion repeats its frames up to a thousand times, and the
        # editor would get a diagnostic for each: every line is kept once.
        if (fs.filename, fs.lineno, fs.name) in seen:
            continue
        seen.add((fs.filename, fs.lineno, fs.name))
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
        if frames:
            # Raised in the user's code: an import of the file, which
            # Python compiled from its bytes. hotload's own compiles (the
            # file of a save, evaluated code) have none, and were
            # located as they raised (see source.parse).
            relocate_file(exc)
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
