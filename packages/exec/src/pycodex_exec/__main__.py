import sys

from pycodex_exec import main

sys.exit(main())
