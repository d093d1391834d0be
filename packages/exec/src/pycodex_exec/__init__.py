"""`codex exec`: the headless front end, human output and --json JSONL."""

__all__: list[str] = []
