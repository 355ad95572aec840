"""``python -m hubcompat convert SRC DST``: a TF1 module to a plain TF2 SavedModel.

See hubcompat/conversion.py. Exit status 1 when the parity check fails (DST
is kept, the report names the outputs that differ), 2 for errors (nothing is
written).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING

from hubcompat.commands import add_tags_argument, parse_tags
from hubcompat.tolerances import DEFAULT_ATOL

if TYPE_CHECKING:  # hubcompat.conversion imports TensorFlow
    from hubcompat.conversion import ConversionReport

EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "convert", help="convert a TF1 Hub module to a TF2 SavedModel",
        description="Write a TF1 Hub module (or TF1 SavedModel) as a reusable TF2 SavedModel "
        "that tf.saved_model.load() reads without hubcompat, then check that it computes "
        "what the module does.",
    )
    parser.add_argument("src", help="a folder, archive, URL or tfhub.dev / Kaggle handle")
    parser.add_argument("dst", help="the folder to write (must not exist, unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing DST")
    add_tags_argument(parser)
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="skip comparing the converted model's outputs with the module's")
    parser.add_argument("--atol", type=float, default=DEFAULT_ATOL,
                        help="largest absolute difference the check accepts "
                        f"(default {DEFAULT_ATOL:g})")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from hubcompat import preflight
    from hubcompat.commands._tensorflow import import_tensorflow

    preflight.conversion(args.src, args.dst, overwrite=args.overwrite)  # before TensorFlow
    import_tensorflow("hubcompat convert")
    from hubcompat.conversion import convert

    report = convert(args.src, args.dst, overwrite=args.overwrite, tags=parse_tags(args.tags),
                     verify=args.verify, atol=args.atol)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        print(format_text(report))
    return EXIT_OK if report.ok else EXIT_FAILED


def format_text(report: ConversionReport) -> str:
    lines = [
        f"converted {report.source} ({report.format}) -> {report.destination}",
        f"  signatures: {', '.join(report.signatures) or 'none'}",
        f"  __call__:   {'yes (training=False/True)' if report.has_call else 'no (no default signature)'}",
        f"  variables:  {report.variables}",
    ]
    if not report.verified:
        lines.append("  parity:     not checked (--no-verify)")
        return "\n".join(lines)
    width = max((len(k) for k in report.differences), default=0)
    lines.append(f"  parity (max abs difference, atol {report.atol:g}):")
    for key, difference in sorted(report.differences.items()):
        mark = "ok" if difference <= report.atol else "FAILED"
        value = "mismatch" if math.isinf(difference) else f"{difference:.3g}"
        lines.append(f"    {key:<{width}}  {value:>9}  {mark}")
    if not report.ok:
        lines.append(f"FAILED: {len(report.failures)} output(s) differ by more than {report.atol:g}; "
                     f"{report.destination} was written but does not match the module.")
    return "\n".join(lines)
