"""Run mypy over the whole ``reasonry`` import root.

The top-level folders (generators/, verifiers/, ...) install as ``reasonry.<folder>`` through setuptools'
package-dir map, which mypy cannot follow. This lays the import root out as links in ``build/typecheck`` and
checks it as one package, so every ``reasonry.x`` import resolves to the file in this checkout; paths in the
report are given back as they are in the repository. Exit status is mypy's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = ("generators", "verifiers", "filters", "pipelines", "data_cards")


def shadow_tree() -> Path:
    base = ROOT / "build" / "typecheck"
    shutil.rmtree(base, ignore_errors=True)
    package = base / "reasonry"
    package.mkdir(parents=True)
    for entry in sorted((ROOT / "reasonry").iterdir()):
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for folder in MAPPED:
        (package / folder).symlink_to(ROOT / folder)
    return base


def main(argv: list[str]) -> int:
    base = shadow_tree()
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
               "--cache-dir", str(ROOT / "build" / "mypy-cache"), "-p", "reasonry", *argv]
    result = subprocess.run(command, cwd=base, capture_output=True, text=True, env={**os.environ})
    out = result.stdout + result.stderr
    for folder in MAPPED:
        out = out.replace(f"reasonry/{folder}/", f"{folder}/")
    sys.stdout.write(out)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
