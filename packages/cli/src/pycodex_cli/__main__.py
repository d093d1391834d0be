from pycodex_cli import main

main()
