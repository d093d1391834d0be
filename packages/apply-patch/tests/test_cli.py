from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from pycodex_apply_patch import main

P = "*** Begin Patch\n"
E = "*** End Patch"


class _Std(io.TextIOWrapper):
    def __init__(self, data: bytes = b"") -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")

    def value(self) -> str:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode()


def _run(monkeypatch: pytest.MonkeyPatch, cwd: Path, args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = _Std(), _Std()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", _Std(stdin))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delenv("PYCODEX_APPLY_PATCH_WRITABLE_ROOTS", raising=False)
    code = main(args)
    return code, out.value(), err.value()


def test_success(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code = _run(monkeypatch, tmp_path, [P + "*** Add File: a.txt\n+x\n" + E])
    assert code == (0, "Success. Updated the following files:\nA a.txt\n", "")


def test_stdin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code = _run(monkeypatch, tmp_path, [], (P + "*** Add File: a.txt\n+x\n" + E).encode())
    assert code == (0, "Success. Updated the following files:\nA a.txt\n", "")


def test_usage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    usage = "Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch\n"
    assert _run(monkeypatch, tmp_path, []) == (2, "", usage)
    assert _run(monkeypatch, tmp_path, ["a", "b"]) == (2, "", "Error: apply_patch accepts exactly one argument.\n")


def test_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _run(monkeypatch, tmp_path, ["x"]) == (
        1,
        "",
        "Invalid patch: The first line of the patch must be '*** Begin Patch'\n",
    )
    assert _run(monkeypatch, tmp_path, [P + E]) == (1, "", "No files were modified.\n")
    code, _, err = _run(monkeypatch, tmp_path, [P + "*** Delete File: nope\n" + E])
    assert (code, err) == (1, f"Failed to delete file {tmp_path}/nope\n")


def test_writable_roots_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    patch = P + "*** Add File: ../x.txt\n+x\n" + E
    code, _, err = _run(monkeypatch, work, [patch])
    assert code == 1
    assert "outside the writable roots" in err
    monkeypatch.setenv("PYCODEX_APPLY_PATCH_WRITABLE_ROOTS", str(tmp_path))
    monkeypatch.chdir(work)
    assert main([patch]) == 0
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "x\n"
