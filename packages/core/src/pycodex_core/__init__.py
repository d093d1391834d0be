"""The pycodex engine: sessions, turn loop, tools, rollouts."""

__all__: list[str] = []
