"""Streaming Responses API and Chat Completions client with Codex's retries."""

__all__: list[str] = []
