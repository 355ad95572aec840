"""``hubcompat {inspect,convert,check} ...`` (also ``python -m hubcompat``): the model tools.

Each subcommand lives in ``hubcompat/commands/<name>.py`` with
``register(subparsers)`` (argparse only, no TensorFlow import, so ``--help``
is fast) and ``run(args) -> int``, which checks its arguments, paths and
handles before it imports TensorFlow (see hubcompat/preflight.py).
TensorFlow's and absl's log lines are hidden unless ``--verbose``. Code
migration has its own entry point: ``hubcompat-migrate``.

Exit status: 0 success, 1 a check or the parity verification failed,
2 bad usage, a bad setting or a handle that cannot be loaded.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = ("inspect", "convert", "check")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def versioned_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The parser of one of hubcompat's scripts, with ``--version`` (both scripts use it)."""
    from hubcompat import __version__

    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--version", action="version", version=f"{prog} {__version__}")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = versioned_parser(
        "hubcompat",
        "Inspect, convert and check TF1 Hub modules and SavedModels. "
        "(Code migration: hubcompat-migrate.)",
    )
    _add_verbose(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"hubcompat.commands.{name}").register(subparsers)
    for subparser in subparsers.choices.values():
        _add_verbose(subparser)
    return parser


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    # Accepted before and after the command; SUPPRESS, so that the subcommand's
    # default does not undo a --verbose given before it.
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show TensorFlow's and absl's log messages",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from hubcompat import config, errors
    from hubcompat.commands import _tensorflow

    _tensorflow.configure(verbose=getattr(args, "verbose", False))
    try:
        config.check()
        return importlib.import_module(f"hubcompat.commands.{args.command}").run(args)
    except errors.HubcompatError as e:
        # The first line says what failed; the lines after it (the next step) are indented.
        print("error: " + str(e).replace("\n", "\n  "), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
