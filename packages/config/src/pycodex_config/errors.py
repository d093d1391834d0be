"""Exceptions raised while loading, overriding, editing or migrating configuration.

```text
Exception
└── UserError                 misconfiguration or misuse; show the message, no traceback
    └── ConfigError           anything wrong with config.toml, a profile or a -c override
        ├── ConfigOverrideError   a malformed `-c key=value`
        └── MigrationError        legacy config.json / config.yaml could not be migrated
```
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError", "ConfigOverrideError", "MigrationError", "UserError"]


class UserError(Exception):
    """An error caused by the user's input or setup rather than by a bug.

    Front ends print `str(error)` and exit with status 1, without a traceback.
    """


class ConfigError(UserError):
    """Configuration could not be loaded.

    The message names the file, the line and the dotted key when they are known, e.g.
    ``Error loading config.toml: /home/u/.codex/config.toml:3: approval_policy: expected one of ...``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        """The file the problem is in, if any (`None` for `-c` overrides)."""
        self.line = line
        """1-based line number of the offending key, if known."""
        self.key = key
        """Dotted key path of the offending value, if known."""


class ConfigOverrideError(ConfigError):
    """A `-c key=value` override could not be parsed.

    The message starts with ``Error parsing -c overrides:`` and names the key.
    """


class MigrationError(ConfigError):
    """A TypeScript-era `config.json`/`config.yaml` could not be read or converted."""
