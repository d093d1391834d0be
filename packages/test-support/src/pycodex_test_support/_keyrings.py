"""Keyring backends for tests: a real one storing in a file, and one whose every call fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["BrokenKeyring", "file_keyring"]

_DBUS_ERROR = "org.freedesktop.DBus.Error.ServiceUnknown"


def file_keyring(path: Path) -> Any:
    """`keyrings.alt`'s plain-text backend keeping its entries in `path` (the caller's test needs `keyrings.alt`)."""
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(path)  # pyright: ignore[reportAttributeAccessIssue]
    return backend


class BrokenKeyring:
    """A backend whose every call fails, as a locked or absent Secret Service does."""

    def get_password(self, service: str, account: str) -> str | None:
        raise RuntimeError(_DBUS_ERROR)

    def set_password(self, service: str, account: str, value: str) -> None:
        raise RuntimeError(_DBUS_ERROR)

    def delete_password(self, service: str, account: str) -> None:
        raise RuntimeError(_DBUS_ERROR)
