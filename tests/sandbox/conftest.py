"""The escape suite: real bubblewrap, seccomp and Landlock on this kernel, judged from outside."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
