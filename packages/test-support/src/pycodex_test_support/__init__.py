"""Private test helpers: a scripted Responses / Chat Completions server on 127.0.0.1."""

__all__: list[str] = []
