"""`ConfigEditor`: change config.toml in place, keeping comments and layout (tomlkit)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pycodex_config._overrides import parse_cli_override
from pycodex_config.errors import ConfigError

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

logger = logging.getLogger(__name__)

__all__ = ["ConfigEditor"]


def _key_path(key: str | Sequence[str]) -> list[str]:
    if isinstance(key, str):
        path, _ = parse_cli_override(f"{key}=0")
        return path
    return list(key)


class ConfigEditor:
    """Edit a TOML file without losing comments, ordering or formatting.

    Example:
        ```python
        editor = ConfigEditor(codex_home / "config.toml")
        editor.set('projects."/home/u/work".trust_level', "trusted")
        editor.save()
        ```

    Args:
        path: the file to edit; it need not exist yet.

    Raises:
        ConfigError: the existing file is not valid TOML.
    """

    def __init__(self, path: Path) -> None:
        import tomlkit
        from tomlkit.exceptions import ParseError

        self.path = Path(path)
        """The file being edited."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        try:
            self._doc: TOMLDocument = tomlkit.parse(text)
        except ParseError as exc:
            raise ConfigError(f"{self.path}:{exc.line}:{exc.col}: {exc}", path=self.path, line=exc.line) from None

    def get(self, key: str | Sequence[str]) -> object:
        """Return the plain value at a dotted key (`None` if absent)."""
        node: Any = self._doc
        for part in _key_path(key):
            if not hasattr(node, "get"):
                return None
            node = node.get(part)
            if node is None:
                return None
        return node.unwrap() if hasattr(node, "unwrap") else node

    def set(self, key: str | Sequence[str], value: object) -> None:
        """Set a value, creating parent tables (`a.b.c` or a list of segments).

        A non-table value in the way of the path is replaced by a table.
        """
        import tomlkit

        path = _key_path(key)
        node: Any = self._doc
        for index, part in enumerate(path[:-1]):
            child = node.get(part)
            if not hasattr(child, "get"):
                # Only the last table gets a `[header]`; parents stay implicit.
                leaf_table = index == len(path) - 2
                child = tomlkit.table(is_super_table=not leaf_table)
                if part in node:
                    del node[part]
                node[part] = child
                child = node[part]
            node = child
        node[path[-1]] = value

    def remove(self, key: str | Sequence[str]) -> bool:
        """Delete a key or table; returns whether it existed."""
        path = _key_path(key)
        node: Any = self._doc
        for part in path[:-1]:
            node = node.get(part) if hasattr(node, "get") else None
            if node is None:
                return False
        if not hasattr(node, "get") or path[-1] not in node:
            return False
        del node[path[-1]]
        return True

    def to_string(self) -> str:
        """The document as it would be saved."""
        return self._doc.as_string()

    def save(self) -> None:
        """Write atomically (temporary file + rename). New files get mode 0600."""
        import tempfile

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = self.path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o600
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(self.to_string())
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, mode)
            os.replace(tmp_name, self.path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        logger.debug("wrote %s", self.path)
