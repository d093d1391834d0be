"""Permission profiles (Codex 0.169's filesystem + network model) and the resolved sandbox policy.

`PermissionProfile` is the wire form Codex 0.169 serializes into `<environment_context>` and hands
to its Linux helper (`--permission-profile`): a `managed` profile carries a filesystem policy
(`restricted` entries, `unrestricted`, or `external-sandbox`) and a network setting; `disabled` is
`danger-full-access`; `external` means an outer sandbox controls everything.

`ResolvedSandboxPolicy` is what every platform sandbox consumes: concrete absolute paths, each
writable root with its read-only sub-paths, and the network mode. It is computed from a profile
(and the session's cwd, `$TMPDIR`, workspace roots) by `pycodex_config.resolve_sandbox_policy`.

`PROTECTED_METADATA_NAMES` is the one list of names that stay read-only inside every writable
root; the sandboxes and `apply_patch` share it.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal, NotRequired, TypeAlias, TypedDict

from ._tags import BY_TYPE

logger = logging.getLogger(__name__)

PROTECTED_METADATA_NAMES: tuple[str, ...] = (".git", ".agents", ".codex", ".aws")
"""Names kept read-only inside every writable root, whether or not they exist yet (Codex 0.169)."""

FileSystemAccessMode: TypeAlias = Literal["read", "write", "deny"]
"""Access of one entry; config files spell `deny` as `none` too."""

FileSystemSpecialPathKind: TypeAlias = Literal[
    "root", "minimal", "current_working_directory", "project_roots", "tmpdir", "slash_tmp", "unknown"
]
"""Symbolic paths (`:root`, `:minimal`, `:workspace`/`:project_roots`, `:tmpdir`, `:slash_tmp`)."""


class FileSystemSpecialPathValue(TypedDict):
    """`{"kind": "project_roots", "subpath": ".git"}`."""

    kind: FileSystemSpecialPathKind
    subpath: NotRequired[str]
    """Relative path below the special path (`project_roots`, `unknown`)."""
    path: NotRequired[str]
    """The token as written, kept for kinds this version does not know (`unknown`)."""


class SpecialFileSystemPath(TypedDict):
    """A symbolic path, resolved per session."""

    type: Literal["special"]
    value: FileSystemSpecialPathValue


class AbsoluteFileSystemPath(TypedDict):
    """An absolute path."""

    type: Literal["path"]
    path: str


FileSystemPath: TypeAlias = Annotated[SpecialFileSystemPath | AbsoluteFileSystemPath, BY_TYPE]
"""Where a filesystem entry applies."""


class FileSystemSandboxEntry(TypedDict):
    """One rule: the most specific matching entry wins; on a tie `deny` > `write` > `read`."""

    path: FileSystemPath
    access: FileSystemAccessMode
    missing_path_behavior: NotRequired[Literal["skip", "protect"]]
    """What to do when the path does not exist (`skip`: nothing to enforce there yet)."""


class RestrictedFileSystemPolicy(TypedDict):
    """Only what the entries grant."""

    type: Literal["restricted"]
    entries: list[FileSystemSandboxEntry]


class UnrestrictedFileSystemPolicy(TypedDict):
    """Read and write everywhere."""

    type: Literal["unrestricted"]


class ExternalFileSystemPolicy(TypedDict):
    """An outer sandbox decides."""

    type: Literal["external-sandbox"]


FileSystemSandboxPolicy: TypeAlias = Annotated[
    RestrictedFileSystemPolicy | UnrestrictedFileSystemPolicy | ExternalFileSystemPolicy, BY_TYPE
]
"""Codex's `FileSystemSandboxPolicy`."""

NetworkSandboxPolicy: TypeAlias = Literal["restricted", "enabled"]
"""Whether sandboxed commands may open network connections."""


class ManagedPermissionProfile(TypedDict):
    """A profile the sandbox enforces."""

    type: Literal["managed"]
    file_system: FileSystemSandboxPolicy
    network: NetworkSandboxPolicy


class DisabledPermissionProfile(TypedDict):
    """`danger-full-access`: no sandbox."""

    type: Literal["disabled"]
    file_system: NotRequired[UnrestrictedFileSystemPolicy]
    network: NotRequired[NetworkSandboxPolicy]


class ExternalPermissionProfile(TypedDict):
    """Already inside an external sandbox."""

    type: Literal["external"]
    network: NetworkSandboxPolicy


PermissionProfile: TypeAlias = Annotated[
    ManagedPermissionProfile | DisabledPermissionProfile | ExternalPermissionProfile, BY_TYPE
]
"""Codex 0.169's `PermissionProfile`, tagged by `type`."""


class WritableRoot(TypedDict):
    """A directory commands may write, minus its read-only sub-paths."""

    root: str
    """Absolute path."""
    read_only_subpaths: list[str]
    """Absolute paths below `root` that stay read-only, including ones that do not exist yet."""


NetworkMode: TypeAlias = Literal["off", "on", "proxied"]
"""No network; full network; only the loopback policy proxy."""

SandboxKind: TypeAlias = Literal["restricted", "unrestricted", "external"]
"""`restricted` is enforced by a platform sandbox; the others run commands as they are."""


class NetworkProxySettings(TypedDict):
    """Domain rules the policy proxy enforces when `network` is `proxied`."""

    allowed_domains: list[str]
    """Hosts (or `*.suffix` patterns) that may be reached; empty blocks everything."""
    denied_domains: list[str]
    """Hosts always refused (deny wins over allow)."""
    allow_local_binding: bool
    """Allow listening sockets and private/loopback destinations."""


class ResolvedSandboxPolicy(TypedDict):
    """The concrete policy a platform sandbox enforces for one command."""

    kind: SandboxKind
    full_read: bool
    """Read the whole filesystem (minus `denied_paths`)."""
    readable_roots: list[str]
    """When not `full_read`: the only readable trees (besides the platform minimum)."""
    writable_roots: list[WritableRoot]
    """Writable trees; empty under read-only."""
    denied_paths: list[str]
    """Neither readable nor writable."""
    network: NetworkMode
    proxy: NotRequired[NetworkProxySettings]
    """Present when `network` is `proxied`."""
