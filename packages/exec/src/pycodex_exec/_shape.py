"""Narrowing JSON values of unknown shape (event fields) to typed views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

__all__ = ["elements", "mapping"]


def mapping(value: object) -> Mapping[str, Any] | None:
    """`value` as a string-keyed mapping, or `None` when it is not a mapping."""
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else None


def elements(value: object) -> list[Any]:
    """The elements of a JSON array (`[]` for anything else)."""
    return list(cast("list[Any]", value)) if isinstance(value, list) else []
