"""Marker that makes pydantic treat a union of TypedDicts as discriminated on `type`.

The wire modules must not import pydantic, so they cannot write
`Annotated[A | B, Field(discriminator="type")]`. Instead they annotate their unions with
`BY_TYPE`, a plain object that pydantic calls back (through the
`__get_pydantic_core_schema__` protocol) only when a `TypeAdapter` is built. Type checkers
ignore `Annotated` metadata, so for them the alias is just the union.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

logger = logging.getLogger(__name__)


class _DiscriminateByType:
    """Annotated metadata: validate the annotated union as tagged by its `type` key."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Discriminator

        return handler(Annotated[source, Discriminator("type")])

    def __repr__(self) -> str:
        return "BY_TYPE"


BY_TYPE = _DiscriminateByType()
"""Put in `Annotated[Union, BY_TYPE]` to get a discriminated union on `type` in pydantic."""
