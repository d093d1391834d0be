"""Windows sandbox of pycodex: the restricted-token + ACL plan (pure, tested everywhere) and its Win32 calls.

```python
from pycodex_sandbox_windows import plan_sandbox

plan = plan_sandbox(policy, dict(os.environ))
plan.token.restricting_sids, plan.aces, plan.unenforceable
```
"""

from pycodex_sandbox_windows._plan import (
    EVERYONE_SID,
    AceChange,
    TokenSpec,
    WindowsSandboxPlan,
    capability_sid,
    plan_sandbox,
)
from pycodex_sandbox_windows._win32 import WindowsSandboxError, apply_aces, create_restricted_token, run_in_plan

__all__ = [
    "AceChange",
    "EVERYONE_SID",
    "TokenSpec",
    "WindowsSandboxError",
    "WindowsSandboxPlan",
    "apply_aces",
    "capability_sid",
    "create_restricted_token",
    "plan_sandbox",
    "run_in_plan",
]
