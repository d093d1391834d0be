from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pycodex_model_client import MissingEnvKey
from pycodex_model_client._auth import resolve_auth_header


def test_env_key(h: Any) -> None:
    assert resolve_auth_header(h.provider(env_key="K"), None, {"K": "v"}) == "Bearer v"


@pytest.mark.parametrize("env", [{}, {"K": ""}, {"K": "  "}])
def test_env_key_missing(h: Any, env: dict[str, str]) -> None:
    with pytest.raises(MissingEnvKey) as info:
        resolve_auth_header(h.provider(env_key="K"), None, env)
    assert str(info.value) == "Missing environment variable: `K`."
    assert info.value.var == "K"


def test_instructions_appended(h: Any) -> None:
    with pytest.raises(MissingEnvKey, match=r"`K`\. Get one at example"):
        resolve_auth_header(h.provider(env_key="K", env_key_instructions="Get one at example."), None, {})


def test_no_env_key_no_header(h: Any) -> None:
    assert resolve_auth_header(h.provider(), None, {"OPENAI_API_KEY": "x"}) is None


def test_bearer_token_first(h: Any) -> None:
    assert resolve_auth_header(h.provider(env_key="K", experimental_bearer_token="t"), None, {}) == "Bearer t"


def test_openai_precedence(h: Any, tmp_path: Path) -> None:
    p = h.provider(requires_openai_auth=True)
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "from-file"}), encoding="utf-8")
    env = {"CODEX_API_KEY": "codex", "OPENAI_API_KEY": "openai"}
    assert resolve_auth_header(p, tmp_path, env) == "Bearer codex"
    assert resolve_auth_header(p, tmp_path, {"OPENAI_API_KEY": "openai"}) == "Bearer openai"
    assert resolve_auth_header(p, tmp_path, {}) == "Bearer from-file"
    (tmp_path / "auth.json").write_text(
        json.dumps({"OPENAI_API_KEY": None, "tokens": {"access_token": "jwt"}}), encoding="utf-8"
    )
    assert resolve_auth_header(p, tmp_path, {}) == "Bearer jwt"


def test_openai_nothing_found(h: Any, tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text("not json", encoding="utf-8")
    with pytest.raises(MissingEnvKey, match="OPENAI_API_KEY"):
        resolve_auth_header(h.provider(requires_openai_auth=True), tmp_path, {})
