"""``python -m hubcompat check HANDLE``: does a model load, run, match a reference, fine-tune?

Prints one ``PASS`` / ``FAIL`` / ``SKIP`` line per check (see
:mod:`hubcompat.checks` and docs/checking.md); exit status 1 when a check
failed, 2 when the handle or a file cannot be used.
"""

from __future__ import annotations

import argparse

from hubcompat.check_names import SKIPPABLE
from hubcompat.commands import add_tags_argument, parse_tags
from hubcompat.commands._tensorflow import import_tensorflow
from hubcompat.tolerances import DEFAULT_ATOL, DEFAULT_RTOL


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that a model loads, runs, matches a reference and fine-tunes",
        description="Load a TF1 Hub module or SavedModel and check it: every signature runs on "
        "example inputs with finite outputs, outputs match a reference file, it works as a "
        "KerasLayer, survives tf.saved_model.save/load, and trains (gradients for every "
        "trainable variable). One PASS/FAIL/SKIP line per check; exit status 1 on a failure.",
    )
    parser.add_argument("handle", help="a path, archive, URL or tfhub.dev/Kaggle handle")
    parser.add_argument("--reference", metavar="FILE.npz",
                        help="compare outputs with this file (keys input/<signature>/<input>, "
                        "output/<signature>/<output>); its inputs are the ones fed")
    parser.add_argument("--record", metavar="FILE.npz",
                        help="write the inputs used and the outputs computed to FILE.npz")
    parser.add_argument("--overwrite", action="store_true",
                        help="let --record replace an existing file")
    parser.add_argument("--inputs", metavar="FILE.npz",
                        help="inputs to feed (keys input/<signature>/<input>) instead of "
                        "generated examples")
    parser.add_argument("--atol", type=float, default=DEFAULT_ATOL,
                        help=f"absolute tolerance ({DEFAULT_ATOL:g})")
    parser.add_argument("--rtol", type=float, default=DEFAULT_RTOL,
                        help=f"relative tolerance ({DEFAULT_RTOL:g})")
    add_tags_argument(parser)
    parser.add_argument("--skip", type=_skip_list, default=(), metavar="CHECKS",
                        help=f"comma-separated checks not to run: {', '.join(SKIPPABLE)}")


def _skip_list(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in SKIPPABLE]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"cannot skip {', '.join(unknown)}; choose from {', '.join(SKIPPABLE)}")
    return names


def run(args: argparse.Namespace) -> int:
    from hubcompat import errors, preflight

    if args.record and args.reference:
        raise errors.CheckArgumentError("Pass --record or --reference, not both.")
    # Wrong paths and files fail here, before TensorFlow is imported.
    preflight.require_tensorflow("hubcompat check")
    from hubcompat import reference_npz

    if args.record:
        reference_npz.check_writable(args.record, overwrite=args.overwrite)
    reference = reference_npz.read(args.reference) if args.reference else None
    inputs = reference_npz.read(args.inputs) if args.inputs else None
    preflight.model(args.handle)
    import_tensorflow("hubcompat check")
    from hubcompat.checks import run_checks

    results = run_checks(args.handle, reference=reference, inputs=inputs,
                         atol=args.atol, rtol=args.rtol, tags=parse_tags(args.tags), skip=args.skip,
                         record=args.record, overwrite=args.overwrite)
    for result in results:
        print(result.line(), flush=True)
    return 1 if any(r.failed for r in results) else 0
