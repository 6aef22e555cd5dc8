"""What the zygote keeps of a worker's stderr for its exit event."""

import pytest

from _hotload_agent.zygote import STDERR_TAIL_BYTES, STDERR_TAIL_LINES, keep_end, last_lines


def numbered(start, stop):
    return b"".join(b"line %d\n" % i for i in range(start, stop))


@pytest.mark.parametrize("chunks, want", [
    ([], ""),
    ([b"Fatal Python error: Segmentation fault\n"], "Fatal Python error: Segmentation fault\n"),
    # A line written in parts, and a last line without its newline.
    ([b"Fatal Python ", b"error: Abort", b"ed\n\nCurrent thread"], "Fatal Python error: Aborted\n\nCurrent thread"),
    # Only the last lines, the partial one after them included.
    ([numbered(0, 100)], numbered(100 - STDERR_TAIL_LINES, 100).decode()),
    ([numbered(0, 100) + b"cut"], (numbered(100 - STDERR_TAIL_LINES, 100) + b"cut").decode()),
    # Bytes that are not UTF-8 come out replaced, not as an error.
    ([b"caf\xe9\n"], "caf\ufffd\n"),
])
def test_last_lines(chunks, want):
    tail = bytearray()
    for chunk in chunks:
        keep_end(tail, chunk)
    assert last_lines(tail) == want


def test_keep_end_is_bounded_and_starts_at_a_line():
    tail = bytearray()
    for _ in range(1000):
        keep_end(tail, b"x" * 100 + b"\n")
    assert len(tail) <= STDERR_TAIL_BYTES
    assert tail.startswith(b"x" * 100 + b"\n")


def test_keep_end_keeps_the_end_of_a_line_longer_than_it_keeps():
    tail = bytearray()
    keep_end(tail, b"start\n")
    keep_end(tail, b"y" * (3 * STDERR_TAIL_BYTES) + b"end")
    assert len(tail) == STDERR_TAIL_BYTES
    assert tail.endswith(b"yend")


def _foreign_datagram():
    import socket
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    b.send(b"someone else's\n")
    return a, b


def _the_handoff():
    import socket
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    b.send(b"0123456789abcdef\n")
    return a, b


def _a_pipe():
    import os
    r, w = os.pipe()
    os.write(w, b"0123456789abcdef\n")
    return r, w


@pytest.mark.parametrize("make, ours", [
    (_the_handoff, True),
    (_foreign_datagram, False),
    # Not a socket at all, though it holds the token's bytes.
    (_a_pipe, False),
])
def test_open_handoff_takes_only_the_servers_socket(monkeypatch, make, ours):
    """fd 3 is the server's handoff only if its first datagram is the
    token; anything else (a Python behind ssh has an fd 3 of its own) is
    left as it was, its data unread."""
    import os
    import socket

    from _hotload_agent import zygote

    mine, other = make()
    fd = mine if isinstance(mine, int) else mine.fileno()
    monkeypatch.setattr(zygote, "HANDOFF_FD", fd)
    sock = zygote.open_handoff("0123456789abcdef")
    try:
        assert (sock is not None) == ours
        if ours:
            assert not sock.get_inheritable()
            with pytest.raises(BlockingIOError):
                sock.recv(64, socket.MSG_DONTWAIT)  # the token was taken
        elif isinstance(mine, int):
            assert os.read(mine, 64) == b"0123456789abcdef\n"
        else:
            assert mine.recv(64) == b"someone else's\n"
    finally:
        if sock is not None:
            sock.detach()
        for end in (mine, other):
            if isinstance(end, int):
                os.close(end)
            else:
                end.close()
