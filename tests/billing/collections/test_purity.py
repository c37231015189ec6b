"""The collections rules are pure: importing them loads no ORM, web, queue or dashboard
framework."""

from __future__ import annotations

import subprocess
import sys

FRAMEWORKS = ("tortoise", "starlette", "strawberry", "dramatiq", "streamlit", "orm")


def test_collections_rules_import_no_framework() -> None:
    probe = (
        "import sys, billing.collections.aging, billing.collections.decisions, "
        "billing.collections.policy, billing.collections.working_days\n"
        f"print(sorted(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
