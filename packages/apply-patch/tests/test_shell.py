from __future__ import annotations

import pytest

from pycodex_apply_patch import (
    AddFile,
    ImplicitInvocationError,
    InvalidPatchError,
    ShellPatch,
    extract_patch_from_shell,
    parse_invocation,
)

PATCH = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch"


def test_direct_invocation() -> None:
    found = extract_patch_from_shell(["apply_patch", PATCH])
    assert found == PATCH
    assert isinstance(found, ShellPatch)
    assert found.workdir is None
    assert extract_patch_from_shell(["applypatch", PATCH]) == PATCH


@pytest.mark.parametrize(
    ("argv", "workdir"),
    [
        (["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"], None),
        (["bash", "-c", f"apply_patch <<EOF\n{PATCH}\nEOF"], None),
        (["/bin/sh", "-c", f'applypatch << "PATCH"\n{PATCH}\nPATCH\n'], None),
        (["zsh", "-lc", f"apply_patch<<EOF\n{PATCH}\n\n\nEOF\n  \n"], None),
        (["bash", "-lc", f"cd src && apply_patch <<'EOF'\n{PATCH}\nEOF\n"], "src"),
        (["bash", "-lc", f"cd 'my dir' && apply_patch <<'EOF'\n{PATCH}\nEOF\n"], "my dir"),
        (["bash", "-lc", f"cd \"a b\" && apply_patch <<'EOF'\n{PATCH}\nEOF\n"], "a b"),
        (["pwsh", "-NoProfile", "-Command", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"], None),
        (["powershell.exe", "-command", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"], None),
        (["cmd", "/c", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"], None),
        (["bash", "-lc", f"apply_patch <<-'EOF'\n\t{PATCH.replace(chr(10), chr(10) + chr(9))}\n\tEOF\n"], None),
    ],
)
def test_heredoc_forms(argv: list[str], workdir: str | None) -> None:
    found = extract_patch_from_shell(argv)
    assert found is not None
    assert found.text == PATCH
    assert found.workdir == workdir


@pytest.mark.parametrize(
    "argv",
    [
        ["bash", "-lc", f"echo hi; apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"apply_patch <<'EOF' && echo done\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\nEOF\necho done\n"],
        ["bash", "-lc", f"cd a || apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"cd $HOME && apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"cd \"$HOME\" && apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"cd a b && apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"apply_patch foo <<'EOF'\n{PATCH}\nEOF\n"],
        ["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\n"],
        ["bash", "-lc", f"apply_patch <<< '{PATCH}'"],
        ["bash", "-x", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["fish", "-c", f"apply_patch <<'EOF'\n{PATCH}\nEOF\n"],
        ["ls", "-la"],
        ["apply_patch"],
        ["apply_patch", PATCH, "extra"],
        ["python", PATCH],
    ],
)
def test_not_apply_patch(argv: list[str]) -> None:
    assert extract_patch_from_shell(argv) is None


def test_parse_invocation() -> None:
    found = parse_invocation(["bash", "-lc", f"cd sub && apply_patch <<'EOF'\n{PATCH}\nEOF\n"])
    assert found is not None
    assert found.patch.hunks == (AddFile("a.txt", "x\n"),)
    assert found.workdir == "sub"
    assert parse_invocation(["ls"]) is None


def test_direct_invocation_with_heredoc_wrapper_parses() -> None:
    found = parse_invocation(["apply_patch", f"<<'EOF'\n{PATCH}\nEOF\n"])
    assert found is not None
    assert found.patch.hunks == (AddFile("a.txt", "x\n"),)


@pytest.mark.parametrize("argv", [[PATCH], ["bash", "-lc", PATCH]])
def test_implicit_invocation(argv: list[str]) -> None:
    with pytest.raises(ImplicitInvocationError) as info:
        parse_invocation(argv)
    assert str(info.value) == 'patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]'


def test_invalid_patch_in_invocation() -> None:
    with pytest.raises(InvalidPatchError):
        parse_invocation(["apply_patch", "nope"])
