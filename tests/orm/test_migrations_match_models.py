"""The committed migrations describe the models exactly: `tortoise makemigrations` on a copy of
the repository finds nothing to add (a model field without its migration fails here, not on the
first database that runs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGES = ("billing", "orm", "ispbox")


def test_makemigrations_finds_no_change(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            REPOSITORY / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "ISPBOX_DATABASE_URL": f"sqlite://{tmp_path / 'scratch.sqlite3'}",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tortoise",
            "-c",
            "ispbox.tortoise_cli.TORTOISE_ORM",
            "makemigrations",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout, result.stdout
    written = sorted(path.name for path in (tmp_path / "orm" / "migrations").glob("0*.py"))
    committed = sorted(path.name for path in (REPOSITORY / "orm" / "migrations").glob("0*.py"))
    assert written == committed
