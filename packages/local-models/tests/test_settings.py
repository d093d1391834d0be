"""Generation defaults and the prompt-prefix cache of the embedded server."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from pycodex_local_models import EmbeddedSettings, PrefixCache, start_llamacpp
from pycodex_local_models._serve import _build_params, _parse_args


def test_server_args_carry_every_setting() -> None:
    args = EmbeddedSettings(max_tokens=128, temperature=0.25, dry_multiplier=0.5).server_args()
    assert args == ["--max-tokens", "128", "--temperature", "0.25", "--dry-multiplier", "0.5"]
    assert EmbeddedSettings(max_tokens=None).server_args()[:2] == ["--max-tokens", "-1"]


def test_serve_applies_settings_to_llamacpp_params(tmp_path: Path) -> None:
    pytest.importorskip("xllamacpp")
    argv = ["--model", "m.gguf", *EmbeddedSettings(max_tokens=64).server_args()]
    params = _build_params(_parse_args([*argv, "--slot-save-path", f"{tmp_path}/"]))
    assert params.n_predict == 64
    assert params.sampling.temp == 0.0
    assert params.sampling.dry_multiplier == pytest.approx(0.8)
    assert params.slot_save_path == f"{tmp_path}/"
    assert params.endpoint_slots is True


def test_cache_key_changes_with_model_template_and_context(tmp_path: Path) -> None:
    model, template = tmp_path / "m.gguf", tmp_path / "t.jinja"
    model.write_bytes(b"weights")
    template.write_text("{{ x }}", encoding="utf-8")
    key = PrefixCache.for_model(tmp_path, model, template, 8192).key
    assert key == PrefixCache.for_model(tmp_path, model, template, 8192).key
    assert key != PrefixCache.for_model(tmp_path, model, template, 4096).key
    template.write_text("{{ y }}!", encoding="utf-8")
    assert key != PrefixCache.for_model(tmp_path, model, template, 8192).key


def _slots(fake_server: Any, saved: int, restored: int, directory: Path) -> Any:
    def save(body: Any) -> tuple[int, Any]:
        # llama.cpp writes the file it was asked to; do the same.
        (directory / body["filename"]).write_bytes(b"kv" * 10)
        return 200, {"id_slot": 0, "filename": body["filename"], "n_saved": saved}

    return fake_server(
        {
            ("POST", "/slots/0?action=save"): save,
            ("POST", "/slots/0?action=restore"): (200, {"id_slot": 0, "n_restored": restored}),
        }
    )


def test_save_replaces_the_entry_atomically_and_restore_reports_tokens(fake_server: Any, tmp_path: Path) -> None:
    cache = PrefixCache(tmp_path / "cache", "prefix-x.bin")
    assert cache.prepare_directory()
    fake = _slots(fake_server, saved=900, restored=900, directory=cache.directory)
    assert cache.restore(fake.base) == 0  # nothing saved yet: no request at all
    assert fake.requests == []
    assert cache.save(fake.base)
    assert cache.path.read_bytes() == b"kv" * 10
    assert [p.name for p in cache.directory.iterdir()] == ["prefix-x.bin"]
    assert os.stat(cache.path).st_mode & 0o777 == 0o600
    assert cache.restore(fake.base) == 900
    assert fake.requests[-1] == ("POST", "/slots/0?action=restore", {"filename": "prefix-x.bin"})


def test_failed_save_leaves_no_temp_file_and_failed_restore_discards(fake_server: Any, tmp_path: Path) -> None:
    cache = PrefixCache(tmp_path, "prefix-y.bin")
    fake = _slots(fake_server, saved=0, restored=0, directory=tmp_path)
    assert not cache.save(fake.base)
    assert list(tmp_path.iterdir()) == []
    cache.path.write_bytes(b"stale")
    refusing = fake_server({("POST", "/slots/0?action=restore"): (400, {"error": "bad file"})})
    assert cache.restore(refusing.base) == 0
    assert not cache.path.exists()


def test_cache_never_follows_special_files(fake_server: Any, tmp_path: Path) -> None:
    cache = PrefixCache(tmp_path, "prefix-z.bin")
    os.symlink("/dev/zero", cache.path)
    fake = _slots(fake_server, saved=1, restored=1, directory=tmp_path)
    assert cache.restore(fake.base) == 0
    assert fake.requests == []
    assert not cache.path.is_symlink()


def test_unreachable_server_is_not_an_error(tmp_path: Path, closed_port_url: str) -> None:
    cache = PrefixCache(tmp_path, "prefix-q.bin")
    cache.path.write_bytes(b"kv")
    assert cache.restore(closed_port_url) == 0
    assert not cache.save(closed_port_url)


def _chat(base_url: str, system: str, user: str) -> dict[str, Any]:
    body = {"model": "smollm2", "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
    request = urllib.request.Request(
        f"{base_url}/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # loopback only
        return json.load(response)


@pytest.mark.slow
def test_prefix_cache_survives_a_server_restart(tmp_path: Path) -> None:
    settings = EmbeddedSettings(max_tokens=8, cache_dir=tmp_path)
    system = "You are a coding agent in a terminal. " * 40
    with start_llamacpp(settings=settings) as server:
        first = _chat(server.base_url, system, "Say hi.")
        assert first["usage"]["completion_tokens"] <= 8
    with start_llamacpp(settings=settings) as server:
        assert server.cache is not None and server.cache.restored_tokens > 0
        second = _chat(server.base_url, system, "Say hello.")
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] >= first["usage"]["prompt_tokens"] - 16
