"""``python -m hubcompat {inspect,convert,check} ...``: the model tools.

Each subcommand lives in ``hubcompat/commands/<name>.py`` with
``register(subparsers)`` (argparse only, no TensorFlow import, so ``--help``
is fast) and ``run(args) -> int``. Code migration has its own entry point:
``python -m hubcompat.migrate``.

Exit status: 0 success, 1 a check or the parity verification failed,
2 bad usage or a handle that cannot be loaded.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = ("inspect", "convert", "check")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hubcompat",
        description="Inspect, convert and check TF1 Hub modules and SavedModels. "
        "(Code migration: python -m hubcompat.migrate.)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"hubcompat.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from hubcompat import errors

    try:
        return importlib.import_module(f"hubcompat.commands.{args.command}").run(args)
    except errors.HubcompatError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
