"""Package list for setuptools (all other metadata lives in pyproject.toml).

``[tool.setuptools.packages.find]`` cannot discover a package whose folder is
renamed through ``package-dir`` (``codemods/`` -> ``hubcompat.codemods``, kept
out of the top level so it cannot collide with another ``codemods``), so the
list is computed here: every ``hubcompat*`` package plus the codemods.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["hubcompat", "hubcompat.*"]),
        "hubcompat.codemods",
        *(f"hubcompat.codemods.{p}" for p in find_packages("codemods")),
    ]
)
