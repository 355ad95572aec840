"""``python -m hubcompat.migrate PATH...`` / ``hubcompat-migrate``: the command line.

Exit status: 0 done (or nothing to do); 1 ``--check`` found files that would
change; 2 bad usage; 3 some files could not be migrated (listed, left
unchanged). Heavy imports (libcst, the codemods) wait until after argument
parsing, so ``--help`` is fast; TensorFlow is never imported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_ERRORS = 0, 1, 2, 3


def _names(values: list[str] | None) -> list[str]:
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def build_parser() -> argparse.ArgumentParser:
    from hubcompat.__main__ import versioned_parser

    parser = versioned_parser(
        "hubcompat-migrate",
        "Rewrite Python files and Jupyter notebooks off the TF1 tensorflow_hub API "
        "(in place unless --check/--diff).",
    )
    parser.add_argument("paths", nargs="*", help="files and folders (.py, .ipynb)")
    parser.add_argument(
        "--target",
        choices=["hubcompat", "modern"],
        help="hubcompat (default): imports move to hubcompat, legacy calls keep working; "
        "modern: TF2 idioms (hub.load, hub.KerasLayer) where the code is eager/Keras",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file would change"
    )
    parser.add_argument("--diff", action="store_true", help="print a unified diff; write nothing")
    parser.add_argument("--jobs", "-j", type=int, help="processes (default 1)")
    parser.add_argument(
        "--only", action="append", metavar="NAMES", help="run only these codemods (comma-separated)"
    )
    parser.add_argument(
        "--skip", action="append", metavar="NAMES", help="do not run these codemods"
    )
    parser.add_argument("--list-codemods", action="store_true", help="list the codemods and exit")
    parser.add_argument(
        "--report",
        action="append",
        metavar="FILE",
        help="write a report (FILE.md: Markdown, else JSON); repeatable",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="NAME",
        help="folder names to leave out (adds to .venv, build, ...)",
    )
    parser.add_argument(
        "--no-config", action="store_true", help="ignore [tool.hubcompat] in pyproject.toml"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    from hubcompat.migrate import config, registry

    if args.list_codemods:
        for command in registry.all_codemods():
            targets = ",".join(sorted(command.TARGETS))
            print(f"{command.name():24} [{targets}] {command.DESCRIPTION}")
        return EXIT_OK
    if not args.paths:
        parser.error("give at least one file or folder")
    try:
        settings = {} if args.no_config else config.load(config.find_pyproject(args.paths))
    except ValueError as exc:
        parser.error(str(exc))
    target = args.target or settings.get("target", "hubcompat")
    only = _names(args.only) or settings.get("only", [])
    skip = _names(args.skip) or settings.get("skip", [])
    jobs = args.jobs or settings.get("jobs", 1)
    try:
        chosen = registry.select(target, only, skip)
    except ValueError as exc:
        parser.error(str(exc))

    from hubcompat.migrate import runner, sources

    try:
        files = list(
            sources.iter_files(args.paths, [*settings.get("exclude", []), *(args.exclude or [])])
        )
    except FileNotFoundError as exc:
        parser.error(str(exc))
    options = runner.Options(
        target=target, only=tuple(only), skip=tuple(skip),
        write=not (args.check or args.diff), diff=args.diff,
    )  # fmt: skip
    results = runner.migrate_files(files, options, jobs=jobs)
    if not args.no_progress and not args.quiet and sys.stderr.isatty() and len(files) > 1:
        from tqdm import tqdm

        results = tqdm(
            results, total=len(files), unit="file", desc="hubcompat-migrate", leave=False
        )

    from hubcompat.migrate import report

    collected = []
    for result in results:
        collected.append(result)
        if result.diff:
            sys.stdout.write(result.diff)
        if result.status == "error":
            print(f"{result.path}: error: {result.reason}", file=sys.stderr)
            continue
        if args.quiet:
            continue
        for reason in result.skipped_cells:
            print(f"{result.path}: {reason}", file=sys.stderr)
        for event in result.events:
            if event["kind"] == "todo":
                print(
                    f"{report.located(result.path, event)}TODO({event['codemod']}): "
                    f"{event['message']}",
                    file=sys.stderr,
                )
        if result.status == "changed" and not args.diff:
            verb = "would rewrite" if args.check else "rewrote"
            print(f"{verb} {result.path}", file=sys.stderr)

    from hubcompat.migrate import program_needs

    collected = program_needs.complete(collected, map(str, files), options.write)
    summary = report.build(collected, target, [c.name() for c in chosen])
    for path in args.report or []:
        report.write(summary, path)
    counts = summary["counts"]
    if not args.quiet:
        print(
            f"{'would change' if args.check or args.diff else 'changed'} {counts['changed']}, "
            f"unchanged {counts['unchanged']}, no tensorflow_hub reference "
            f"{counts['no_tensorflow_hub_reference']}, could not migrate {counts['errors']}, "
            f"TODOs {counts['todos']}",
            file=sys.stderr,
        )
        for line in program_needs.summary_lines(summary):
            print(line, file=sys.stderr)
    if args.check and counts["changed"]:
        return EXIT_CHANGES
    if counts["errors"]:
        return EXIT_ERRORS
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
