"""`--oss`: get a local model provider ready before the session starts, and point the config at it."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

__all__ = ["OssError", "prepare_local_provider"]


class OssError(Exception):
    """The local provider could not be prepared (the message says why)."""


async def prepare_local_provider(config: Any, provider: str | None, model: str | None) -> tuple[Any, Any]:
    """(config using the prepared provider, the `PreparedOss` to close at exit).

    Raises:
        OssError: No local provider could be made ready.
    """
    import anyio.to_thread

    from pycodex_local_models import LocalModelError, prepare_oss_async, probe_endpoint

    sys.stderr.write("Preparing the local model provider…\n")
    try:
        prepared = await prepare_oss_async(provider or getattr(config, "oss_provider", None), model)
    except LocalModelError as exc:
        raise OssError(str(exc)) from None
    info = await anyio.to_thread.run_sync(probe_endpoint, prepared.base_url, prepared.model)
    wire_api = prepared.wire_api if info.supports_responses or info.server is None else "chat"
    base_info = config.model_providers.get(prepared.provider_id, config.model_provider)
    provider_info = dataclasses.replace(base_info, base_url=prepared.base_url, wire_api=wire_api)
    patched = dataclasses.replace(
        config,
        model=prepared.model,
        model_provider_id=prepared.provider_id,
        model_provider=provider_info,
        model_context_window=config.model_context_window or info.context_window,
        show_raw_agent_reasoning=True,
    )
    if info.supports_tools is False:
        sys.stderr.write(
            f"warning: {info.server or 'the server'} does not render tool definitions for {prepared.model!r}: "
            "the model can only answer in text\n"
        )
    return patched, prepared
