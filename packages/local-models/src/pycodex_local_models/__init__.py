"""Local model providers for `--oss`: Ollama, LM Studio and an embedded llama.cpp server.

`prepare_oss()` is the entry point a front end needs: it picks or checks a provider,
fetches a missing model and returns the base URL to talk to. With nothing else
installed or running it starts llama.cpp's server in a child process with the bundled
SmolLM2-135M-Instruct model, so `codex exec --oss` works offline and without an API key.

Importing this package costs only the standard library; `urllib`, `subprocess` and
`anyio` are imported when a function needs them.
"""

from pycodex_local_models._endpoints import LMSTUDIO_DEFAULT_PORT, OLLAMA_DEFAULT_PORT, LocalEndpoint, oss_base_url
from pycodex_local_models._errors import (
    EmbeddedServerError,
    LocalModelError,
    ModelDownloadFailed,
    OllamaTooOld,
    ServerNotRunning,
    UnknownLocalProvider,
)
from pycodex_local_models._llamacpp import (
    LLAMACPP_DEFAULT_MODEL,
    LocalServer,
    chat_template_path,
    default_gguf_path,
    start_llamacpp,
)
from pycodex_local_models._lmstudio import (
    LMSTUDIO_CONNECTION_ERROR,
    LMSTUDIO_DEFAULT_MODEL,
    detect_lmstudio,
    download_lmstudio_model,
    ensure_lmstudio,
    find_lms,
    load_lmstudio_model,
)
from pycodex_local_models._ollama import (
    OLLAMA_CONNECTION_ERROR,
    OLLAMA_DEFAULT_MODEL,
    PullProgress,
    check_ollama_version,
    detect_ollama,
    ensure_ollama,
    list_ollama_models,
    parse_ollama_version,
    pull_ollama_model,
)
from pycodex_local_models._oss import DEFAULT_MODELS, LOCAL_PROVIDERS, PreparedOss, prepare_oss, prepare_oss_async
from pycodex_local_models._probe import EndpointInfo, probe_endpoint
from pycodex_local_models._settings import DEFAULT_EMBEDDED_MAX_TOKENS, EmbeddedSettings, PrefixCache

__all__ = [
    "DEFAULT_EMBEDDED_MAX_TOKENS",
    "DEFAULT_MODELS",
    "EmbeddedServerError",
    "EmbeddedSettings",
    "EndpointInfo",
    "LLAMACPP_DEFAULT_MODEL",
    "LMSTUDIO_CONNECTION_ERROR",
    "LMSTUDIO_DEFAULT_MODEL",
    "LMSTUDIO_DEFAULT_PORT",
    "LOCAL_PROVIDERS",
    "LocalEndpoint",
    "LocalModelError",
    "LocalServer",
    "ModelDownloadFailed",
    "OLLAMA_CONNECTION_ERROR",
    "OLLAMA_DEFAULT_MODEL",
    "OLLAMA_DEFAULT_PORT",
    "OllamaTooOld",
    "PrefixCache",
    "PreparedOss",
    "PullProgress",
    "ServerNotRunning",
    "UnknownLocalProvider",
    "chat_template_path",
    "check_ollama_version",
    "default_gguf_path",
    "detect_lmstudio",
    "detect_ollama",
    "download_lmstudio_model",
    "ensure_lmstudio",
    "ensure_ollama",
    "find_lms",
    "list_ollama_models",
    "load_lmstudio_model",
    "oss_base_url",
    "parse_ollama_version",
    "prepare_oss",
    "prepare_oss_async",
    "probe_endpoint",
    "pull_ollama_model",
    "start_llamacpp",
]
