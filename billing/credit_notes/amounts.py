"""What a credit note credits: its lines, each at most what is left uncredited on the invoice
line it credits, and its tax per rate as the tax engine's credit computation gives it.

Pure: plain values in, no database. Amounts are integer minor units; a credit note's figures are
kept positive (what is credited), the negatives of the engine's credit figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from billing.errors import BillingRuleError, ErrorCode
from billing.taxes.calculation import (
    ExemptionKind,
    TaxableLine,
    TaxCalculation,
    TaxCategory,
    TaxedLine,
    TaxExemption,
    TaxRow,
    credit_lines,
    credit_whole,
    tax_category,
)

LINES_FIELD = "lines"
NOTHING_LEFT = "Nothing is left to credit on the invoice."


@dataclass(frozen=True, slots=True)
class CreditableLine:
    """An invoice line as a credit note sees it: its net amount and what credit notes took."""

    id: int
    description: str
    amount: int
    credited: int
    rate: Decimal | None

    @property
    def left(self) -> int:
        return self.amount - self.credited


@dataclass(frozen=True, slots=True)
class LineCredit:
    """A chosen line and the net amount to credit on it."""

    invoice_line_id: int
    amount: int


@dataclass(frozen=True, slots=True)
class CreditedLine:
    """One line of the credit note: the invoice line it credits and the net amount credited."""

    invoice_line_id: int
    description: str
    amount: int
    rate: Decimal | None


@dataclass(frozen=True, slots=True)
class CreditFigures:
    """A credit note's lines and figures, all positive."""

    lines: tuple[CreditedLine, ...]
    rows: tuple[TaxRow, ...]
    subtotal: int
    tax: int
    total: int


def credited_lines(
    invoice_lines: Sequence[CreditableLine], chosen: Sequence[LineCredit] | None
) -> list[CreditedLine]:
    """The credit note's lines: what is left on every line (`chosen` None: the whole invoice), or
    the chosen lines with their amounts. Refuses an empty, repeated or unknown choice, an amount
    not above zero (INVALID_INPUT, NOT_FOUND) and more than a line has left
    (CREDIT_EXCEEDS_INVOICE)."""
    if chosen is None:
        lines = [_credit(line, line.left) for line in invoice_lines if line.left > 0]
        if not lines:
            raise BillingRuleError(ErrorCode.CREDIT_EXCEEDS_INVOICE, NOTHING_LEFT)
        return lines
    if not chosen:
        raise _invalid("Choose at least one line to credit, or none for the whole invoice.")
    by_id = {line.id: line for line in invoice_lines}
    if len({credit.invoice_line_id for credit in chosen}) != len(chosen):
        raise _invalid("Each invoice line may be credited once per credit note.")
    return [_chosen_line(by_id, credit) for credit in chosen]


def _chosen_line(by_id: dict[int, CreditableLine], credit: LineCredit) -> CreditedLine:
    line = by_id.get(credit.invoice_line_id)
    if line is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such line on the invoice.", LINES_FIELD)
    if credit.amount <= 0:
        raise _invalid("A credited amount must be above zero.")
    if credit.amount > line.left:
        raise BillingRuleError(
            ErrorCode.CREDIT_EXCEEDS_INVOICE,
            f"The line “{line.description}” has {line.left} minor units left to credit, "
            f"less than the {credit.amount} asked.",
            LINES_FIELD,
        )
    return _credit(line, credit.amount)


def _credit(line: CreditableLine, amount: int) -> CreditedLine:
    return CreditedLine(line.id, line.description, amount, line.rate)


def _invalid(message: str) -> BillingRuleError:
    return BillingRuleError(ErrorCode.INVALID_INPUT, message, LINES_FIELD)


def exemption_of(invoice_rows: Sequence[TaxRow]) -> TaxExemption | None:
    """The exemption the invoice was issued under (its rows say E or AE with the reason), so a
    credit note carries the invoice's categories whatever the client's settings are now."""
    for row in invoice_rows:
        if row.category in (TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE):
            kind = (
                ExemptionKind.REVERSE_CHARGE
                if row.category is TaxCategory.REVERSE_CHARGE
                else ExemptionKind.EXEMPT
            )
            return TaxExemption(kind, row.exemption_reason or "Exempt")
    return None


def credit_figures(
    lines: Sequence[CreditedLine],
    *,
    invoice_lines: Sequence[CreditableLine],
    invoice_rows: Sequence[TaxRow],
) -> CreditFigures:
    """The credit note's tax per rate. Crediting all of an invoice nothing was credited on yet
    gives exactly the invoice's figures (`credit_whole`); otherwise the tax of the credited net
    amounts per rate (`credit_lines`). An invoice issued before taxes has no rates: no tax."""
    exemption = exemption_of(invoice_rows)
    if invoice_rows and _credits_everything(lines, invoice_lines):
        calculation = credit_whole(_invoice_calculation(invoice_lines, invoice_rows, exemption))
    else:
        calculation = credit_lines(
            [TaxableLine(amount=line.amount, rate=line.rate) for line in lines],
            exemption=exemption,
        )
    return _positive(lines, calculation)


def _credits_everything(
    lines: Sequence[CreditedLine], invoice_lines: Sequence[CreditableLine]
) -> bool:
    credited = {line.invoice_line_id: line.amount for line in lines}
    return all(
        line.credited == 0 and credited.get(line.id) == line.amount for line in invoice_lines
    )


def _invoice_calculation(
    invoice_lines: Sequence[CreditableLine],
    rows: Sequence[TaxRow],
    exemption: TaxExemption | None,
) -> TaxCalculation:
    """The invoice's own figures as issued: its lines and its stored tax rows."""
    subtotal = sum(row.taxable for row in rows)
    tax = sum(row.tax for row in rows)
    return TaxCalculation(
        lines=tuple(
            TaxedLine(line.amount, tax_category(line.rate, exemption), line.rate or Decimal(0))
            for line in invoice_lines
        ),
        rows=tuple(rows),
        subtotal=subtotal,
        tax_total=tax,
        total=subtotal + tax,
    )


def _positive(lines: Sequence[CreditedLine], calculation: TaxCalculation) -> CreditFigures:
    return CreditFigures(
        lines=tuple(lines),
        rows=tuple(
            TaxRow(row.category, row.rate, -row.taxable, -row.tax, row.exemption_reason)
            for row in calculation.rows
        ),
        subtotal=-calculation.subtotal,
        tax=-calculation.tax_total,
        total=-calculation.total,
    )
