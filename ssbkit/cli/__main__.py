"""``python -m ssbkit.cli``: the same as the ``ssbkit`` command."""

from ssbkit.cli import main

main()
