"""The totals of an imported invoice whose lines carry tax rates: net lines, tax per rate."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from billing.imports import importer
from billing.imports.importer import import_document, imported_taxes
from billing.taxes.calculation import TaxCategory
from orm.models import Invoice, InvoiceTax
from tests.support.keys import TEST_SECRET_KEY as KEY

original_line_columns = importer.line_columns


def line(amount_cents: int, tax_rate: Decimal | None) -> dict[str, Any]:
    """A line as the import stores it (only what the totals read)."""
    return {"amount_cents": amount_cents, "tax_rate": tax_rate}


def test_lines_without_rates_total_as_the_file_charged_them() -> None:
    assert imported_taxes([line(4999, None), line(8900, None)]) is None
    assert imported_taxes([{"amount_cents": 4999}]) is None


def test_lines_with_rates_are_net_and_taxed_once_per_rate() -> None:
    taxes = imported_taxes(
        [line(4999, Decimal("20")), line(1, Decimal("20.0000")), line(1000, Decimal("0"))]
    )

    assert taxes is not None
    rows = {(row.category, row.rate): (row.taxable, row.tax) for row in taxes.rows}
    # 5000 at 20 %: 1000, once for the rate (per line it would be 999.8 → 1000 and 0.2 → 0).
    assert rows == {
        (TaxCategory.STANDARD, Decimal(20)): (5000, 1000),
        (TaxCategory.ZERO_RATED, Decimal(0)): (1000, 0),
    }
    assert (taxes.subtotal, taxes.tax_total, taxes.total) == (6000, 1000, 7000)


def test_a_line_without_a_rate_beside_taxed_ones_carries_no_tax() -> None:
    taxes = imported_taxes([line(4999, Decimal("7")), line(500, None)])

    assert taxes is not None
    assert [(row.category, row.taxable, row.tax) for row in taxes.rows] == [
        (TaxCategory.STANDARD, 4999, 350),
        (TaxCategory.OUTSIDE_SCOPE, 500, 0),
    ]
    assert taxes.total == 4999 + 500 + 350


def history_document(amounts: list[str], paid: str | None = None) -> dict[str, Any]:
    """One tenant, one client, one imported invoice of one-time lines."""
    lines = [
        {"description": f"Line {n}", "amount": amount, "period_start": None, "period_end": None}
        for n, amount in enumerate(amounts)
    ]
    payments = [{"amount": paid, "paid_on": "2026-09-05", "method": "cash"}] if paid else []
    settings = {
        "payment_terms_days": 14,
        "grace_period_days": 7,
        "auto_generate": False,
        "auto_email": False,
        "auto_charge": False,
        "invoice_number_prefix": "INV-",
    }
    record = {"key": "legacy-1", "number": "OLD-1", "issued_on": "2026-09-01", "lines": lines}
    client = {"key": "c-1", "name": "Jane Smith", "invoices": [record | {"payments": payments}]}
    tenant = {"key": "acme", "name": "Acme", "currency": "USD", "timezone": "UTC"}
    return {"tenants": [tenant | {"settings": settings, "clients": [client]}]}


def lines_taxed_at(rate: Decimal) -> Callable[..., dict[str, Any]]:
    """The import's line columns with a rate on every line, as a file carrying rates stores
    them."""

    def columns(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return original_line_columns(*args, **kwargs) | {"tax_rate": rate}

    return columns


@pytest.mark.asyncio
async def test_an_imported_invoice_with_rates_is_taxed_and_keeps_its_breakdown(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "line_columns", lines_taxed_at(Decimal("20")))

    await import_document(history_document(["49.99", "0.01"], paid="10.00"), signing_key=KEY)

    invoice = await Invoice.get(import_key="legacy-1")
    figures = (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents)
    assert figures == (5000, 1000, 6000)
    assert invoice.balance_cents == 5000
    rows = await InvoiceTax.filter(invoice=invoice).values_list(
        "category", "rate", "taxable_cents", "tax_cents"
    )
    assert [(c, Decimal(r), t, x) for c, r, t, x in rows] == [("S", Decimal(20), 5000, 1000)]


@pytest.mark.asyncio
async def test_re_importing_an_invoice_without_rates_drops_its_breakdown(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(importer, "line_columns", lines_taxed_at(Decimal("20")))
        await import_document(history_document(["49.99"]), signing_key=KEY)

    await import_document(history_document(["49.99"]), signing_key=KEY)

    invoice = await Invoice.get(import_key="legacy-1")
    assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (4999, 0, 4999)
    assert not await InvoiceTax.filter(invoice=invoice).exists()
