"""Wire and config types of pycodex (Codex 0.169 compatible JSON)."""

__all__: list[str] = []
