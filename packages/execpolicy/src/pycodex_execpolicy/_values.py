"""Starlark values as Python objects: type names, repr, str, operators, and the few methods rules use."""

# Starlark values are dynamically typed (`Value = Any`); the unknown-type reports say nothing here.
# pyright: reportUnknownArgumentType=false, reportUnknownLambdaType=false, reportUnknownVariableType=false
# pyright: reportUnknownMemberType=false

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Builtin", "EvalError", "binary_op", "get_method", "starlark_repr", "starlark_str", "type_name"]

Value = Any
MAX_SIZE = 1_000_000  # longest string or list a rule file may build


class EvalError(Exception):
    """A Starlark evaluation error with Starlark's message text."""


@dataclass(frozen=True)
class Builtin:
    """A native function: `fn(args, kwargs)`."""

    name: str
    fn: Callable[[list[Value], dict[str, Value]], Value] = field(repr=False)


def type_name(value: Value) -> str:
    """Starlark's name for the type of `value`."""
    if value is None:
        return "NoneType"
    if isinstance(value, bool):
        return "bool"
    names = {str: "string", int: "int", float: "float", list: "list", tuple: "tuple", dict: "dict"}
    return names.get(type(value), "function")


def starlark_repr(value: Value) -> str:
    """`repr(value)` as Starlark spells it."""
    if isinstance(value, str):
        body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{body}"'
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return "[" + ", ".join(starlark_repr(v) for v in value) + "]"
    if isinstance(value, tuple):
        items = [starlark_repr(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, dict):
        pairs = [f"{starlark_repr(k)}: {starlark_repr(v)}" for k, v in value.items()]
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, (int, float)):
        return repr(value)
    return f"<function {getattr(value, 'name', '?')}>"


def starlark_str(value: Value) -> str:
    """`str(value)`: strings as they are, everything else as its repr."""
    return value if isinstance(value, str) else starlark_repr(value)


def _unsupported(op: str, left: Value, right: Value) -> EvalError:
    return EvalError(f"Operation `{op}` not supported for types `{type_name(left)}` and `{type_name(right)}`")


def _is_int(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_size(value: Value) -> Value:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SIZE:
        raise EvalError(f"value too large ({len(value)} items; the limit is {MAX_SIZE})")
    return value


def binary_op(op: str, left: Value, right: Value) -> Value:
    """`left OP right` with Starlark's typing rules."""
    lt, rt = type_name(left), type_name(right)
    if op == "+":
        if lt == rt and lt in ("int", "float", "string", "list", "tuple"):
            return _check_size(left + right)
        if {lt, rt} == {"int", "float"}:
            return left + right
    elif op == "*":
        if lt in ("int", "float") and rt in ("int", "float"):
            return left * right
        seq, count = (left, right) if rt == "int" else (right, left)
        if _is_int(count) and type_name(seq) in ("string", "list", "tuple"):
            if len(seq) * max(count, 0) > MAX_SIZE:
                raise EvalError(f"value too large (the limit is {MAX_SIZE} items)")
            return seq * count
    elif op == "%" and lt == "string":
        return _percent_format(left, right)
    elif lt in ("int", "float") and rt in ("int", "float"):
        return _arith(op, left, right)
    elif op == "|" and lt == rt == "dict":
        return {**left, **right}
    raise _unsupported(op, left, right)


def _arith(op: str, left: Value, right: Value) -> Value:
    if op in ("/", "//", "%") and right == 0:
        raise EvalError(f"{'float division' if op == '/' else 'integer division'} by zero: {left} {op} {right}")
    table: dict[str, Callable[[Value, Value], Value]] = {
        "-": lambda a, b: a - b,
        "/": lambda a, b: a / b,
        "//": lambda a, b: a // b,
        "%": lambda a, b: a % b,
    }
    if op in table:
        return table[op](left, right)
    if _is_int(left) and _is_int(right):
        if op in ("<<", ">>") and not 0 <= right < 64:
            raise EvalError(f"shift count out of range: {right}")
        ints: dict[str, Callable[[int, int], int]] = {
            "&": lambda a, b: a & b,
            "|": lambda a, b: a | b,
            "^": lambda a, b: a ^ b,
            "<<": lambda a, b: a << b,
            ">>": lambda a, b: a >> b,
        }
        if op in ints:
            return ints[op](left, right)
    raise _unsupported(op, left, right)


def _percent_format(template: str, args: Value) -> str:
    values: list[Value] = list(args) if isinstance(args, tuple) else [args]
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        spec = template[i + 1 : i + 2]
        if spec == "%":
            out.append("%")
        elif spec in ("s", "r", "d"):
            if not values:
                raise EvalError("not enough arguments for format string")
            value = values.pop(0)
            out.append(starlark_str(value) if spec == "s" else starlark_repr(value) if spec == "r" else str(int(value)))
        else:
            raise EvalError(f"unsupported format character {spec!r}")
        i += 2
    if values:
        raise EvalError("too many arguments for format string")
    return _check_size("".join(out))


def _str_format(template: str, args: list[Value], kwargs: dict[str, Value]) -> str:
    try:
        return template.format(*[_Fmt(a) for a in args], **{k: _Fmt(v) for k, v in kwargs.items()})
    except (IndexError, KeyError, ValueError) as exc:
        raise EvalError(f"format: {exc}") from None


class _Fmt:
    """Formats as Starlark's `str()` inside `"{}".format(...)`."""

    def __init__(self, value: Value) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return starlark_str(self.value)


_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({"split", "rsplit", "strip", "lstrip", "rstrip", "startswith", "endswith", "lower", "upper",
                    "replace", "join", "count", "find", "splitlines", "format", "isdigit", "isalpha"}),
    list: frozenset({"append", "extend", "insert", "pop", "remove", "index", "clear"}),
    dict: frozenset({"get", "keys", "values", "items", "update", "pop", "setdefault"}),
}  # fmt: skip


def get_method(value: Value, name: str) -> Builtin:
    """The bound method `value.name`."""
    if name not in _METHODS.get(type(value), frozenset()):
        raise EvalError(f"Object of type `{type_name(value)}` has no attribute `{name}`")
    label = f"{type_name(value)}.{name}"
    if isinstance(value, str) and name == "format":
        template = value
        return Builtin(label, lambda args, kwargs: _str_format(template, args, kwargs))
    bound = getattr(value, name)

    def call(args: list[Value], kwargs: dict[str, Value]) -> Value:
        if name == "join" and not all(isinstance(a, str) for a in (args[0] if args else [])):
            raise EvalError("join: every item must be a string")
        try:
            result = bound(*args, **kwargs)
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise EvalError(f"{label}: {exc}") from None
        if name in ("keys", "values", "items"):
            result = list(result)
        _check_size(value)
        return _check_size(result)

    return Builtin(label, call)
