"""Records what the legacy programs print with GENUINE tensorflow_hub 0.15 (TF 2.15).

Run with the side venv; writes references/*.txt (commit them):

    .nox/legacy_reference/bin/python tests/legacy_programs/record_references.py [--hubcompat-python .nox/legacy_reference/bin/python]

use_exported.py runs in genuine hub on a module exported by *hubcompat*
(export_module.py run with the hubcompat python given), so its reference also
proves that our exports load in genuine tensorflow_hub.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import programs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubcompat-python", default=sys.executable)
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    os.makedirs(programs.REFERENCES, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Committed: tests run use_exported.py (hubcompat) on genuine's export.
        exported = programs.GENUINE_EXPORT
        if os.path.exists(exported) and (not args.only or "export_module" in args.only):
            shutil.rmtree(exported)
        for name, program_args in programs.PROGRAMS.items():
            if args.only and name not in args.only:
                continue
            program_args = [a.replace("{exported}", exported) for a in program_args]
            out = programs.run(sys.executable, name, program_args)
            with open(programs.reference_path(name), "w", encoding="utf-8") as f:
                f.write(out)
            print("recorded", name, len(out.splitlines()), "lines")
        if not args.only or programs.CROSS_PROGRAM in args.only:
            ours = os.path.join(tmp, "exported_by_hubcompat")
            programs.run(args.hubcompat_python, "export_module", [ours],
                         hub_import=programs.HUBCOMPAT_IMPORT)
            out = programs.run(sys.executable, programs.CROSS_PROGRAM, [ours])
            with open(programs.reference_path(programs.CROSS_PROGRAM), "w", encoding="utf-8") as f:
                f.write(out)
            print("recorded", programs.CROSS_PROGRAM, "on the hubcompat export")


if __name__ == "__main__":
    main()
