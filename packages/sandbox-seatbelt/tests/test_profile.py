import itertools
import re

import pytest

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_seatbelt import SANDBOX_EXEC, build_profile, seatbelt_command, seatbelt_env

WS = "/Users/dev/project (copy)"


def make(read: str, write: str, network: str, denied: bool) -> ResolvedSandboxPolicy:
    writable = {
        "none": [],
        "workspace": [
            {"root": WS, "read_only_subpaths": [f"{WS}/.git", f"{WS}/.codex", f"{WS}/.agents", f"{WS}/.aws"]},
            {"root": "/tmp/x", "read_only_subpaths": ["/tmp/x/.git"]},
        ],
        "full": [{"root": "/", "read_only_subpaths": []}],
    }[write]
    return {
        "kind": "restricted",
        "full_read": read == "full",
        "readable_roots": [] if read == "full" else ["/usr", WS],
        "writable_roots": writable,
        "denied_paths": [f"{WS}/secrets"] if denied else [],
        "network": network,  # type: ignore[typeddict-item]
    }


MATRIX = list(
    itertools.product(["full", "roots"], ["none", "workspace", "full"], ["off", "on", "proxied"], [False, True])
)


def balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r'#"(?:[^"\\]|\\.)*"|"(?:[^"\\]|\\.)*"', "", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize(("read", "write", "network", "denied"), MATRIX)
def test_matrix_clauses(read: str, write: str, network: str, denied: bool) -> None:
    policy = make(read, write, network, denied)
    profile = build_profile(policy, proxy_ports=[3128])
    text = profile.text
    assert text.startswith("(version 1)\n(deny default)\n") and balanced(text)
    referenced = set(re.findall(r'\(param "([A-Z0-9_]+)"\)', text))
    assert referenced == set(profile.params)  # every parameter defined and used
    assert WS not in text.replace(re.escape(WS), "")  # raw paths only as parameters (or escaped in regexes)
    assert ("(allow file-read*)\n" in text) == (read == "full")
    if read == "roots":
        assert '(subpath (param "READABLE_ROOT_0"))' in text and profile.params["READABLE_ROOT_1"] == WS
    assert ('(allow file-write* (regex #"^/"))' in text) == (write == "full")
    if write == "workspace":
        assert profile.params["WRITABLE_ROOT_0"] == WS
        assert '(require-not (subpath (param "WRITABLE_ROOT_0_RO_0")))' in text
        assert profile.params["WRITABLE_ROOT_0_RO_0"] == f"{WS}/.git"
        assert r'(require-not (regex #"^\/Users\/dev\/project \(copy\)\/\.codex(/.*)?$"))' in text
    if write == "none":
        assert "file-write*" not in text.split("(allow user-preference-read)")[1].replace(
            "(deny file-read* file-write*", ""
        )
    assert ('(deny file-read* file-write* (subpath (param "DENIED_0")))' in text) == denied
    assert ("(allow network-outbound)\n" in text) == (network == "on")
    assert ('(remote ip "localhost:3128")' in text) == (network == "proxied")


def test_proxied_without_port_fails_closed() -> None:
    text = build_profile(make("full", "none", "proxied", False)).text
    assert "network-outbound" not in text and "network-inbound" not in text


def test_command_and_env() -> None:
    policy = make("full", "workspace", "off", False)
    argv = seatbelt_command(["ls", "-l"], policy)
    assert argv[:2] == [SANDBOX_EXEC, "-p"] and argv[-3:] == ["--", "ls", "-l"]
    assert f"-DWRITABLE_ROOT_0={WS}" in argv
    env = seatbelt_env({"A": "1"}, policy)
    assert env == {"A": "1", "CODEX_SANDBOX": "seatbelt", "CODEX_SANDBOX_NETWORK_DISABLED": "1"}
    unrestricted: ResolvedSandboxPolicy = {**policy, "kind": "unrestricted"}
    assert seatbelt_command(["ls"], unrestricted) == ["ls"]
