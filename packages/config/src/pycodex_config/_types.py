"""Protocol types this package produces (re-exported from `pycodex_protocol`)."""

from pycodex_protocol import AskForApproval, GranularApprovalSettings, SandboxMode, SandboxPolicy

__all__ = ["AskForApproval", "GranularApprovalSettings", "SandboxMode", "SandboxPolicy"]
