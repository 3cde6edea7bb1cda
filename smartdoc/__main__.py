"""`python -m smartdoc`: the same as the `smartdoc` command."""

from smartdoc.cli import main

main()
