import io

import pytest

from pycodex_exec._prompt import resolve_prompt
from pycodex_exec.errors import ExecError


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_prompt_and_piped_stdin_appends_block() -> None:
    err = io.StringIO()
    assert resolve_prompt("main prompt", io.StringIO("extra ctx"), err) == "main prompt\n\n<stdin>\nextra ctx\n</stdin>"
    assert err.getvalue() == "Reading additional input from stdin...\n"


def test_prompt_with_empty_stdin_is_unchanged() -> None:
    err = io.StringIO()
    assert resolve_prompt("p", io.StringIO(""), err) == "p"
    assert err.getvalue() == "Reading additional input from stdin...\n"


def test_prompt_with_tty_stdin_reads_nothing() -> None:
    err = io.StringIO()
    assert resolve_prompt("p", _Tty("ignored"), err) == "p"
    assert err.getvalue() == ""


def test_stdin_is_the_prompt_keeping_newline() -> None:
    err = io.StringIO()
    assert resolve_prompt(None, io.StringIO("do it\n"), err) == "do it\n"
    assert resolve_prompt("-", io.StringIO("x"), err) == "x"
    assert err.getvalue() == "Reading prompt from stdin...\n" * 2


def test_no_prompt_errors() -> None:
    with pytest.raises(ExecError, match="^No prompt provided. Either specify one"):
        resolve_prompt(None, _Tty(""), io.StringIO())
    with pytest.raises(ExecError, match=r"^No prompt provided via stdin\.$"):
        resolve_prompt(None, io.StringIO("  \n"), io.StringIO())


def _bytes_stdin(data: bytes) -> io.TextIOWrapper:
    # Decoded leniently, as a C-locale interpreter would: the prompt reader must look at the bytes.
    return io.TextIOWrapper(io.BytesIO(data), encoding="ascii", errors="surrogateescape")


def test_stdin_is_read_as_utf8_whatever_the_locale() -> None:
    assert resolve_prompt(None, _bytes_stdin("café\n".encode()), io.StringIO()) == "café\n"
    assert resolve_prompt("p", _bytes_stdin("é\n".encode()), io.StringIO()) == "p\n\n<stdin>\né\n</stdin>"


@pytest.mark.parametrize("arg", [None, "main prompt"])
def test_invalid_utf8_on_stdin_is_an_error_not_dropped(arg: str | None) -> None:
    with pytest.raises(ExecError, match="not valid UTF-8"):
        resolve_prompt(arg, _bytes_stdin(b"extra caf\xe9\n"), io.StringIO())


def test_undecodable_prompt_argument_is_an_error() -> None:
    with pytest.raises(ExecError, match="prompt argument is not valid UTF-8"):
        resolve_prompt("caf\udce9", io.StringIO(""), io.StringIO())
