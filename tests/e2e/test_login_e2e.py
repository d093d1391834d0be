"""`codex login --device-auth` and `codex login status` end to end, against a fake issuer on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages" / "login" / "tests"))

from issuer_support import FakeIssuer, running_issuer  # pyright: ignore[reportMissingImports]


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    yield from running_issuer()


def codex(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))}
    env["CODEX_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pycodex_cli", *args],
        capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL, encoding="utf-8",
    )  # fmt: skip


def test_device_code_sign_in_from_the_command_line(tmp_path: Path, issuer: FakeIssuer) -> None:
    issuer.pending_polls = 1
    result = codex(tmp_path, "login", "--device-auth", f"--experimental_issuer={issuer.base}")
    assert result.returncode == 0, result.stderr
    assert "ABCD-1234" in result.stderr and result.stderr.rstrip().endswith("Successfully logged in")
    stored = json.loads((tmp_path / "auth.json").read_text(encoding="utf-8"))
    assert stored["auth_mode"] == "chatgpt" and stored["OPENAI_API_KEY"] == issuer.api_key
    status = codex(tmp_path, "login", "status")
    assert (status.returncode, status.stderr) == (0, "Logged in using ChatGPT (dev@example.test)\n")
    for secret in (stored["tokens"]["access_token"], stored["tokens"]["refresh_token"], issuer.api_key or "x"):
        assert secret not in result.stderr + status.stderr
    assert codex(tmp_path, "logout").stderr == "Successfully logged out\n"


def test_keyring_store_failure_in_auto_mode_is_visible(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('cli_auth_credentials_store = "auto"\n', encoding="utf-8")
    env_home = tmp_path
    result = subprocess.run(
        [sys.executable, "-m", "pycodex_cli", "login", "--with-api-key"],
        input="sk-canary-0123456789abcdef\n", capture_output=True, text=True, timeout=60, encoding="utf-8",
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))},
             "CODEX_HOME": str(env_home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "auth.json" in result.stderr
    assert "sk-canary" not in result.stderr
    assert json.loads((tmp_path / "auth.json").read_text(encoding="utf-8"))["OPENAI_API_KEY"].startswith("sk-canary")
