"""Codex's apply_patch format: parse, verify, apply atomically, keep files as they were."""

__all__: list[str] = []
