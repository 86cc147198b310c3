"""The ``wsgi-conformance`` command (also ``python -m conformance``).

Each subcommand is a module with ``add_parser(subparsers)``, which adds its parser and sets
``func`` (``args -> exit status``); adding a subcommand means listing its module in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from types import ModuleType


def subcommands() -> list[ModuleType]:
    from conformance import adapters_cmd, bench, compare, diff, scaffold

    return [compare, diff, bench, adapters_cmd, scaffold]


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog or "wsgi-conformance",
        description="A spec-conformance test suite for WSGI micro-frameworks. The checks themselves "
                    "run under pytest (pytest --adapter=NAME); this command runs them for you.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in subcommands():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = build_parser(prog)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    args.prog = parser.prog
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (``wsgi-conformance adapters --json | head``): what it read is
        # all it wanted. Quiet, as other commands are: no traceback, and none at exit either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command killed by a closed pipe


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
