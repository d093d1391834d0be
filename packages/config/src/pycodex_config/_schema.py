"""A small declarative schema language for config.toml (the key tables are in `_keys`).

The schema mirrors the keys Codex 0.169 accepts (checked key by key with `--strict-config`
against the real binary). Keys we do not interpret ourselves but Codex knows are `ANY`, so a
real user's file never produces a spurious warning. Unknown keys are collected, not raised:
the loader turns them into warnings or, under `strict`, into errors.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import cast

__all__ = [
    "ANY",
    "BOOL",
    "INT",
    "LEGACY",
    "NUM",
    "STR",
    "UNSUPPORTED",
    "Enum",
    "Found",
    "Int",
    "ListOf",
    "MapOf",
    "OneOf",
    "SchemaError",
    "Spec",
    "Table",
    "describe",
]

Path_ = tuple[str, ...]


class Found:
    """What a validation pass noticed besides type errors."""

    def __init__(self) -> None:
        self.unknown: list[Path_] = []
        """Keys Codex 0.169 does not know either."""
        self.unsupported: list[Path_] = []
        """Keys Codex 0.169 accepts that pycodex does not honour yet (accepted, with a warning)."""
        self.legacy: list[Path_] = []
        """Keys of older Codex releases: accepted, but errors under `--strict-config` as in Codex 0.169."""


class SchemaError(Exception):
    """A value has the wrong type; `path` is the dotted key, `message` the explanation."""

    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def describe(value: object) -> str:
    """Render a TOML value for an error message (`"bogus"`, `5`, `true`, `an array`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.date | datetime.time):
        return f"a date-time ({value.isoformat()})"
    return type(value).__name__


class Spec:
    """Base class of schema nodes."""

    expected = "a value"

    def check(self, value: object, path: Path_, found: Found) -> None:
        """Raise `SchemaError` when `value` does not fit; note unknown keys in `found`."""
        if not self.accepts(value):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")

    def accepts(self, value: object) -> bool:
        """Return whether `value` has the right shape (shallow)."""
        return True


class _Any(Spec):
    pass


class _Unsupported(Spec):
    """A key Codex 0.169 accepts (any value here) that pycodex does not honour yet."""

    def check(self, value: object, path: Path_, found: Found) -> None:
        found.unsupported.append(path)


class _Legacy(Spec):
    """A key of an older Codex release that 0.169 rejects under `--strict-config`."""

    def check(self, value: object, path: Path_, found: Found) -> None:
        found.legacy.append(path)


class _Str(Spec):
    expected = "a string"

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)


class _Bool(Spec):
    expected = "a boolean"

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)


class Int(Spec):
    expected = "a non-negative integer"

    def __init__(self, minimum: int | None = 0) -> None:
        self.minimum = minimum

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return self.minimum is None or value >= self.minimum


class _Num(Spec):
    expected = "a number"

    def accepts(self, value: object) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _variants(values: tuple[str, ...]) -> str:
    """Serde's list of the valid values: `a`, `` `a` or `b` ``, `one of `a`, `b`, `c``."""
    quoted = [f"`{v}`" for v in values]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return "one of " + ", ".join(quoted)


class Enum(Spec):
    """One of a fixed set of strings; a wrong one is reported with the valid values, as Codex does."""

    def __init__(self, *values: str, extra: tuple[str, ...] = ()) -> None:
        self.values = values + extra
        self.shown = values
        self.expected = "one of " + ", ".join(values)

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and value in self.values

    def check(self, value: object, path: Path_, found: Found) -> None:
        if isinstance(value, str) and value not in self.values:
            raise SchemaError(path, f"unknown variant `{value}`, expected {_variants(self.shown)}")
        super().check(value, path, found)


class ListOf(Spec):
    """An array whose items all match `item`."""

    def __init__(self, item: Spec) -> None:
        self.item = item
        self.expected = f"an array of {item.expected.removeprefix('a ').removeprefix('an ')}s"

    def check(self, value: object, path: Path_, found: Found) -> None:
        if not isinstance(value, list):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for index, item in enumerate(cast(list[object], value)):
            self.item.check(item, (*path, str(index)), found)


class MapOf(Spec):
    """A table with arbitrary keys whose values all match `value`."""

    expected = "a table"

    def __init__(self, value: Spec) -> None:
        self.value = value

    def check(self, value: object, path: Path_, found: Found) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for key, item in cast(dict[str, object], value).items():
            self.value.check(item, (*path, key), found)


class Table(Spec):
    """A table with known keys; other keys are reported as unknown."""

    expected = "a table"

    def __init__(self, fields: Mapping[str, Spec]) -> None:
        self.fields = fields

    def check(self, value: object, path: Path_, found: Found) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for key, item in cast(dict[str, object], value).items():
            spec = self.fields.get(key)
            if spec is None:
                found.unknown.append((*path, key))
            else:
                spec.check(item, (*path, key), found)


class OneOf(Spec):
    """The first alternative whose shallow shape fits is checked fully."""

    def __init__(self, alternatives: tuple[Spec, ...], expected: str = "a value") -> None:
        self.alternatives = alternatives
        self.expected = expected

    def check(self, value: object, path: Path_, found: Found) -> None:
        if isinstance(value, str) and not any(_shallow_fits(a, value) for a in self.alternatives):
            for alternative in self.alternatives:
                if isinstance(alternative, Enum):
                    alternative.check(value, path, found)  # a wrong string: Codex names the valid ones
        for alternative in self.alternatives:
            if _shallow_fits(alternative, value):
                alternative.check(value, path, found)
                return
        raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")


def _shallow_fits(spec: Spec, value: object) -> bool:
    if isinstance(spec, ListOf):
        return isinstance(value, list)
    if isinstance(spec, MapOf | Table):
        return isinstance(value, dict)
    return spec.accepts(value)


ANY = _Any()
STR = _Str()
BOOL = _Bool()
INT = Int()
NUM = _Num()
UNSUPPORTED = _Unsupported()
LEGACY = _Legacy()
