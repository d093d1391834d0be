"""Loads and edits $CODEX_HOME/config.toml as Codex 0.169 does."""

__all__: list[str] = []
