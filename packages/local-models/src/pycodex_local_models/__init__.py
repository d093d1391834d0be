"""Local model providers: Ollama, LM Studio and an embedded llama.cpp server."""

__all__: list[str] = []
