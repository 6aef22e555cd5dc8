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
