"""Linux sandbox of pycodex: bubblewrap + seccomp, Landlock + seccomp as the fallback, or a clear refusal.

```python
from pycodex_sandbox_linux import prepare_command

with prepare_command(["make", "test"], cwd, os.environ, policy) as plan:
    subprocess.run(plan.argv, env=plan.env, cwd=plan.cwd, pass_fds=plan.pass_fds)
```

The policy is a `pycodex_protocol.ResolvedSandboxPolicy` (see `pycodex_config.resolve_sandbox_policy`).
Nothing here depends on core; core's sandbox step calls `prepare_command` and `classify_denial`.
"""

from pycodex_sandbox_linux._bwrap import BwrapCommand, build_bwrap_args, find_bwrap
from pycodex_sandbox_linux._denial import SANDBOX_DENIED_KEYWORDS, Denial, DenialKind, classify_denial
from pycodex_sandbox_linux._diagnose import REMEDY, LayerName, LayerStatus, SandboxDiagnosis, diagnose
from pycodex_sandbox_linux._landlock import landlock_abi, landlock_spec
from pycodex_sandbox_linux._plan import PROXY_PORT, LayerChoice, ProxyBridge, SpawnPlan, prepare_command
from pycodex_sandbox_linux._seccomp import SeccompMode, denied_syscalls, program as seccomp_program
from pycodex_sandbox_linux.errors import SandboxError, SandboxSetupError, SandboxUnavailable

__all__ = [
    "BwrapCommand",
    "Denial",
    "DenialKind",
    "LayerChoice",
    "LayerName",
    "LayerStatus",
    "PROXY_PORT",
    "ProxyBridge",
    "REMEDY",
    "SANDBOX_DENIED_KEYWORDS",
    "SandboxDiagnosis",
    "SandboxError",
    "SandboxSetupError",
    "SandboxUnavailable",
    "SeccompMode",
    "SpawnPlan",
    "build_bwrap_args",
    "classify_denial",
    "denied_syscalls",
    "diagnose",
    "find_bwrap",
    "landlock_abi",
    "landlock_spec",
    "prepare_command",
    "seccomp_program",
]
