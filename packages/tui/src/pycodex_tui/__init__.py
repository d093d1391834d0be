"""The interactive `codex`: a prompt-toolkit front end on core's op/event queue that keeps native scrollback.

```python
from pycodex_tui import main

raise SystemExit(main(["-m", "gpt-5.5", "explain this repo"]))
```
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._app import StartSpec, TuiApp
    from ._args import TuiArgs, UsageError, parse_args
    from ._main import main, run_tui

__all__ = ["StartSpec", "TuiApp", "TuiArgs", "UsageError", "main", "parse_args", "run_tui"]

# Loaded on first use: `codex resume` paints its picker before the application modules are imported.
_WHERE = {
    "StartSpec": "._app",
    "TuiApp": "._app",
    "TuiArgs": "._args",
    "UsageError": "._args",
    "main": "._main",
    "parse_args": "._args",
    "run_tui": "._main",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
