"""The wheel must contain every subpackage, and only pipelines/ may import Beam."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = {"reasonry": "reasonry", "generators": "reasonry.generators", "verifiers": "reasonry.verifiers",
       "filters": "reasonry.filters", "pipelines": "reasonry.pipelines", "data_cards": "reasonry.data_cards"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_in_the_package_list():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for folder, import_root in TOP.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([import_root, *rel.parts]))
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == set(), "these listed packages have no folder"


def test_package_dir_maps_each_top_level_folder():
    mapping = _pyproject()["tool"]["setuptools"]["package-dir"]
    assert mapping == {import_root: folder for folder, import_root in TOP.items()}


def test_only_pipelines_import_beam():
    offenders = []
    pattern = re.compile(r"^\s*(import apache_beam|from apache_beam)", re.M)
    for folder in TOP:
        if folder == "pipelines":
            continue
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
