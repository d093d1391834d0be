"""Protocol types this package produces (re-exported from `pycodex_protocol`)."""

from pycodex_protocol import AskForApproval, SandboxMode, SandboxPolicy

__all__ = ["AskForApproval", "SandboxMode", "SandboxPolicy"]
