"""Each credential store, against the real file system and a real keyring backend."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from pycodex_keyring_store import (
    KEYRING_SERVICE,
    AutoStore,
    CredentialStoreError,
    EphemeralStore,
    FileStore,
    KeyringStore,
    keyring_account,
    open_store,
)
from pycodex_test_support import BrokenKeyring, file_keyring

DOC = {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-canary-0123456789"}


@pytest.fixture
def backend(tmp_path: Path) -> Any:
    return file_keyring(tmp_path / "keyring" / "keyring_pass.cfg")


def test_file_store_writes_codex_format_atomically_with_0600(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    assert store.load() is None
    store.save(DOC)
    path = tmp_path / "auth.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == json.dumps(DOC, indent=2)
    assert store.load() == DOC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["auth.json"]  # no temporary left behind
    assert store.delete() and not store.delete()


def test_file_store_refuses_bad_files_with_the_path_and_no_content(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    path.write_text('{"OPENAI_API_KEY": "sk-canary-0123456789", ', encoding="utf-8")
    with pytest.raises(CredentialStoreError) as info:
        FileStore(tmp_path).load()
    assert str(path) in str(info.value) and "sk-canary" not in str(info.value)
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CredentialStoreError, match="JSON object"):
        FileStore(tmp_path).load()
    path.unlink()
    os.mkfifo(path)  # would block a plain open()
    with pytest.raises(CredentialStoreError, match="not a regular file"):
        FileStore(tmp_path).load()
    path.unlink()
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(CredentialStoreError):
        FileStore(tmp_path).load()


def test_file_store_reports_an_unwritable_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("a file, not a directory", encoding="utf-8")
    with pytest.raises(CredentialStoreError, match="cannot write"):
        FileStore(home).save(DOC)


def test_keyring_account_matches_codex(tmp_path: Path) -> None:
    expected = "cli|" + hashlib.sha256(str(tmp_path.resolve()).encode()).hexdigest()[:16]
    assert keyring_account(tmp_path) == expected
    assert keyring_account(tmp_path / "." / "") == expected


def test_keyring_store_round_trip_on_a_real_backend(tmp_path: Path, backend: Any) -> None:
    store = KeyringStore(tmp_path, backend=backend)
    assert store.load() is None
    store.save(DOC)
    assert json.loads(backend.get_password(KEYRING_SERVICE, keyring_account(tmp_path)) or "") == DOC
    assert store.load() == DOC
    assert not (tmp_path / "auth.json").exists()
    assert store.delete() and store.load() is None and not store.delete()


def test_keyring_failure_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    store = KeyringStore(tmp_path, backend=BrokenKeyring())
    with pytest.raises(CredentialStoreError, match="OS keyring"):
        store.save(DOC)
    assert not (tmp_path / "auth.json").exists()


def test_auto_falls_back_to_the_file_only_with_a_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    store = AutoStore(tmp_path, on_warning=warnings.append, keyring_backend=BrokenKeyring())
    store.save(DOC)
    assert len(warnings) == 1 and str(tmp_path / "auth.json") in warnings[0]
    assert "sk-canary" not in warnings[0]
    assert store.description == str(tmp_path / "auth.json")
    assert FileStore(tmp_path).load() == DOC
    assert store.load() == DOC
    assert len(warnings) == 2  # every use of the file is said


def test_auto_prefers_the_keyring_and_removes_a_stale_file(tmp_path: Path, backend: Any) -> None:
    FileStore(tmp_path).save({"OPENAI_API_KEY": "sk-old"})
    warnings: list[str] = []
    store = AutoStore(tmp_path, on_warning=warnings.append, keyring_backend=backend)
    assert store.load() == {"OPENAI_API_KEY": "sk-old"}  # an existing file still logs you in
    store.save(DOC)
    assert not (tmp_path / "auth.json").exists()
    assert store.load() == DOC and warnings == []
    assert store.delete() and store.load() is None


def test_open_store_modes(tmp_path: Path) -> None:
    assert isinstance(open_store(None, tmp_path), FileStore)
    assert isinstance(open_store("file", tmp_path), FileStore)
    assert isinstance(open_store("keyring", tmp_path), KeyringStore)
    assert isinstance(open_store("auto", tmp_path, on_warning=print), AutoStore)
    ephemeral = open_store("ephemeral", tmp_path)
    assert isinstance(ephemeral, EphemeralStore)
    ephemeral.save(DOC)
    assert ephemeral.load() == DOC and not list(tmp_path.iterdir())
    with pytest.raises(CredentialStoreError, match="expected one of file, keyring, auto, ephemeral"):
        open_store("vault", tmp_path)


def test_keyring_without_backend_is_reported(tmp_path: Path, monkeypatch: Any) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(CredentialStoreError, match="no keyring backend"):
        KeyringStore(tmp_path).load()
