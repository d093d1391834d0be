"""Writable roots and the metadata paths that stay read-only inside them (`.git`, `.codex`, ...)."""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

PROTECTED_NAMES = (".git", ".agents", ".codex", ".aws")
"""Entries of every writable root that a patch may not create, change, remove or rename over."""

_POINTER_LIMIT = 4096
"""Bytes read from a `.git` file: a `gitdir:` pointer is one short line."""

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _gitdir_pointer(dot_git: str) -> str | None:
    """The directory a `.git` *file* points at (`gitdir: <path>`, relative to its folder), if it exists."""
    try:
        fd = os.open(dot_git, _READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # a directory, a FIFO, a device: never read
        head = os.read(fd, _POINTER_LIMIT)
    except OSError:
        return None
    finally:
        os.close(fd)
    first = head.split(b"\n", 1)[0].strip()
    if not first.startswith(b"gitdir:"):
        return None
    target = os.fsdecode(first[len(b"gitdir:") :].strip())
    if not target:
        return None
    resolved = os.path.normpath(os.path.join(os.path.dirname(dot_git), target))
    return resolved if os.path.isdir(resolved) else None


def protected_subpaths(root: str | os.PathLike[str]) -> tuple[str, ...]:
    """The paths inside `root` that stay read-only when `root` is writable.

    These are `root/.git`, `root/.agents`, `root/.codex` and `root/.aws`, whether or not they exist
    (so a patch cannot create them either), plus the git directory a `.git` file points to
    (`gitdir: <path>`, as in a worktree or submodule) when that directory exists. Nothing is
    written; only a `.git` regular file is read (its first 4 KiB).

    Args:
        root: A writable directory (made absolute, not resolved).

    Returns:
        Absolute paths, `.git` first.
    """
    base: str = os.path.abspath(os.fspath(root))
    dot_git = os.path.join(base, ".git")
    paths = [os.path.join(base, name) for name in PROTECTED_NAMES]
    pointed = _gitdir_pointer(dot_git)
    if pointed is not None:
        paths.insert(1, pointed)
    return tuple(paths)


class WritableRoot:
    """A directory a patch may write to, minus read-only sub-paths (Codex's `WritableRoot`)."""

    __slots__ = ("read_only_subpaths", "root")

    def __init__(self, root: str | os.PathLike[str], read_only_subpaths: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.root = os.fspath(root)
        """The writable directory (relative paths are taken from the patch's cwd)."""
        self.read_only_subpaths = tuple(os.fspath(path) for path in read_only_subpaths)
        """Paths under `root` (absolute, or relative to `root`) that stay read-only, with all they contain."""

    @classmethod
    def protected(cls, root: str | os.PathLike[str]) -> WritableRoot:
        """`root` with `protected_subpaths(root)` read-only, as a `workspace-write` sandbox has it."""
        return cls(root, protected_subpaths(root))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WritableRoot):
            return NotImplemented
        return (self.root, self.read_only_subpaths) == (other.root, other.read_only_subpaths)

    def __hash__(self) -> int:
        return hash((self.root, self.read_only_subpaths))

    def __repr__(self) -> str:
        return f"WritableRoot({self.root!r}, read_only_subpaths={self.read_only_subpaths!r})"


class ResolvedRoots:
    """Writable roots resolved against a cwd, with every read-only sub-path in its lexical and real form."""

    __slots__ = ("protected", "roots")

    def __init__(self, cwd: str, roots: Iterable[str | os.PathLike[str] | WritableRoot]) -> None:
        self.roots: list[str] = []
        protected: dict[str, str] = {}
        for entry in roots:
            root = entry if isinstance(entry, WritableRoot) else WritableRoot(entry)
            lexical = os.path.abspath(os.path.join(cwd, root.root))
            self.roots.append(os.path.realpath(lexical))
            for sub in root.read_only_subpaths:
                path = os.path.abspath(os.path.join(lexical, sub))
                for form in (path, os.path.realpath(path)):
                    # Compared case-insensitively: on macOS and Windows `.GIT` is `.git`.
                    protected.setdefault(form.casefold(), form)
        self.protected = protected
        """Case-folded read-only path -> the path as given."""

    def read_only_match(self, *paths: str) -> str | None:
        """The read-only sub-path that holds (or is) one of `paths`, else None."""
        if not self.protected:
            return None
        for path in paths:
            folded = path.casefold()
            while True:
                found = self.protected.get(folded)
                if found is not None:
                    return found
                parent = os.path.dirname(folded)
                if parent == folded:
                    break
                folded = parent
        return None

    def inside(self, key: str) -> bool:
        """True when `key` (resolved) lies in one of the writable roots."""
        for root in self.roots:
            if key == root or key.startswith(root if root.endswith(os.sep) else root + os.sep):
                return True
        return False
