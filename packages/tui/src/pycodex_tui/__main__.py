import sys

from pycodex_tui import main

sys.exit(main())
