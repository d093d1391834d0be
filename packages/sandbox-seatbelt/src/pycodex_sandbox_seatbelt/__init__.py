"""macOS Seatbelt sandbox of pycodex: SBPL profiles for `/usr/bin/sandbox-exec`, built from a `ResolvedSandboxPolicy`.

```python
from pycodex_sandbox_seatbelt import seatbelt_command, seatbelt_env

argv = seatbelt_command(["make"], policy)   # ["/usr/bin/sandbox-exec", "-p", PROFILE, "-D...", "--", "make"]
env = seatbelt_env(os.environ, policy)     # CODEX_SANDBOX=seatbelt
```

Generated and checked on every platform; it runs for real only on macOS.
"""

from pycodex_sandbox_seatbelt._profile import (
    SANDBOX_EXEC,
    SeatbeltProfile,
    build_profile,
    seatbelt_command,
    seatbelt_env,
)

__all__ = ["SANDBOX_EXEC", "SeatbeltProfile", "build_profile", "seatbelt_command", "seatbelt_env"]
