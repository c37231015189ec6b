"""Issuing credit notes: what they credit, their limits, settlement, numbering and taxes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.audit.actions import AuditAction
from billing.credit_notes.issue import CreditNoteRequest, LineAmount, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.kpis import invoice_kpis
from billing.invoices.lifecycle import InvoiceStatus
from billing.taxes.calculation import TaxableLine, credit_lines
from orm.models import AuditEvent, CreditNote, CreditNoteLine, CreditNoteTax, Invoice, Tenant
from tests.billing.credit_notes.support import cents, taxed_invoice
from tests.support.builders import make_client, make_tenant, pay

pytestmark = pytest.mark.asyncio

TWO_RATES = [("Fiber 100", "100.00", "20"), ("Router rental", "10.00", "7")]


async def credit(invoice: Invoice, **request: object) -> CreditNote:
    values: dict[str, object] = {"invoice_id": invoice.id, "reason": "Outage in November"}
    values.update(request)
    return await issue_credit_note(
        tenant_id=invoice.tenant_id, user_id=None, request=CreditNoteRequest(**values)
    )


async def refused(invoice: Invoice, **request: object) -> BillingRuleError:
    with pytest.raises(BillingRuleError) as refusal:
        await credit(invoice, **request)
    return refusal.value


async def one_invoice(lines=TWO_RATES, **options) -> Invoice:
    tenant = await make_tenant()
    return await taxed_invoice(await make_client(tenant, "c-1"), lines, **options)


async def line_ids(invoice: Invoice) -> list[int]:
    return [line.id for line in await invoice.lines.all().order_by("position")]


async def test_a_whole_invoice_offset_clears_its_balance_and_shows_it_paid(db: str) -> None:
    invoice = await one_invoice()

    note = await credit(invoice)

    invoice = await Invoice.get(id=invoice.id)
    assert (note.subtotal_cents, note.tax_cents, note.total_cents) == (11000, 2070, 13070)
    assert note.total_cents == invoice.total_cents == invoice.credited_cents
    assert (invoice.balance_cents, invoice.status) == (0, InvoiceStatus.PAID)
    lines = await CreditNoteLine.filter(credit_note=note).order_by("position")
    assert [(line.description, line.amount_cents) for line in lines] == [
        ("Fiber 100", 10000),
        ("Router rental", 1000),
    ]
    audit = await AuditEvent.get(invoice_id=invoice.id)
    assert audit.action == AuditAction.CREDIT and audit.detail["number"] == note.number


async def test_a_partial_credit_takes_the_chosen_net_amount_and_its_tax(db: str) -> None:
    invoice = await one_invoice()
    fiber, _ = await line_ids(invoice)

    note = await credit(invoice, lines=(LineAmount(fiber, Decimal("25.00")),))

    assert (note.subtotal_cents, note.tax_cents, note.total_cents) == (2500, 500, 3000)
    invoice = await Invoice.get(id=invoice.id)
    assert (invoice.balance_cents, invoice.status) == (13070 - 3000, InvoiceStatus.PARTIAL)


async def test_a_line_is_never_credited_beyond_what_is_left_of_it(db: str) -> None:
    invoice = await one_invoice()
    fiber, _ = await line_ids(invoice)
    await credit(
        invoice,
        lines=(LineAmount(fiber, Decimal("60.00")),),
        settlement=CreditNoteSettlement.CREDIT,
    )

    refusal = await refused(invoice, lines=(LineAmount(fiber, Decimal("40.01")),))

    assert (refusal.code, refusal.field) == (ErrorCode.CREDIT_EXCEEDS_INVOICE, "lines")
    assert await CreditNote.all().count() == 1
    rest = await credit(invoice, lines=(LineAmount(fiber, Decimal("40.00")),))
    assert rest.subtotal_cents == 4000


async def test_an_offset_takes_at_most_the_balance(db: str) -> None:
    invoice = await one_invoice()
    await pay(invoice, "100.00")
    invoice.balance_cents -= 10000
    invoice.status = InvoiceStatus.PARTIAL
    await invoice.save()

    refusal = await refused(invoice)

    assert refusal.code == ErrorCode.CREDIT_EXCEEDS_INVOICE
    invoice = await Invoice.get(id=invoice.id)
    assert (invoice.balance_cents, invoice.credited_cents) == (3070, 0)
    assert await CreditNote.all().count() == 0


async def test_a_credit_settlement_leaves_the_balance_and_is_the_clients_credit(db: str) -> None:
    invoice = await one_invoice(status=InvoiceStatus.PAID)

    note = await credit(invoice, settlement=CreditNoteSettlement.CREDIT)

    invoice = await Invoice.get(id=invoice.id)
    assert (invoice.balance_cents, invoice.status) == (0, InvoiceStatus.PAID)
    assert invoice.credited_cents == note.total_cents == 13070
    assert await CreditNote.filter(
        client_id=invoice.client_id, settlement=CreditNoteSettlement.CREDIT
    ).values_list("total_cents", flat=True) == [13070]


async def test_a_refund_of_a_cash_payment_is_recorded_as_paid_back(db: str) -> None:
    invoice = await one_invoice()
    fiber, _ = await line_ids(invoice)
    await pay(invoice, "130.70", method="cash")

    note = await credit(
        invoice,
        lines=(LineAmount(fiber, Decimal("50.00")),),
        settlement=CreditNoteSettlement.REFUND,
    )

    assert (note.total_cents, note.stripe_refund_id) == (6000, None)


async def test_a_refund_pays_back_at_most_what_was_paid(db: str) -> None:
    invoice = await one_invoice()
    await pay(invoice, "10.00", method="cash")

    refusal = await refused(invoice, settlement=CreditNoteSettlement.REFUND)

    assert refusal.code == ErrorCode.CREDIT_EXCEEDS_INVOICE
    assert await CreditNote.all().count() == 0


@pytest.mark.parametrize("status", [InvoiceStatus.DRAFT, InvoiceStatus.VOID])
async def test_drafts_and_void_invoices_are_not_creditable(db: str, status: InvoiceStatus) -> None:
    invoice = await one_invoice(status=status)

    refusal = await refused(invoice, settlement=CreditNoteSettlement.CREDIT)

    assert refusal.code == ErrorCode.NOT_CREDITABLE
    assert await CreditNote.all().count() == 0


@pytest.mark.parametrize("reason", ["", "   ", "two\nlines", "x" * 1001])
async def test_a_credit_note_needs_a_printable_reason(db: str, reason: str) -> None:
    invoice = await one_invoice()

    refusal = await refused(invoice, reason=reason)

    assert (refusal.code, refusal.field) == (ErrorCode.INVALID_INPUT, "reason")


async def test_numbers_are_the_tenants_own_gap_free_series(db: str) -> None:
    tenant = await make_tenant(credit_note_number_prefix="CR-")
    client = await make_client(tenant, "c-1")
    first = await taxed_invoice(client, TWO_RATES, number="INV-000001")
    second = await taxed_invoice(client, TWO_RATES, number="INV-000002")
    fiber, _ = await line_ids(first)

    one = await credit(first, lines=(LineAmount(fiber, Decimal("1.00")),))
    await refused(first, lines=(LineAmount(fiber, Decimal("999.00")),))
    two = await credit(second)

    assert [one.number, two.number] == ["CR-000001", "CR-000002"]
    tenant = await Tenant.get(id=tenant.id)
    assert (tenant.credit_note_sequence, tenant.invoice_sequence) == (2, 0)


async def test_tax_per_rate_is_the_engines_credit_of_the_credited_lines_in_yen(db: str) -> None:
    invoice = await one_invoice(
        [("Fiber", "3333", "10"), ("Phone", "1115", "10"), ("Box", "999", "8")], currency="JPY"
    )
    fiber, phone, box = await line_ids(invoice)
    chosen = [(fiber, 1111), (phone, 1115), (box, 333)]

    note = await credit(
        invoice, lines=tuple(LineAmount(line, Decimal(amount)) for line, amount in chosen)
    )

    engine = credit_lines(
        [
            TaxableLine(1111, Decimal(10)),
            TaxableLine(1115, Decimal(10)),
            TaxableLine(333, Decimal(8)),
        ]
    )
    rows = await CreditNoteTax.filter(credit_note=note).order_by("id")
    assert [(r.rate, r.taxable_cents, r.tax_cents) for r in rows] == [
        (row.rate, -row.taxable, -row.tax) for row in engine.rows
    ]
    assert (note.subtotal_cents, note.tax_cents, note.total_cents) == (
        -engine.subtotal,
        -engine.tax_total,
        -engine.total,
    )
    assert note.tax_cents == 223 + 27  # 2226 × 10% and 333 × 8%, each rounded once


async def test_the_whole_invoice_credits_exactly_the_invoices_own_tax_rows(db: str) -> None:
    invoice = await one_invoice([("A", "0.05", "10"), ("B", "0.05", "10")])

    note = await credit(invoice)

    assert (note.tax_cents, note.total_cents) == (invoice.tax_cents, invoice.total_cents)


async def test_an_invoice_issued_before_taxes_is_credited_without_tax(db: str) -> None:
    invoice = await one_invoice([("Fiber", "49.99", None)], with_tax_rows=False)

    note = await credit(invoice)

    assert (note.subtotal_cents, note.tax_cents, note.total_cents) == (4999, 0, 4999)


async def test_an_idempotency_key_returns_the_first_credit_note(db: str) -> None:
    invoice = await one_invoice()
    fiber, _ = await line_ids(invoice)
    request = CreditNoteRequest(
        invoice_id=invoice.id, reason="Outage", lines=(LineAmount(fiber, Decimal("5.00")),)
    )

    first = await issue_credit_note(
        tenant_id=invoice.tenant_id, user_id=None, request=request, idempotency_key="cn-1"
    )
    again = await issue_credit_note(
        tenant_id=invoice.tenant_id, user_id=None, request=request, idempotency_key="cn-1"
    )
    with pytest.raises(BillingRuleError) as conflict:
        await issue_credit_note(
            tenant_id=invoice.tenant_id,
            user_id=None,
            request=CreditNoteRequest(invoice_id=invoice.id, reason="Other"),
            idempotency_key="cn-1",
        )

    assert again.id == first.id and await CreditNote.all().count() == 1
    assert conflict.value.code == ErrorCode.IDEMPOTENCY_CONFLICT
    assert (await Invoice.get(id=invoice.id)).credited_cents == 600


async def test_the_kpis_outstanding_balance_follows_an_offset(db: str) -> None:
    invoice = await one_invoice()
    fiber, _ = await line_ids(invoice)
    before = await invoice_kpis(invoice.tenant_id)

    await credit(invoice, lines=(LineAmount(fiber, Decimal("10.00")),))

    after = await invoice_kpis(invoice.tenant_id)
    assert before.outstanding_balance_cents - after.outstanding_balance_cents == cents("12.00")
