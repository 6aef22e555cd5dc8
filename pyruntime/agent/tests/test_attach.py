"""Attaching: what a client connecting to an app's socket can rely on."""

import os

from _hotload_agent import attach


# Regression: the token file was created empty and then written, and the
# server, connecting as soon as the file appeared, sent an empty token and
# was refused ("wrong token"), on loaded machines.
def test_the_token_file_appears_with_the_whole_token(tmp_path, monkeypatch):
    server = attach.AttachServer(str(tmp_path / "app.sock"))
    seen_while_writing = []
    real_fdopen = os.fdopen

    class Watched:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

        def write(self, text):
            seen_while_writing.append(os.path.exists(server.token_path))
            return self.f.write(text)

    monkeypatch.setattr(attach.os, "fdopen", lambda fd, *a, **k: Watched(real_fdopen(fd, *a, **k)))
    monkeypatch.setattr(attach, "log_stderr", lambda text: None)
    try:
        server.listen()
        assert seen_while_writing == [False]
        with open(server.token_path) as f:
            assert f.read() == server.token
        assert os.stat(server.token_path).st_mode & 0o777 == 0o600
        assert sorted(os.listdir(tmp_path)) == ["app.sock", "app.sock.token"]
    finally:
        if server.listener is not None:
            server.listener.close()
        server.remove()
