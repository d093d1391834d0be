"""Typed views of JSON values of unknown shape (model output, tool arguments)."""

from __future__ import annotations

from typing import Any, cast

__all__ = ["as_list", "as_object", "objects"]


def as_object(value: object) -> dict[str, Any] | None:
    """`value` when it is a JSON object, else `None`."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def as_list(value: object) -> list[Any]:
    """`value` when it is a JSON array, else an empty list."""
    return cast("list[Any]", value) if isinstance(value, list) else []


def objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects among the elements of `value` (an array), skipping anything else."""
    return [item for item in map(as_object, as_list(value)) if item is not None]
