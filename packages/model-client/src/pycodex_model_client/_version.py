"""Package version and the user agent string."""

from __future__ import annotations

import functools
import os
import platform
import sys

__all__ = ["VERSION", "default_user_agent"]

VERSION = "0.1.0"
"""The version of `pycodex-model-client`, used in the user agent."""


@functools.cache
def _os_string() -> str:
    if sys.platform.startswith("linux"):
        fields: dict[str, str] = {}
        try:
            with open("/etc/os-release", encoding="utf-8") as f:
                for line in f:
                    key, _, value = line.strip().partition("=")
                    fields[key] = value.strip('"')
        except OSError:
            pass
        if fields.get("NAME"):
            return f"{fields['NAME'].split()[0]} {fields.get('VERSION_ID', '')}".strip()
    if sys.platform == "darwin":
        return f"Mac OS {platform.mac_ver()[0]}".strip()
    return f"{platform.system()} {platform.release()}".strip()


def default_user_agent(originator: str, version: str = VERSION) -> str:
    """A Codex-style user agent: `pycodex/<ver> (<os> <os ver>; <arch>) <terminal> (<originator>; <ver>)`."""
    terminal = os.environ.get("TERM_PROGRAM") or os.environ.get("TERM") or "unknown"
    return f"pycodex/{version} ({_os_string()}; {platform.machine() or 'unknown'}) {terminal} ({originator}; {version})"
