"""Write the schema's SDL to the repository's `schema.graphql`: `python -m graph.export`."""

from __future__ import annotations

import sys
from pathlib import Path

from graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def exported_sdl() -> str:
    return f"{str(schema).rstrip()}\n"


def main() -> int:
    SCHEMA_FILE.write_text(exported_sdl(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
