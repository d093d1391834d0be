"""The `codex` command."""

__all__: list[str] = []
