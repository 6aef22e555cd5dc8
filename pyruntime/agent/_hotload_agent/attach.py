"""Attaching: a running app lets hotload in over a private Unix socket."""

import contextlib
import json
import os
import socket
import sys
import threading

from .agent import Agent
from .protocol import Channel, encode

# --- attach ---------------------------------------------------------------------
#
# A long-lived app can invite hotload in: `hotload agent > hotload_agent.py`,
# then `hotload_agent.serve()` or `hotload_agent.serve_in_thread()`. It
# listens on a Unix socket only its user can use, with a random token in a
# file beside it that only its user can read; the editor's server connects,
# sends the token, and then talks to an agent as if it had started one.

# How long a connecting client has to send its token.
TOKEN_TIMEOUT = 5.0


def default_socket_path():
    """$XDG_RUNTIME_DIR/hotload/<app>-<pid>.sock, else the same under
    /tmp/hotload-<uid>; the folder is made private to the user."""
    import tempfile
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    if runtime_dir and os.path.isdir(runtime_dir):
        folder = os.path.join(runtime_dir, "hotload")
    else:
        folder = os.path.join(tempfile.gettempdir(), "hotload-%d" % os.getuid())
    os.makedirs(folder, mode=0o700, exist_ok=True)
    st = os.stat(folder)
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise PermissionError("hotload: %s must belong to you and be private (chmod 700)" % folder)
    app = os.path.splitext(os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else "python"))[0] or "python"
    return os.path.join(folder, "%s-%d.sock" % (app, os.getpid()))


class AttachServer:
    def __init__(self, path=None):
        if not hasattr(socket, "AF_UNIX"):
            # CPython on Windows has no AF_UNIX (python/cpython#77589).
            raise OSError("hotload: attaching needs a Unix socket, which Python on this system (%s) cannot open; "
                          "start the code with hotload instead" % sys.platform)
        self.path = path or default_socket_path()
        self.token_path = self.path + ".token"
        import secrets
        self.token = secrets.token_hex(32)
        self.listener = None

    def listen(self):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        umask = os.umask(0o177)  # the socket is never open to others, not even briefly
        try:
            listener.bind(self.path)
        finally:
            os.umask(umask)
        os.chmod(self.path, 0o600)
        listener.listen(1)
        # Written aside and renamed into place: a client that finds the
        # file finds the whole token, never an empty file.
        staging = self.token_path + ".new"
        for path in (self.token_path, staging):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.token)
        os.rename(staging, self.token_path)
        import atexit
        atexit.register(self.remove)
        self.listener = listener
        log_stderr("hotload: serving on %s (hotload setting: attach = %r)" % (self.path, self.path))

    def remove(self):
        for path in (self.path, self.token_path):
            with contextlib.suppress(OSError):
                os.unlink(path)

    def serve_forever(self):
        if self.listener is None:
            self.listen()
        while True:
            conn, _ = self.listener.accept()
            try:
                self.session(conn)
            except Exception as exc:
                log_stderr("hotload: session ended: %r" % (exc,))
            finally:
                conn.close()

    def session(self, conn):
        conn.settimeout(TOKEN_TIMEOUT)
        line = b""
        while b"\n" not in line and len(line) < 4096:
            chunk = conn.recv(4096)
            if not chunk:
                return
            line += chunk
        first, _, rest = line.partition(b"\n")
        try:
            token = str(json.loads(first).get("token", ""))
        except (ValueError, AttributeError):
            token = ""
        import hmac
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            log_stderr("hotload: refused a connection to %s: wrong token" % self.path)
            conn.sendall(encode({"id": None, "event": "refused", "text": "wrong token"}))
            return
        conn.settimeout(None)
        channel = Channel(os.dup(conn.fileno()), os.dup(conn.fileno()))
        channel._pending = bytearray(rest)
        agent = Agent(channel, attached=True)
        threading.Thread(target=agent.read_loop, name="hotload-reader", daemon=True).start()
        channel.send({"id": None, "event": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
        # The app's failures are reported while a session lasts.
        agent.failures.install()
        try:
            agent.serve()
        finally:
            agent.failures.uninstall()
            channel.close()


def log_stderr(text):
    with contextlib.suppress(Exception):
        sys.__stderr__.write(text + "\n")
        sys.__stderr__.flush()


def serve(path=None):
    """Lets hotload reload and evaluate code in this process; never returns.

    Call it from the thread that should run the code (usually the main
    thread, from the app's own loop). It listens on a Unix socket at path
    (default: $XDG_RUNTIME_DIR/hotload/<app>-<pid>.sock), mode 0600, and
    writes a random token to path + ".token", mode 0600; only a client that
    sends the token gets in, one at a time. Point the hotload setting
    `attach` at the socket.
    """
    AttachServer(path).serve_forever()


def serve_in_thread(path=None):
    """serve() on a daemon thread, returned started; the socket is
    listening when it returns.

    Thread safety: reloads and evaluations then run on that thread while
    the app's own threads keep running. Code being reloaded can be seen
    half-updated by a thread that calls into it at that moment, and while a
    request runs, prints from every thread go to the editor. Use it for
    apps whose threads can tolerate that (dashboards, notebooks, daemons
    that wait on I/O); for anything stricter, call serve() where the app is
    quiet, such as its main loop.
    """
    server = AttachServer(path)
    server.listen()
    thread = threading.Thread(target=server.serve_forever, name="hotload-attach", daemon=True)
    thread.start()
    return thread
