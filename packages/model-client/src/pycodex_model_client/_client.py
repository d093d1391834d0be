"""`ModelClient`: one streamed model request with Codex's request-level retries and error mapping."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import anyio
import httpx

from ._auth import AuthSource, resolve_auth_header
from ._chat import ChatDecoder, custom_tool_names, namespaced_tool_names, to_chat_request
from ._events import RateLimits, ResponseEvent
from ._responses import STREAM_PREFIX, ResponsesDecoder
from ._retry import INITIAL_DELAY_S, backoff_delay
from ._sse import SseDecodeError, SseEventTooLarge, SseParser
from ._version import default_user_agent
from .errors import BadRequest, ModelClientError, StreamError, Unauthorized, UsageLimitReached

if TYPE_CHECKING:
    from pycodex_config import ModelProviderInfo

__all__ = ["ModelClient"]

logger = logging.getLogger(__name__)

HIGH_DEMAND = "We\u2019re currently experiencing high demand, which may cause temporary errors."
RATE_LIMITED = "exceeded retry limit, last status: 429 Too Many Requests"
DROPPED = STREAM_PREFIX + "Transport error: network error: error decoding response body"
IDLE = STREAM_PREFIX + "idle timeout waiting for SSE"
CLOSED_EARLY = STREAM_PREFIX + "stream closed before response.completed"
_DEFAULT_BASE_URL = "https://api.openai.com/v1"
CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/codex"
"""Where the built-in `openai` provider sends requests signed with a ChatGPT login (no `openai_base_url`)."""
MAX_RETRY_AFTER_S = 300.0
"""The longest server-requested delay honoured; larger `Retry-After` values are clamped to this."""
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def _redact_url(url: str) -> str:
    """`url` for messages: every query parameter value (and a userinfo password) replaced by `***`.

    Plain string handling, so it also works on URLs that do not parse.
    """
    rest, hash_sign, fragment = url.partition("#")
    rest, question, query = rest.partition("?")
    scheme, sep, after = rest.partition("://")
    if sep:
        authority, slash, path = after.partition("/")
        userinfo, at, host = authority.rpartition("@")
        if at and ":" in userinfo:
            authority = f"{userinfo.partition(':')[0]}:***@{host}"
        rest = f"{scheme}{sep}{authority}{slash}{path}"
    if query:
        parts = [f"{name}=***" if eq else "***" for name, eq, _ in (p.partition("=") for p in query.split("&"))]
        query = "&".join(parts)
    return f"{rest}{question}{query}{hash_sign}{fragment}"


def _check_headers(headers: dict[str, str]) -> None:
    """Trim blanks around header values and refuse values HTTP cannot carry, naming the header (never the value).

    Raises:
        StreamError: A header name or value holds a character that is not allowed (not retryable).
    """
    for name in list(headers):
        if not _HEADER_NAME.fullmatch(name):
            raise StreamError(f"a configured HTTP header name is not valid: {name!r}", retryable=False)
        value = headers[name] = headers[name].strip(" \t")
        if not _HEADER_VALUE.fullmatch(value):
            hint = " (check the API key)" if name.lower() == "authorization" else ""
            raise StreamError(f"the {name} header contains a character that is not allowed{hint}", retryable=False)


def _error_object(body: bytes) -> dict[str, Any]:
    """The `error` object of an OpenAI-style error body (empty when there is none)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return cast(dict[str, Any], error) if isinstance(error, dict) else {}


def _status_error(status: int, reason: str, headers: httpx.Headers, body: bytes, url: str) -> ModelClientError:
    """Map a non-2xx, non-5xx answer to an error with the text Codex 0.169 shows for it.

    Observed with the real binary: an error object with a string `code` is reported by its
    `message` alone, and is final (except 401); any other 400 shows the body verbatim and is final;
    other statuses show `unexpected status <status> <reason>: <message or body>, url: <url>` and
    are retried by the turn loop.
    """
    error = _error_object(body)
    message = error.get("message") if isinstance(error.get("message"), str) else None
    code = error.get("code") if isinstance(error.get("code"), str) else None
    if status == 429:
        if (code or error.get("type")) in ("usage_limit_reached", "insufficient_quota"):
            return UsageLimitReached(message or "You've hit your usage limit.")
        retry_after = _retry_after(headers)
        return StreamError(RATE_LIMITED, retryable=retry_after is not None, retry_after=retry_after)
    text = body.decode("utf-8", errors="replace")
    generic = f"unexpected status {status} {reason}: {message or text}, url: {_redact_url(url)}"
    if code is not None and message and status != 401:
        return BadRequest(message, status)
    if status == 401:
        return Unauthorized(generic)
    if status == 400:
        return BadRequest(text, status)
    return BadRequest(generic, status, retryable=True)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from a `Retry-After` header (delay-seconds or an HTTP-date), at most 5 minutes.

    `None` when absent or unusable (not finite, negative, unparsable): a 429 is then final, as in Codex.
    """
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _http_date_delay(value)
        if seconds is None:
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER_S)


def _http_date_delay(value: str) -> float | None:
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        import datetime as dt

        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - time.time())


def _header_float(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _rate_limits(headers: httpx.Headers) -> dict[str, Any] | None:
    snapshot: dict[str, Any] = {}
    for window in ("primary", "secondary"):
        used = _header_float(headers.get(f"x-codex-{window}-used-percent"))
        if used is None:  # absent or malformed: skip the window
            continue
        entry: dict[str, Any] = {"used_percent": used}
        minutes = headers.get(f"x-codex-{window}-window-minutes", "").strip()
        resets = headers.get(f"x-codex-{window}-reset-at", "").strip()
        entry["window_minutes"] = int(minutes) if minutes.isascii() and minutes.isdigit() else None
        entry["resets_at"] = int(resets) if resets.isascii() and resets.isdigit() else None
        snapshot[window] = entry
    return snapshot or None


class ModelClient:
    """Streams model responses from one provider over HTTP SSE (Responses API or Chat Completions).

    Construction is cheap: the HTTP connection pool (and, for `https`, the TLS context) is built on first use.

    Args:
        provider: The provider (base URL, auth, headers, retry and timeout settings, wire API).
        codex_home: Where `auth.json` lives (for providers that use OpenAI auth).
        originator: The `originator` header and user-agent tag.
        thread_id: Sent as `session-id`, `thread-id` and `x-client-request-id`.
        user_agent: Overrides the default user agent.
        backoff_base_s: First request-level retry delay (Codex: 0.2 s); tests use a smaller value.
        transport: A custom httpx transport (tests).
        auth: Stored credentials (keyring or `auth.json`, refreshed when needed) for providers that use
            OpenAI auth; without it, `auth.json` is read directly.
    """

    def __init__(
        self,
        provider: ModelProviderInfo,
        *,
        codex_home: Path | None = None,
        originator: str = "codex_exec",
        thread_id: str,
        user_agent: str | None = None,
        backoff_base_s: float = INITIAL_DELAY_S,
        transport: httpx.AsyncBaseTransport | None = None,
        auth: AuthSource | None = None,
    ) -> None:
        self.provider = provider
        self.auth = auth
        self.codex_home = codex_home
        self.originator = originator
        self.thread_id = thread_id
        self.user_agent = user_agent or default_user_agent(originator)
        self.backoff_base_s = backoff_base_s
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._chatgpt_account: str | None = None
        """Set by the last credential lookup: the ChatGPT account when the request is signed with a ChatGPT login."""

    @property
    def base_url(self) -> str:
        """The provider's base URL without a trailing slash (the ChatGPT backend for a ChatGPT login)."""
        configured = getattr(self.provider, "base_url", None)
        if configured is None and self._chatgpt_account is not None:
            return CHATGPT_BASE_URL
        return (configured or _DEFAULT_BASE_URL).rstrip("/")

    @property
    def wire_api(self) -> str:
        """`"responses"` or `"chat"`."""
        return getattr(self.provider, "wire_api", "responses") or "responses"

    def url(self) -> str:
        """The endpoint URL, with the provider's `query_params` appended."""
        path = "/chat/completions" if self.wire_api == "chat" else "/responses"
        params = getattr(self.provider, "query_params", None)
        return self.base_url + path + (f"?{urlencode(params)}" if params else "")

    def request_headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers for a request (without `authorization`), provider headers last.

        Args:
            extra: Additional per-request headers (e.g. `x-codex-turn-metadata`).
        """
        headers = {
            "originator": self.originator,
            "user-agent": self.user_agent,
            "accept": "text/event-stream",
            "content-type": "application/json",
            "session-id": self.thread_id,
            "thread-id": self.thread_id,
            "x-client-request-id": self.thread_id,
        }
        headers.update(getattr(self.provider, "http_headers", None) or {})
        for name, var in (getattr(self.provider, "env_http_headers", None) or {}).items():
            value = os.environ.get(var, "")
            if value.strip():
                headers[name] = value
        if extra:
            headers.update(extra)
        return headers

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            idle_s = (getattr(self.provider, "stream_idle_timeout_ms", None) or 300_000) / 1000
            timeout = httpx.Timeout(connect=30.0, read=idle_s, write=60.0, pool=60.0)
            if self.base_url.startswith("https:"):
                import ssl

                verify: ssl.SSLContext | bool = ssl.create_default_context()
            else:
                verify = False  # plain HTTP: skip loading a CA bundle
            self._http = httpx.AsyncClient(timeout=timeout, verify=verify, transport=self._transport)
        return self._http

    async def aclose(self) -> None:
        """Close pooled connections."""
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def __aenter__(self) -> ModelClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def stream(
        self, request: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
    ) -> AsyncGenerator[ResponseEvent, None]:
        """Send one Responses API request body and yield its events until `Completed`.

        The result is an async generator: close it (`aclose()` or `contextlib.aclosing`) when you stop early.

        This is one stream-level attempt; request-level retries (HTTP 5xx and transport errors, up to
        `provider.request_max_retries`) happen inside. For `wire_api = "chat"` the body is converted to
        Chat Completions and the chunks are mapped back to the same events.

        Args:
            request: A Responses API body (`model`, `input`, `tools`, ...).
            headers: Extra headers for this request.

        Raises:
            StreamError: A retryable (or, for 429 without `Retry-After` and unexpected bodies, fatal) failure.
            ModelClientError: A fatal failure (`BadRequest`, `Unauthorized`, `ContextWindowExceeded`,
                `UsageLimitReached`, `MissingEnvKey`).
        """
        all_headers = self.request_headers(headers)
        auth = await self._authorization()
        if auth:
            all_headers["authorization"] = auth
        if self._chatgpt_account:
            all_headers["chatgpt-account-id"] = self._chatgpt_account
        _check_headers(all_headers)
        chat = self.wire_api == "chat"
        body = to_chat_request(request) if chat else request
        try:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        except UnicodeEncodeError:  # a lone surrogate (from an old rollout, say): escaped, the body stays UTF-8
            content = json.dumps(body, separators=(",", ":")).encode()
        try:
            response = await self._send(self.url(), content, all_headers)
        except Unauthorized:
            if not await self._renewed():
                raise
            auth = await self._authorization()
            if auth:
                all_headers["authorization"] = auth
            response = await self._send(self.url(), content, all_headers)
        try:
            limits = _rate_limits(response.headers)
            if limits is not None:
                yield RateLimits(limits)
            await self._check_content_type(response)
            if chat:
                decoder = ChatDecoder(custom_tool_names(request), namespaced_tool_names(request))
                async for event in self._chat_events(response, decoder):
                    yield event
            else:
                async for event in self._responses_events(response):
                    yield event
        finally:
            await response.aclose()

    async def _authorization(self) -> str | None:
        stored, account = None, None
        if self.auth is not None and getattr(self.provider, "requires_openai_auth", False):
            stored, account = await anyio.to_thread.run_sync(self._stored_credentials)
        header = resolve_auth_header(self.provider, self.codex_home, stored_token=stored)
        # ChatGPT mode only when the stored ChatGPT token is what signs the request (an API key in the
        # environment wins and keeps the API endpoint).
        self._chatgpt_account = account if stored and header == f"Bearer {stored}" else None
        return header

    def _stored_credentials(self) -> tuple[str | None, str | None]:
        assert self.auth is not None
        token = self.auth.bearer_token()
        account_of = getattr(self.auth, "chatgpt_account", None)
        return token, (account_of() if callable(account_of) else None)

    async def _renewed(self) -> bool:
        """After a 401: whether the stored credentials were renewed (a ChatGPT token refreshed)."""
        if self.auth is None or not getattr(self.provider, "requires_openai_auth", False):
            return False
        return await anyio.to_thread.run_sync(self.auth.handle_unauthorized)

    async def _send(self, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        http = self._client()
        max_retries = min(100, max(0, int(getattr(self.provider, "request_max_retries", 4))))
        last_error: ModelClientError = StreamError(HIGH_DEMAND)
        for attempt in range(max_retries + 1):
            if attempt:
                await anyio.sleep(backoff_delay(attempt, self.backoff_base_s))
            try:
                response = await http.send(
                    http.build_request("POST", url, content=content, headers=headers), stream=True
                )
            except httpx.InvalidURL as e:
                raise StreamError(
                    f"the model provider's base URL is not a valid URL: {_redact_url(self.base_url)} ({e})",
                    retryable=False,
                ) from None
            except httpx.TransportError as e:
                logger.info("model request attempt %d failed: %s", attempt + 1, type(e).__name__)
                last_error = StreamError(f"{STREAM_PREFIX}error sending request for url ({_redact_url(url)}): {e}")
                continue
            if response.status_code < 300:
                return response
            try:
                body = await response.aread()
            except httpx.TransportError:
                body = b""
            finally:
                await response.aclose()
            if response.status_code >= 500:
                logger.info("model request attempt %d: HTTP %d", attempt + 1, response.status_code)
                last_error = StreamError(HIGH_DEMAND)
                continue
            raise _status_error(
                response.status_code, response.reason_phrase, response.headers, body, str(response.request.url)
            )
        raise last_error

    async def _check_content_type(self, response: httpx.Response) -> None:
        content_type = response.headers.get("content-type", "")
        if not content_type or "text/event-stream" in content_type.lower():
            return
        head = b""
        try:
            async for chunk in response.aiter_bytes():
                head += chunk
                if len(head) >= 200:
                    break
        except httpx.TransportError:
            pass
        text = head.decode("utf-8", errors="replace")[:200]
        mime = content_type.split(";")[0].strip()
        raise StreamError(
            f"unexpected response (HTTP {response.status_code}, content-type {mime}): {text}", retryable=False
        )

    async def _sse_data(self, response: httpx.Response, parser: SseParser) -> AsyncGenerator[str, None]:
        """The `data` of each event, then of a final unterminated one.

        The idle timeout (`stream_idle_timeout_ms`) counts from the last complete event, not the last byte, so a
        server that sends only comments or a never-ending line still times out.
        """
        idle_s = (getattr(self.provider, "stream_idle_timeout_ms", None) or 300_000) / 1000
        chunks = response.aiter_bytes().__aiter__()
        deadline = anyio.current_time() + idle_s
        async with _stream_errors():
            while True:
                chunk = b""
                with anyio.move_on_after(max(0.0, deadline - anyio.current_time())) as scope:
                    try:
                        chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        break
                if scope.cancelled_caught:
                    raise StreamError(IDLE)
                events = parser.feed(chunk)
                if events:
                    deadline = anyio.current_time() + idle_s
                for _, data in events:
                    yield data
            for _, data in parser.finish():
                yield data

    async def _responses_events(self, response: httpx.Response) -> AsyncIterator[ResponseEvent]:
        decoder = ResponsesDecoder()
        async with aclosing(self._sse_data(response, SseParser())) as payloads:
            async for data in payloads:
                event = decoder.decode(data)
                if event is not None:
                    yield event
                    if decoder.completed:
                        return
        if not decoder.completed:
            raise StreamError(CLOSED_EARLY)

    async def _chat_events(self, response: httpx.Response, decoder: ChatDecoder) -> AsyncIterator[ResponseEvent]:
        async with aclosing(self._sse_data(response, SseParser())) as payloads:
            async for data in payloads:
                for event in decoder.decode(data):
                    yield event
                if decoder.completed:
                    return
        for event in decoder.eof():
            yield event


class _stream_errors:
    """Map transport and decoding failures during the body read to `StreamError`s."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            return
        if isinstance(exc, httpx.ReadTimeout):
            raise StreamError(IDLE) from exc
        if isinstance(exc, httpx.TransportError | httpx.StreamError):
            logger.info("model stream dropped: %s", exc)
            raise StreamError(DROPPED) from exc
        if isinstance(exc, SseDecodeError | SseEventTooLarge):
            raise StreamError(f"{STREAM_PREFIX}{exc}") from exc
