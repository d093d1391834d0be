"""The pycodex engine: sessions, turn loop, tools, rollouts.

```python
async with Codex.start(config) as codex:
    await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "hi", "text_elements": []}]})
    async for event in codex.events():
        ...
```
"""

from ._agents_md import discover_agents_files, load_user_instructions
from ._codex import Codex, ModelTransport
from ._prompts import BASE_INSTRUCTIONS
from ._review import REVIEW_INSTRUCTIONS, ReviewTarget, ReviewTransport, format_review, review_prompt
from ._rollout import RolloutState, find_latest_rollout, find_rollout, read_rollout
from .errors import CodexCoreError, RolloutError, SessionClosed

__all__ = [
    "BASE_INSTRUCTIONS",
    "Codex",
    "CodexCoreError",
    "ModelTransport",
    "REVIEW_INSTRUCTIONS",
    "ReviewTarget",
    "ReviewTransport",
    "RolloutError",
    "RolloutState",
    "SessionClosed",
    "discover_agents_files",
    "find_latest_rollout",
    "find_rollout",
    "format_review",
    "load_user_instructions",
    "read_rollout",
    "review_prompt",
]
