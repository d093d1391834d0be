"""Rule files: `prefix_rule`, `network_rule` and `host_executable`, and their load-time examples."""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field

from pycodex_execpolicy._builtins import bind_arguments, standard_builtins
from pycodex_execpolicy._decision import Decision
from pycodex_execpolicy._errors import PolicyParseError, PolicyReadError
from pycodex_execpolicy._policy import Policy
from pycodex_execpolicy._render import render_starlark_error
from pycodex_execpolicy._rules import NetworkRule, PatternToken, PrefixPattern, PrefixRule, rust_debug_str
from pycodex_execpolicy._shlex import shell_join, shell_split
from pycodex_execpolicy._starlark import Frame, StarlarkError, evaluate_module
from pycodex_execpolicy._values import Builtin, EvalError, Value, starlark_repr, type_name

__all__ = ["PolicyParser", "parse_policy", "parse_policy_files"]

MAX_FILE_BYTES = 8 * 1024 * 1024
_PROTOCOLS = {
    "http": "http",
    "https": "https",
    "https_connect": "https",
    "http-connect": "https",
    "socks5_tcp": "socks5_tcp",
    "socks5_udp": "socks5_udp",
}


@dataclass
class _Examples:
    rules: list[PrefixRule]
    match: list[list[str]]
    not_match: list[list[str]]


@dataclass
class PolicyParser:
    """Reads rule files one after another into one policy."""

    policy: Policy = field(default_factory=Policy.empty)
    """Everything read so far."""
    _stack: list[Frame] = field(default_factory=lambda: [], init=False, repr=False)
    _path: str = field(default="", init=False, repr=False)

    def parse(self, path: str, source: str) -> None:
        """Evaluate the rule file `source` (named `path` in errors) and check its examples.

        Raises:
            PolicyParseError: when the file is invalid or an example does not hold.
        """
        pending: list[_Examples] = []
        self._stack: list[Frame] = []
        self._path = path
        builtins = standard_builtins() | {
            "prefix_rule": Builtin("prefix_rule", lambda a, k: self._prefix_rule(a, k, pending)),
            "network_rule": Builtin("network_rule", self._network_rule),
            "host_executable": Builtin("host_executable", self._host_executable),
        }
        try:
            evaluate_module(source, path, builtins, self._stack)
        except StarlarkError as exc:
            detail = "starlark error: " + render_starlark_error(exc, path, source)
            line, col = (exc.span.line, exc.span.col) if exc.span else (None, None)
            raise PolicyParseError(path, exc.message, detail, line, col) from None
        for examples in pending:
            message = self._check_examples(examples)
            if message is not None:
                raise PolicyParseError(path, message, message)

    def parse_file(self, path: str | os.PathLike[str], display: str | None = None) -> None:
        """Read and evaluate the rule file at `path`.

        Raises:
            PolicyReadError: when it cannot be read (or is not UTF-8).
            PolicyParseError: when it is invalid.
        """
        name = display if display is not None else os.fspath(path)
        self.parse(name, read_rule_file(path, name))

    # -- builtins --------------------------------------------------------------------------------

    def _prefix_rule(self, args: list[Value], kwargs: dict[str, Value], pending: list[_Examples]) -> None:
        params = [("pattern", ...), ("decision", _UNSET), ("match", _UNSET), ("not_match", _UNSET)]
        bound = bind_arguments("prefix_rule", [*params, ("justification", _UNSET)], args, kwargs)
        for name, expected in (("pattern", "list"), ("decision", "str"), ("match", "list"), ("not_match", "list")):
            _expect_type(name, bound[name], expected)
        _expect_type("justification", bound["justification"], "str")
        tokens = _parse_pattern(bound["pattern"])
        decision = Decision.ALLOW if bound["decision"] is _UNSET else _parse_decision(bound["decision"])
        justification = _parse_justification(_unset_none(bound["justification"]))
        match_values: list[Value] = _unset_none(bound["match"]) or []
        not_match_values: list[Value] = _unset_none(bound["not_match"]) or []
        match = [_parse_example(e) for e in match_values]
        not_match = [_parse_example(e) for e in not_match_values]
        first, rest = tokens[0], tuple(tokens[1:])
        programs = [first] if isinstance(first, str) else list(first)
        where = f"{self._path}:{self._stack[-1].span.line}" if self._stack else None
        rules = [PrefixRule(PrefixPattern(p, rest), decision, justification, where) for p in programs]
        for rule in rules:
            self.policy.add_rule(rule)
        pending.append(_Examples(rules, match, not_match))

    def _network_rule(self, args: list[Value], kwargs: dict[str, Value]) -> None:
        params = [("host", ...), ("protocol", ...), ("decision", ...), ("justification", _UNSET)]
        bound = bind_arguments("network_rule", params, args, kwargs)
        for name in ("host", "protocol", "decision", "justification"):
            _expect_type(name, bound[name], "str")
        protocol = _PROTOCOLS.get(bound["protocol"])
        if protocol is None:
            raise EvalError(
                "invalid rule: network_rule protocol must be one of http, https, socks5_tcp, socks5_udp "
                f"(got {bound['protocol']})"
            )
        text = bound["decision"]
        decision = Decision.FORBIDDEN if text == "deny" else _parse_decision(text)
        justification = _parse_justification(_unset_none(bound["justification"]))
        self.policy.network_rules.append(NetworkRule(normalize_host(bound["host"]), protocol, decision, justification))

    def _host_executable(self, args: list[Value], kwargs: dict[str, Value]) -> None:
        bound = bind_arguments("host_executable", [("name", ...), ("paths", ...)], args, kwargs)
        _expect_type("name", bound["name"], "str")
        _expect_type("paths", bound["paths"], "list")
        name: str = bound["name"]
        if not name:
            raise EvalError("invalid rule: host_executable name cannot be empty")
        if "/" in name or "\\" in name:
            raise EvalError(f"invalid rule: host_executable name must be a bare executable name (got {name})")
        paths: list[str] = []
        for path in bound["paths"]:
            if not isinstance(path, str):
                raise EvalError(f"invalid rule: host_executable paths must be strings (got {type_name(path)})")
            if not path.startswith("/"):
                raise EvalError(f"invalid rule: host_executable paths must be absolute (got {path})")
            if posixpath.basename(posixpath.normpath(path)) != name:
                raise EvalError(f"invalid rule: host_executable path `{path}` must have basename `{name}`")
            if path not in paths:
                paths.append(path)
        self.policy.host_executables[name] = tuple(paths)

    # -- examples --------------------------------------------------------------------------------

    def _check_examples(self, examples: _Examples) -> str | None:
        scoped = Policy(host_executables=self.policy.host_executables)
        for rule in examples.rules:
            scoped.add_rule(rule)
        for example in examples.not_match:
            found = scoped.matches_for(example, resolve_host_executables=True)
            if found:
                return f"expected example to not match rule `{found[0].debug()}`: {shell_join(example)}"
        unmatched = [e for e in examples.match if not scoped.matches_for(e, resolve_host_executables=True)]
        if unmatched:
            rules = ", ".join(rust_debug_str(rule.debug()) for rule in examples.rules)
            shown = ", ".join(rust_debug_str(shell_join(e)) for e in unmatched)
            return f"expected every example to match at least one rule. rules: [{rules}]; unmatched examples: [{shown}]"
        return None


_RUST_TYPE = {"list": "list", "str": "string"}
_UNSET: Value = object()


def _unset_none(value: Value) -> Value:
    return None if value is _UNSET else value


def _expect_type(name: str, value: Value, expected: str) -> None:
    if value is not _UNSET and type_name(value) != _RUST_TYPE[expected]:
        raise EvalError(
            f"Type of parameter `{name}` doesn't match, expected `{expected}`, "
            f"actual `{type_name(value)} (repr: {starlark_repr(value)})`"
        )


def _parse_pattern(pattern: list[Value]) -> list[PatternToken]:
    if not pattern:
        raise EvalError("invalid pattern element: pattern cannot be empty")
    tokens: list[PatternToken] = []
    for element in pattern:
        if isinstance(element, str):
            tokens.append(element)
        elif isinstance(element, list):
            if not element:
                raise EvalError("invalid pattern element: pattern alternatives cannot be empty")
            alts: list[str] = []
            for alt in element:  # pyright: ignore[reportUnknownVariableType]
                if not isinstance(alt, str):
                    raise EvalError(
                        f"invalid pattern element: pattern alternative must be a string (got {type_name(alt)})"
                    )
                alts.append(alt)
            tokens.append(alts[0] if len(alts) == 1 else tuple(alts))
        else:
            got = type_name(element)
            raise EvalError(f"invalid pattern element: pattern element must be a string or list of strings (got {got})")
    return tokens


def _parse_decision(text: str) -> Decision:
    decision = Decision.parse(text)
    if decision is None:
        raise EvalError(f"invalid decision: {text}")
    return decision


def _parse_justification(text: str | None) -> str | None:
    if text is not None and not text.strip():
        raise EvalError("invalid rule: justification cannot be empty")
    return text


def _parse_example(example: Value) -> list[str]:
    if isinstance(example, str):
        if not example:
            raise EvalError("invalid example: example cannot be an empty string")
        split = shell_split(example)
        if split is None:
            raise EvalError("invalid example: example string has invalid shell syntax")
        if not split:
            raise EvalError("invalid example: example cannot be an empty string")
        return split
    if isinstance(example, list):
        if not example:
            raise EvalError("invalid example: example cannot be an empty list")
        words: list[str] = []
        for word in example:  # pyright: ignore[reportUnknownVariableType]
            if not isinstance(word, str):
                raise EvalError(f"invalid example: example tokens must be strings (got {type_name(word)})")
            words.append(word)
        return words
    raise EvalError(f"invalid example: example must be a string or list of strings (got {type_name(example)})")


def normalize_host(raw: str) -> str:
    """A network rule's host as Codex stores it: trimmed, without port or trailing dots, lower case."""
    host = raw.strip()
    if not host:
        raise EvalError("invalid rule: network_rule host cannot be empty")
    if "://" in host or any(c in host for c in "/?#"):
        raise EvalError("invalid rule: network_rule host must be a hostname or IP literal (without scheme or path)")
    if host.startswith("[") and "]" in host:
        host = host[1 : host.index("]")]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.rstrip(".").lower()
    if any(c.isspace() for c in host):
        raise EvalError("invalid rule: network_rule host cannot contain whitespace")
    if "*" in host:
        raise EvalError("invalid rule: network_rule host must be a specific host; wildcards are not allowed")
    if not host:
        raise EvalError("invalid rule: network_rule host cannot be empty")
    return host


def read_rule_file(path: str | os.PathLike[str], name: str) -> str:
    """The text of a rule file.

    Raises:
        PolicyReadError: when it cannot be read, is not a regular file of sane size, or is not UTF-8.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise PolicyReadError(name, _os_reason(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PolicyReadError(name, "Is a directory (os error 21)")
        if not stat.S_ISREG(info.st_mode):
            raise PolicyReadError(name, "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PolicyReadError(name, _os_reason(exc)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise PolicyReadError(name, f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyReadError(name, "stream did not contain valid UTF-8") from None


def _os_reason(exc: OSError) -> str:
    if exc.errno is None:
        return str(exc)
    return f"{os.strerror(exc.errno)} (os error {exc.errno})"


def parse_policy(source: str, path: str = "<policy>") -> Policy:
    """Evaluate one rule file's text into a policy.

    Raises:
        PolicyParseError: when it is invalid.
    """
    parser = PolicyParser()
    parser.parse(path, source)
    return parser.policy


def parse_policy_files(paths: list[str | os.PathLike[str]]) -> Policy:
    """Read rule files in order into one policy.

    Raises:
        PolicyReadError: when a file cannot be read.
        PolicyParseError: when a file is invalid.
    """
    parser = PolicyParser()
    for path in paths:
        parser.parse_file(path)
    return parser.policy
