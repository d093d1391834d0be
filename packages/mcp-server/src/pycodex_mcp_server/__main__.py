import sys

from pycodex_mcp_server import main

sys.exit(main())
