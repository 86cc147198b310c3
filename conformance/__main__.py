"""``python -m conformance compare ...``: the same command as ``wsgi-conformance``."""

import sys

from conformance.cli import main

sys.exit(main(prog="python -m conformance"))
