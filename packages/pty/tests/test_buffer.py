from pycodex_pty import HeadTailBuffer


def test_keeps_everything_under_cap() -> None:
    buf = HeadTailBuffer(10)
    buf.append(b"abc")
    buf.append(b"de")
    assert buf.getvalue() == b"abcde"
    assert buf.dropped == 0


def test_drops_the_middle() -> None:
    buf = HeadTailBuffer(10)
    for chunk in (b"0123", b"4567", b"89ab", b"cdef"):
        buf.append(chunk)
    assert buf.getvalue() == b"01234bcdef"
    assert buf.dropped == 6
    assert buf.total == 16
    assert buf.take() == b"01234bcdef"
    assert len(buf) == 0
