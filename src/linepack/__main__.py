"""``python -m linepack``: the command line, as the ``linepack`` script."""

from linepack.cli import main

main()
