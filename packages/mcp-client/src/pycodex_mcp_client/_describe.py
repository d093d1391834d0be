"""One-line reasons for the ways a server can fail to start or answer."""

from __future__ import annotations

from pycodex_config import McpServerConfig

from .errors import McpClientError, McpStartupError

__all__ = ["describe_error"]


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        out: list[BaseException] = []
        for inner in exc.exceptions:
            out += _leaves(inner)
        return out
    return [exc]


def _status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _one(exc: BaseException, config: McpServerConfig) -> str:
    if isinstance(exc, McpStartupError):
        return exc.reason
    if isinstance(exc, McpClientError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"command not found: {config.command!r}"
    if isinstance(exc, PermissionError):
        return f"cannot run {config.command!r}: permission denied"
    status = _status_of(exc)
    if status == 401:
        return f"the server needs authentication: run `codex mcp login {config.name}`"
    if status is not None:
        return f"HTTP {status} from {config.url}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "401" in text and "nauthorized" in text:
        return f"the server needs authentication: run `codex mcp login {config.name}`"
    return text[:300]


def describe_error(exc: BaseException, config: McpServerConfig, http_status: int | None = None) -> str:
    """Why `config`'s server failed, in one line, from what the transport or the SDK raised.

    `http_status` is the last HTTP error status the server answered with, if any.
    """
    if http_status == 401:
        return f"the server needs authentication: run `codex mcp login {config.name}`"
    leaves = _leaves(exc)
    for leaf in leaves:
        if isinstance(leaf, McpClientError) or _status_of(leaf) is not None:
            return _one(leaf, config)
    cause = leaves[0]
    while cause.__cause__ is not None and not str(cause):
        cause = cause.__cause__
    return _one(cause, config)
