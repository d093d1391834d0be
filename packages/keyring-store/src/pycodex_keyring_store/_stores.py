"""The credential stores: `auth.json`, the OS keyring, both with a visible fallback, and memory."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

__all__ = [
    "AUTH_FILE",
    "AutoStore",
    "CredentialStore",
    "CredentialStoreError",
    "EphemeralStore",
    "FileStore",
    "KEYRING_SERVICE",
    "KeyringStore",
    "StoreMode",
    "keyring_account",
    "open_store",
]

logger = logging.getLogger(__name__)

AUTH_FILE = "auth.json"
KEYRING_SERVICE = "Codex Auth"
MAX_DOCUMENT_BYTES = 1024 * 1024
"""A credential document larger than this is refused (a real one is a few kilobytes)."""

StoreMode = Literal["file", "keyring", "auto", "ephemeral"]


class CredentialStoreError(Exception):
    """A store could not be read or written; the message names where, never what."""


class CredentialStore(Protocol):
    """One JSON object of credentials for one `CODEX_HOME`."""

    @property
    def description(self) -> str:
        """Where the credentials live, for messages (`/home/u/.codex/auth.json`, `the OS keyring`)."""
        ...

    def load(self) -> dict[str, Any] | None:
        """The stored document, or `None` when nothing is stored.

        Raises:
            CredentialStoreError: The store exists but cannot be read or is not a JSON object.
        """
        ...

    def save(self, document: dict[str, Any]) -> None:
        """Replace the stored document.

        Raises:
            CredentialStoreError: It could not be written.
        """
        ...

    def delete(self) -> bool:
        """Remove the stored document; `True` when there was one.

        Raises:
            CredentialStoreError: It exists but could not be removed.
        """
        ...


def _parse(raw: bytes | str, where: str) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise CredentialStoreError(f"{where} is not valid JSON: {type(exc).__name__}") from None
    if not isinstance(document, dict):
        raise CredentialStoreError(f"{where} does not hold a JSON object")
    return document


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


class FileStore:
    """`$CODEX_HOME/auth.json` (or another file there), as Codex writes it: JSON, 0600, replaced atomically."""

    def __init__(self, codex_home: Path, *, file_name: str = AUTH_FILE) -> None:
        self.path = Path(codex_home) / file_name

    @property
    def description(self) -> str:
        """The file's path."""
        return str(self.path)

    def load(self) -> dict[str, Any] | None:
        """Read the file; `None` when it does not exist."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialStoreError(f"cannot read {self.path}: {exc.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise CredentialStoreError(f"{self.path} is not a regular file")
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise CredentialStoreError(f"{self.path} is larger than {MAX_DOCUMENT_BYTES} bytes")
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as exc:
            raise CredentialStoreError(f"cannot read {self.path}: {exc.strerror}") from None
        return _parse(raw, str(self.path))

    def save(self, document: dict[str, Any]) -> None:
        """Write the file through a 0600 temporary file in the same directory, then rename it."""
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.stem.lstrip('.')}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise CredentialStoreError(f"cannot write {self.path}: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(_dump(document))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise CredentialStoreError(f"cannot write {self.path}: {exc.strerror}") from None

    def delete(self) -> bool:
        """Remove the file."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise CredentialStoreError(f"cannot remove {self.path}: {exc.strerror}") from None
        return True


def keyring_account(codex_home: Path) -> str:
    """The keyring account for a `CODEX_HOME`: `cli|` and 16 hex digits of its canonical path's sha256."""
    try:
        canonical = Path(codex_home).resolve()
    except OSError:
        canonical = Path(os.path.abspath(codex_home))
    digest = hashlib.sha256(str(canonical).encode("utf-8", "surrogateescape")).hexdigest()
    return f"cli|{digest[:16]}"


class KeyringStore:
    """The OS keyring (through `keyring`): one entry, by default `Codex Auth` / `keyring_account(codex_home)`.

    `service` and `account` name another entry (MCP servers' logins are kept one per server).
    """

    def __init__(
        self, codex_home: Path, *, backend: Any = None, service: str = KEYRING_SERVICE, account: str | None = None
    ) -> None:
        self.account = account if account is not None else keyring_account(codex_home)
        self.service = service
        self._backend = backend

    @property
    def description(self) -> str:
        """Says which keyring."""
        return "the OS keyring"

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        try:
            import keyring
            from keyring.backends import fail
        except ImportError as exc:
            raise CredentialStoreError(f"the OS keyring is not available: {exc}") from None
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            raise CredentialStoreError("the OS keyring is not available: no keyring backend is installed")
        return backend

    def _call(self, action: str, call: Callable[[Any], Any]) -> Any:
        backend = self._keyring()
        try:
            return call(backend)
        except CredentialStoreError:
            raise
        except Exception as exc:  # keyring backends raise anything from D-Bus, OS or crypto errors
            raise CredentialStoreError(f"cannot {action} the OS keyring: {type(exc).__name__}") from None

    def load(self) -> dict[str, Any] | None:
        """Read the entry; `None` when there is none."""
        value = self._call("read", lambda b: b.get_password(self.service, self.account))
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > MAX_DOCUMENT_BYTES:
            raise CredentialStoreError("the OS keyring entry is not a credential document")
        return _parse(value, "the OS keyring entry")

    def save(self, document: dict[str, Any]) -> None:
        """Write the entry."""
        payload = _dump(document)
        self._call("write", lambda b: b.set_password(self.service, self.account, payload))

    def delete(self) -> bool:
        """Remove the entry."""
        if self.load() is None:
            return False
        self._call("write", lambda b: b.delete_password(self.service, self.account))
        return True


class AutoStore:
    """The keyring when it works, else `auth.json`, and a warning whenever the file is used instead."""

    def __init__(self, codex_home: Path, *, on_warning: Callable[[str], None], keyring_backend: Any = None) -> None:
        self.keyring = KeyringStore(codex_home, backend=keyring_backend)
        self.file = FileStore(codex_home)
        self.on_warning = on_warning
        self.used: CredentialStore = self.keyring

    @property
    def description(self) -> str:
        """Where the last operation went."""
        return self.used.description

    def _fallback(self, exc: CredentialStoreError) -> FileStore:
        self.on_warning(f"{exc}; using {self.file.path} instead (plain text, readable only by you)")
        self.used = self.file
        return self.file

    def load(self) -> dict[str, Any] | None:
        """The keyring's entry; the file's when the keyring is unavailable or empty."""
        try:
            document = self.keyring.load()
        except CredentialStoreError as exc:
            return self._fallback(exc).load()
        if document is None:
            document = self.file.load()
            self.used = self.file if document is not None else self.keyring
        return document

    def save(self, document: dict[str, Any]) -> None:
        """Write to the keyring (and remove a stale file); the file only with a warning."""
        try:
            self.keyring.save(document)
        except CredentialStoreError as exc:
            self._fallback(exc).save(document)
            return
        self.used = self.keyring
        self.file.delete()

    def delete(self) -> bool:
        """Remove the credentials from both places."""
        removed = False
        try:
            removed = self.keyring.delete()
        except CredentialStoreError as exc:
            self.on_warning(str(exc))
        return self.file.delete() or removed


class EphemeralStore:
    """Credentials held in memory for this process only."""

    def __init__(self) -> None:
        self._document: dict[str, Any] | None = None

    @property
    def description(self) -> str:
        """Says so."""
        return "memory (not saved)"

    def load(self) -> dict[str, Any] | None:
        """The document saved in this process."""
        return None if self._document is None else dict(self._document)

    def save(self, document: dict[str, Any]) -> None:
        """Keep a copy."""
        self._document = dict(document)

    def delete(self) -> bool:
        """Forget it."""
        had, self._document = self._document is not None, None
        return had


def open_store(
    mode: str | None,
    codex_home: Path,
    *,
    on_warning: Callable[[str], None] | None = None,
    keyring_backend: Any = None,
) -> CredentialStore:
    """The store `cli_auth_credentials_store = mode` asks for (`None` means `file`).

    Raises:
        CredentialStoreError: `mode` is not one of file, keyring, auto, ephemeral.
    """
    if mode in (None, "file"):
        return FileStore(codex_home)
    if mode == "keyring":
        return KeyringStore(codex_home, backend=keyring_backend)
    if mode == "auto":

        def warn_default(message: str) -> None:
            logger.warning("%s", message)

        return AutoStore(codex_home, on_warning=on_warning or warn_default, keyring_backend=keyring_backend)
    if mode == "ephemeral":
        return EphemeralStore()
    raise CredentialStoreError(
        f"unknown cli_auth_credentials_store {mode!r}: expected one of file, keyring, auto, ephemeral"
    )
