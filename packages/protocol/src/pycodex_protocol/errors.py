"""Errors of `pycodex_protocol`.

```text
ProtocolError          base of every error raised here
```

Validation through `pycodex_protocol.schema` raises pydantic's `ValidationError` (a
`ValueError`), which is not wrapped.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

__all__ = ["ProtocolError"]


class ProtocolError(ValueError):
    """A value is not valid protocol JSON (for example, a stream line that is not an object)."""
