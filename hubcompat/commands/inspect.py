"""``python -m hubcompat inspect HANDLE``: what a model holds (see hubcompat/inspection.py)."""

from __future__ import annotations

import argparse
import json
import sys

from hubcompat.commands import add_tags_argument, parse_tags


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "inspect", help="describe a TF1 Hub module or SavedModel",
        description="Describe a TF1 Hub module, TF1 SavedModel or TF2 SavedModel: tag sets, "
        "signatures, variables, assets, attached messages and what training=True changes.",
    )
    parser.add_argument("handle", help="a folder, archive, URL or tfhub.dev / Kaggle handle")
    add_tags_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (schema in the docs)")


def run(args: argparse.Namespace) -> int:
    from hubcompat import preflight
    from hubcompat.commands._tensorflow import import_tensorflow

    preflight.model(args.handle)  # a wrong handle fails here, before TensorFlow is imported
    import_tensorflow("hubcompat inspect")
    from hubcompat.inspection import describe

    info = describe(args.handle, tags=parse_tags(args.tags))
    if args.json:
        json.dump(info, sys.stdout, indent=2, sort_keys=True)
        print()
    else:
        print(format_text(info))
    return 0


def format_text(info: dict) -> str:
    """The human-readable report: sections of aligned ``label: value`` lines."""
    lines = [
        *_rows([("handle", info["handle"]), ("path", info["path"]), ("format", info["format"]),
                ("tag sets", ", ".join(_tags(t) for t in info["tag_sets"])),
                ("loaded tags", _tags(info["tags"]) if info["tags"] is not None else "default")]),
        "",
        f"signatures ({len(info['signatures'])}):",
    ]
    for name, signature in info["signatures"].items():
        lines.append(f"  {name}")
        rows = [(f"    {direction[:-1]} {key}", _tensor(t))
                for direction in ("inputs", "outputs")
                for key, t in signature[direction].items()]
        if not signature["inputs"]:
            rows.insert(0, ("    inputs", "none"))
        lines.extend(_rows(rows))
    variables = info["variables"]
    lines += ["", *_rows([
        ("variables", f"{variables['count']} ({variables['trainable_count']} trainable), "
                      f"{variables['elements']:,} values, {_size(variables['bytes'])}"),
        ("assets", ", ".join(info["assets"]) or "none"),
        ("attached messages", ", ".join(_attachment(k, v) for k, v in
                                        info["attached_messages"].items()) or "none"),
        ("__call__", _call(info["call"])),
        ("regularization losses", str(info["regularization_losses"])),
    ])]
    training = info["training"]
    if training is not None:
        lines += ["", "training=True:"]
        if not training["train_graph"]:
            lines.append("  no {\"train\"} graph: training=True computes what inference does")
        else:
            rows = [("  train graph", _tags(training["train_tags"])),
                    ("  update ops", str(training["update_ops"]))]
            for name, changed in training["changed_outputs"].items():
                text = ("cannot run in training mode" if changed is None
                        else ", ".join(changed) or "no output changes")
                rows.append((f"  changes {name}", text))
            lines.extend(_rows(rows))
    return "\n".join(lines)


def _rows(rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(label) for label, _ in rows), default=0)
    return [f"{label + ':':<{width + 1}} {value}" for label, value in rows]


def _tags(tags: list[str] | None) -> str:
    return "{" + ", ".join(f'"{t}"' for t in tags) + "}" if tags else "set()"


def _tensor(t: dict) -> str:
    shape = "unknown" if t["shape"] is None else "[" + ", ".join(
        "?" if d is None else str(d) for d in t["shape"]) + "]"
    return f"{t['dtype']} {shape}" + (" sparse" if t["sparse"] else "")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _attachment(key: str, value: dict) -> str:
    if value["type"] == "ImageModuleInfo":
        height, width = value["default_image_size"]
        return f"{key} (ImageModuleInfo, image size {height}x{width})"
    return f"{key} ({value['bytes']} bytes)"


def _call(call: dict) -> str:
    if not call["exists"]:
        return "none (no 'default' signature): use signatures"
    return "obj(inputs, training=...)" if call["accepts_training"] else "obj(inputs)"
