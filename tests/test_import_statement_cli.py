"""`ispbox import-statement FILE` as a bank's nightly export job runs it, on a SQLite file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from billing.bank_statements.samples import (
    camt053_document,
    malformed_camt053,
    mt940_text,
    reconciliation_day,
)
from orm.db import close_database, open_database
from tests.support.builders import make_client, make_invoice, make_tenant
from tests.support.database import run_in_own_loop
from tests.test_cli import count, ispbox


async def euro_tenant(url: str, key: str = "acme") -> None:
    await open_database(url)
    try:
        tenant = await make_tenant(key, currency="EUR")
        client = await make_client(tenant, f"{key}-muller", name="Jürgen Müller")
        await make_invoice(
            client, "INV-000012", total="49.90", currency="EUR", due_on=date(2026, 11, 15)
        )
    finally:
        await close_database()


@pytest.fixture
def books(tmp_path: Path) -> Path:
    """A migrated SQLite file with one euro tenant owing INV-000012."""
    path = tmp_path / "ispbox.sqlite3"
    assert ispbox("migrate", database=path).returncode == 0
    run_in_own_loop(euro_tenant(f"sqlite://{path}"))
    return path


def statement_file(tmp_path: Path, text: str, name: str = "statement.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def the_day() -> list:
    day = reconciliation_day("INV-000012")
    return [day["matched"], day["unmatched"], day["duplicate"], day["outgoing"]]


def test_a_camt053_file_is_imported_and_its_counts_printed(books: Path, tmp_path: Path) -> None:
    result = ispbox(
        "import-statement",
        str(statement_file(tmp_path, camt053_document(the_day()))),
        database=books,
    )

    assert result.returncode == 0, result.stderr
    assert "1 matched, 1 unmatched, 1 duplicate, 1 ignored" in result.stdout
    assert count(books, "payments") == 1


def test_the_format_is_guessed_and_mt940_read(books: Path, tmp_path: Path) -> None:
    path = statement_file(tmp_path, mt940_text(the_day()), "statement.sta")

    result = ispbox("import-statement", str(path), database=books)

    assert result.returncode == 0, result.stderr
    assert "(MT940," in result.stdout and "1 matched" in result.stdout


def test_the_nightly_file_imported_again_records_nothing(books: Path, tmp_path: Path) -> None:
    path = statement_file(tmp_path, camt053_document(the_day()))
    ispbox("import-statement", str(path), database=books)

    again = ispbox("import-statement", str(path), "--format", "camt053", database=books)

    assert again.returncode == 0, again.stderr
    assert "0 matched, 0 unmatched, 4 duplicate" in again.stdout
    assert count(books, "payments") == 1


def test_an_unreadable_file_exits_non_zero_saying_where(books: Path, tmp_path: Path) -> None:
    path = statement_file(tmp_path, malformed_camt053()["entry_without_amount"])

    result = ispbox("import-statement", str(path), database=books)

    assert result.returncode == 1
    assert "Stmt[1]/Ntry[1] (line 10): no Amt" in result.stderr
    assert count(books, "bank_statements") == 0


def test_a_wrong_format_is_unreadable(books: Path, tmp_path: Path) -> None:
    path = statement_file(tmp_path, camt053_document(the_day()))

    result = ispbox("import-statement", str(path), "--format", "mt940", database=books)

    assert result.returncode == 1 and "cannot be read" in result.stderr


def test_with_several_tenants_the_tenant_must_be_named(books: Path, tmp_path: Path) -> None:
    run_in_own_loop(euro_tenant(f"sqlite://{books}", "globex"))
    path = statement_file(tmp_path, camt053_document(the_day()))

    unnamed = ispbox("import-statement", str(path), database=books)
    unknown = ispbox("import-statement", str(path), "--tenant", "nope", database=books)
    named = ispbox("import-statement", str(path), "--tenant", "globex", database=books)

    assert unnamed.returncode == 1 and "more than one tenant" in unnamed.stderr
    assert unknown.returncode == 1 and "'nope'" in unknown.stderr
    assert named.returncode == 0 and "1 matched" in named.stdout


def test_a_missing_file_is_named(books: Path, tmp_path: Path) -> None:
    result = ispbox("import-statement", str(tmp_path / "nope.xml"), database=books)

    assert result.returncode == 1 and "nope.xml" in result.stderr
