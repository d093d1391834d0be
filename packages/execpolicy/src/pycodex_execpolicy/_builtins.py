"""Starlark's standard functions that rule files may use (`len`, `range`, `str`, ...)."""

# Starlark values are dynamically typed (`Value = Any`); the unknown-type reports say nothing here.
# pyright: reportUnknownArgumentType=false, reportUnknownLambdaType=false, reportUnknownVariableType=false
# pyright: reportUnknownMemberType=false

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycodex_execpolicy._values import MAX_SIZE, Builtin, EvalError, Value, starlark_repr, starlark_str, type_name

__all__ = ["bind_arguments", "standard_builtins"]


def bind_arguments(
    name: str,
    params: list[tuple[str, Any]],
    args: list[Value],
    kwargs: dict[str, Value],
) -> dict[str, Value]:
    """Match a native call's arguments to `params` (name, default; `...` for required)."""
    if len(args) > len(params):
        raise EvalError(f"Found {len(args) - len(params)} extra positional parameter(s) for call to {name}")
    bound = {pname: value for (pname, _), value in zip(params, args, strict=False)}
    names = [pname for pname, _ in params]
    extra = [key for key in kwargs if key not in names]
    if extra:
        raise EvalError(f"Found {', '.join(f'`{e}`' for e in extra)} extra named parameter(s) for call to {name}")
    for key, value in kwargs.items():
        if key in bound:
            raise EvalError(f"Parameter `{key}` occurs both explicitly and in **kwargs")
        bound[key] = value
    for pname, default in params:
        if pname not in bound:
            if default is ...:
                raise EvalError(f"Missing parameter `{pname}` for call to `{name}`")
            bound[pname] = default
    return bound


def _positional(name: str, fn: Callable[..., Value], low: int, high: int) -> Builtin:
    def call(args: list[Value], kwargs: dict[str, Value]) -> Value:
        if kwargs:
            raise EvalError(f"Found {', '.join(f'`{k}`' for k in kwargs)} extra named parameter(s) for call to {name}")
        if not low <= len(args) <= high:
            raise EvalError(f"Wrong number of arguments for call to {name}: {len(args)}")
        try:
            return fn(*args)
        except (TypeError, ValueError, OverflowError) as exc:
            raise EvalError(f"{name}: {exc}") from None

    return Builtin(name, call)


def _len(value: Value) -> int:
    if type_name(value) not in ("string", "list", "tuple", "dict"):
        raise EvalError(f"Object of type `{type_name(value)}` has no length")
    return len(value)


def _range(*args: int) -> list[int]:
    if any(type_name(a) != "int" for a in args):
        raise EvalError("range() arguments must be ints")
    result = range(*args)
    if len(result) > MAX_SIZE:
        raise EvalError(f"value too large ({len(result)} items; the limit is {MAX_SIZE})")
    return list(result)


def _int(value: Value, base: int | None = None) -> int:
    if isinstance(value, str):
        return int(value, 10 if base is None else base)
    if type_name(value) in ("int", "float", "bool"):
        return int(value)
    raise EvalError(f"int() of `{type_name(value)}`")


def _list(value: Value = ()) -> list[Value]:
    if type_name(value) not in ("list", "tuple", "dict"):
        raise EvalError(f"Type `{type_name(value)}` is not iterable")
    return list(value)


def _fail(*args: Value) -> None:
    raise EvalError("fail: " + " ".join(starlark_str(a) for a in args))


def _sorted(args: list[Value], kwargs: dict[str, Value]) -> Value:
    bound = bind_arguments("sorted", [("x", ...), ("key", None), ("reverse", False)], args, kwargs)
    items = _list(bound["x"])
    if bound["key"] is not None:
        raise EvalError("sorted: `key` is not supported in rule files")
    try:
        return sorted(items, reverse=bool(bound["reverse"]))
    except TypeError:
        raise EvalError("sorted: values are not comparable") from None


def standard_builtins() -> dict[str, Value]:
    """The standard functions every rule file sees."""
    out: dict[str, Value] = {
        "len": _positional("len", _len, 1, 1),
        "str": _positional("str", starlark_str, 1, 1),
        "repr": _positional("repr", starlark_repr, 1, 1),
        "bool": _positional("bool", lambda v=False: bool(v), 0, 1),
        "int": _positional("int", _int, 1, 2),
        "list": _positional("list", _list, 0, 1),
        "tuple": _positional("tuple", lambda v=(): tuple(_list(v)), 0, 1),
        "range": _positional("range", _range, 1, 3),
        "enumerate": _positional("enumerate", lambda v: [(i, x) for i, x in enumerate(_list(v))], 1, 1),
        "zip": _positional("zip", lambda *vs: [tuple(t) for t in zip(*map(_list, vs), strict=False)], 0, 8),
        "reversed": _positional("reversed", lambda v: list(reversed(_list(v))), 1, 1),
        "any": _positional("any", lambda v: any(_list(v)), 1, 1),
        "all": _positional("all", lambda v: all(_list(v)), 1, 1),
        "min": _positional("min", lambda *v: min(_list(v[0]) if len(v) == 1 else v), 1, 8),
        "max": _positional("max", lambda *v: max(_list(v[0]) if len(v) == 1 else v), 1, 8),
        "type": _positional("type", type_name, 1, 1),
        "fail": _positional("fail", _fail, 0, 8),
        "dict": Builtin("dict", lambda a, k: {**(dict(a[0]) if a else {}), **k}),
        "sorted": Builtin("sorted", _sorted),
        "True": True,
        "False": False,
        "None": None,
    }
    return out
