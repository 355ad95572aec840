"""The subcommands of ``python -m hubcompat`` (see ``hubcompat/__main__.py``)."""

from __future__ import annotations

import argparse


def add_tags_argument(parser: argparse.ArgumentParser) -> None:
    """``--tags``, the same for every command: repeatable, and each value may list several."""
    parser.add_argument("--tags", action="append", metavar="TAG[,TAG]",
                        help="the tag set to load: --tags train or --tags a,b (repeatable; "
                        "default: set() when the module has it, else its only tag set)")


def parse_tags(values: list[str] | None) -> set[str] | None:
    """``["train", "a,b"]`` -> ``{"train", "a", "b"}``; None (not given) stays None."""
    if values is None:
        return None
    return {tag.strip() for value in values for tag in value.split(",") if tag.strip()}
