"""Ask a running OpenAI-compatible server what a model can do, instead of a catalog."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pycodex_local_models._errors import OllamaTooOld
from pycodex_local_models._http import Unreachable, host_root, request_json
from pycodex_local_models._ollama import check_ollama_version

logger = logging.getLogger(__name__)

_CONTEXT_KEYS = ("context_window", "context_length", "max_context_length", "max_model_len", "n_ctx")


@dataclass(frozen=True, slots=True)
class EndpointInfo:
    """What a server told us about a model; `None` means it did not say.

    Attributes:
        context_window: Tokens the model can attend to as served (runtime setting first).
        supports_tools: Whether the server renders and parses tool calls for this model.
        supports_responses: Whether `POST {base_url}/responses` exists.
        server: `"llamacpp"`, `"ollama"`, `"lmstudio"`, `"openai-compatible"`, or `None`
            when nothing answered.
        parameters: The model's parameter count, where the server reports it.
    """

    context_window: int | None = None
    supports_tools: bool | None = None
    supports_responses: bool = False
    server: str | None = None
    parameters: int | None = None


_Probe = Callable[[str, str, str, Callable[[], float]], "EndpointInfo | None"]


def probe_endpoint(base_url: str, model: str, *, timeout: float = 3.0) -> EndpointInfo:
    """Find the context window and tool support of `model` at `base_url`.

    Tries llama.cpp's `/props`, Ollama's `/api/show`, LM Studio's `/api/v0/models` and
    finally the plain `/v1/models` list, stopping at the first server that recognises
    the request. Best effort: never raises, and the whole probe takes at most about
    `timeout` seconds.
    """
    deadline = time.monotonic() + timeout

    def remaining() -> float:
        return max(0.05, deadline - time.monotonic())

    root = host_root(base_url)
    v1 = root + "/v1" if base_url.rstrip("/") == root else base_url.rstrip("/")
    probes: tuple[_Probe, ...] = (_probe_llamacpp, _probe_ollama, _probe_lmstudio, _probe_generic)
    for probe in probes:
        try:
            info = probe(root, v1, model, remaining)
        except Unreachable:
            break
        if info is not None:
            return info
        if time.monotonic() >= deadline:
            break
    return EndpointInfo()


def _probe_llamacpp(root: str, v1: str, model: str, remaining: Callable[[], float]) -> EndpointInfo | None:
    status, props = request_json("GET", f"{root}/props", timeout=remaining())
    if status != 200 or not isinstance(props, dict):
        return None
    settings, caps = props.get("default_generation_settings"), props.get("chat_template_caps")
    if not isinstance(settings, dict) and not isinstance(caps, dict):
        return None
    n_ctx = _positive_int(settings.get("n_ctx")) if isinstance(settings, dict) else None
    tools = caps.get("supports_tools") if isinstance(caps, dict) else None
    parameters = None
    status, listing = request_json("GET", f"{v1}/models", timeout=remaining())
    if status == 200 and isinstance(listing, dict) and isinstance(listing.get("data"), list):
        meta = (_find_model(listing["data"], model) or {}).get("meta")
        parameters = _positive_int(meta.get("n_params")) if isinstance(meta, dict) else None
    return EndpointInfo(n_ctx, tools if isinstance(tools, bool) else None, True, "llamacpp", parameters)


def _probe_ollama(root: str, v1: str, model: str, remaining: Callable[[], float]) -> EndpointInfo | None:
    status, body = request_json("GET", f"{root}/api/version", timeout=remaining())
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("version"), str):
        return None
    responses = _ollama_supports_responses(body["version"])
    status, show = request_json("POST", f"{root}/api/show", {"model": model}, timeout=remaining())
    if status != 200 or not isinstance(show, dict):
        return EndpointInfo(None, None, responses, "ollama")
    caps = show.get("capabilities")
    tools = ("tools" in caps) if isinstance(caps, list) else None
    info = show.get("model_info")
    parameters = _positive_int(info.get("general.parameter_count")) if isinstance(info, dict) else None
    return EndpointInfo(_ollama_context(show), tools, responses, "ollama", parameters)


def _ollama_supports_responses(version: str) -> bool:
    try:
        check_ollama_version(version)
    except OllamaTooOld:
        return False
    return True


def _ollama_context(show: dict[str, Any]) -> int | None:
    # An explicit num_ctx in the Modelfile is what the server really uses.
    parameters = show.get("parameters")
    if isinstance(parameters, str):
        for line in parameters.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "num_ctx" and parts[1].isdigit():
                return int(parts[1])
    info = show.get("model_info")
    if isinstance(info, dict):
        for key, value in info.items():
            if isinstance(key, str) and key.endswith(".context_length"):
                return _positive_int(value)
    return None


def _probe_lmstudio(root: str, v1: str, model: str, remaining: Callable[[], float]) -> EndpointInfo | None:
    status, entry = request_json("GET", f"{root}/api/v0/models/{quote(model, safe='')}", timeout=remaining())
    if status != 200 or not isinstance(entry, dict) or "max_context_length" not in entry:
        status, listing = request_json("GET", f"{root}/api/v0/models", timeout=remaining())
        if status != 200 or not isinstance(listing, dict) or not isinstance(listing.get("data"), list):
            return None
        entry = _find_model(listing["data"], model) or {}
    context = _positive_int(entry.get("loaded_context_length")) or _positive_int(entry.get("max_context_length"))
    caps = entry.get("capabilities")
    tools = ("tool_use" in caps) if isinstance(caps, list) else None
    return EndpointInfo(context, tools, True, "lmstudio")


def _probe_generic(root: str, v1: str, model: str, remaining: Callable[[], float]) -> EndpointInfo | None:
    status, listing = request_json("GET", f"{v1}/models", timeout=remaining())
    context = None
    if status == 200 and isinstance(listing, dict) and isinstance(listing.get("data"), list):
        entry = _find_model(listing["data"], model) or {}
        meta = entry.get("meta")
        for source in (entry, meta if isinstance(meta, dict) else {}):
            context = context or next((_positive_int(source.get(k)) for k in _CONTEXT_KEYS if k in source), None)
    # An empty body is invalid everywhere; only a server without the route answers 404.
    status, _ = request_json("POST", f"{v1}/responses", {}, timeout=remaining())
    return EndpointInfo(context, None, status not in (404, 405), "openai-compatible")


def _find_model(entries: list[Any], model: str) -> dict[str, Any] | None:
    for entry in entries:
        if isinstance(entry, dict) and model in (entry.get("id"), entry.get("name"), entry.get("model")):
            return entry
    return None


def _positive_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
