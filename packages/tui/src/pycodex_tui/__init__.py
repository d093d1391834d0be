"""The interactive `codex`: a prompt-toolkit front end on core's op/event queue that keeps native scrollback.

```python
from pycodex_tui import main

raise SystemExit(main(["-m", "gpt-5.5", "explain this repo"]))
```
"""

from ._app import StartSpec, TuiApp
from ._args import TuiArgs, UsageError, parse_args
from ._main import main, run_tui

__all__ = ["StartSpec", "TuiApp", "TuiArgs", "UsageError", "main", "parse_args", "run_tui"]
