"""Fuzzy file search for `@` mentions: gitignore-aware listing, fast queries on large trees.

```python
from pycodex_file_search import FileIndex

index = FileIndex.build(Path.cwd())
[m.path for m in index.search("readme")]
```
"""

from ._search import BackgroundIndex, FileIndex, FileMatch, fuzzy_indices
from ._walk import list_files

__all__ = ["BackgroundIndex", "FileIndex", "FileMatch", "fuzzy_indices", "list_files"]
