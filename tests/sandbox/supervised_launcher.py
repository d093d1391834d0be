"""`python supervised_launcher.py CMD...`: exec CMD through `prepare_command(..., supervised=True)`.

The plan is exec'd as a plain argv with every descriptor this process inherited still open, as a
spawner that cannot pass or close descriptors would leave them: the supervisor must close them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pycodex_config import NamedPermissions, legacy_permission_profile, resolve_sandbox_policy
from pycodex_sandbox_linux import prepare_command


def main() -> None:
    cwd = Path.cwd()
    legacy = legacy_permission_profile(
        {"type": "workspace-write", "writable_roots": [], "network_access": False,
         "exclude_tmpdir_env_var": True, "exclude_slash_tmp": False},
        cwd,
    )  # fmt: skip
    policy = resolve_sandbox_policy(NamedPermissions("legacy", legacy), cwd=cwd)
    env = dict(os.environ)
    if os.environ.get("PROBE_LD_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["PROBE_LD_PRELOAD"]
    plan = prepare_command(sys.argv[1:], cwd, env, policy, supervised=True)
    assert plan.pass_fds == () and plan.layer == "bubblewrap"
    os.execve(plan.argv[0], plan.argv, plan.env)


if __name__ == "__main__":
    main()
