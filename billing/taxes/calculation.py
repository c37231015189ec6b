"""Tax on an invoice or credit note, per rate, as EN 16931 asks (BR-CO-17).

Lines carry amounts in integer minor units of the document's currency. The tax of a rate is worked
out once, from the sum of that rate's lines, and rounded half up to the minor unit; lines never
carry their own rounded tax. Because amounts are already whole minor units, rounding to the minor
unit is rounding to a whole number whatever the currency's exponent; the exponent matters only where
amounts are shown (the documents).

With prices exclusive of tax the lines' amounts are their net amounts and the tax is added. With
prices inclusive of tax a rate's gross sum G gives tax = round(G × r / (100 + r)) and net = G − tax;
that net is spread over the rate's lines by largest remainder, so the lines add up to the subtotal
exactly and the total equals the sum of the prices charged.

Each group carries its EN 16931 VAT category: S (standard, a positive rate), Z (zero-rated, rate 0),
O (outside the scope of tax: a line with no rate), and for a client exempt from tax E (exempt) or AE
(reverse charge), where every line is in that one category with no tax and the reason is printed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

ZERO = Decimal(0)


class TaxCategory(enum.StrEnum):
    """EN 16931 VAT category codes (UNTDID 5305) the product uses."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    OUTSIDE_SCOPE = "O"


class ExemptionKind(enum.StrEnum):
    """Why a client's invoices carry no tax."""

    EXEMPT = "EXEMPT"
    REVERSE_CHARGE = "REVERSE_CHARGE"


@dataclass(frozen=True, slots=True)
class TaxExemption:
    """A client invoiced without tax, and the reason printed on its documents."""

    kind: ExemptionKind
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a tax exemption needs the reason printed on the invoice")

    @property
    def category(self) -> TaxCategory:
        if self.kind is ExemptionKind.REVERSE_CHARGE:
            return TaxCategory.REVERSE_CHARGE
        return TaxCategory.EXEMPT


@dataclass(frozen=True, slots=True)
class TaxableLine:
    """One line as priced: `amount` is net with exclusive prices, gross with inclusive prices.

    `rate` is a percent; None: the line is outside the scope of tax.
    """

    amount: int
    rate: Decimal | None

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise ValueError(f"a line amount is whole minor units, not {self.amount!r}")
        if self.rate is not None:
            if not isinstance(self.rate, Decimal) or not self.rate.is_finite():
                raise ValueError(f"a tax rate is a finite Decimal percent, not {self.rate!r}")
            if self.rate < 0:
                raise ValueError(f"a tax rate cannot be negative: {self.rate}")


@dataclass(frozen=True, slots=True)
class TaxedLine:
    """A line's net amount and the tax group it belongs to."""

    net: int
    category: TaxCategory
    rate: Decimal


@dataclass(frozen=True, slots=True)
class TaxRow:
    """One row of the tax breakdown: the lines of one category and rate (EN 16931 BG-23)."""

    category: TaxCategory
    rate: Decimal
    taxable: int
    tax: int
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True)
class TaxCalculation:
    """The tax figures of a document, all in minor units."""

    lines: tuple[TaxedLine, ...]
    rows: tuple[TaxRow, ...]
    subtotal: int
    tax_total: int
    total: int


def round_half_up(value: Fraction) -> int:
    """The nearest whole number, halves away from zero (as Decimal's ROUND_HALF_UP)."""
    return _round_ratio(value.numerator, value.denominator)


def _round_ratio(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator above zero) rounded half up, in integers only: a
    run taxes every invoice, and integer arithmetic is many times faster than Fractions."""
    magnitude = (abs(numerator) * 2 + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


def tax_category(rate: Decimal | None, exemption: TaxExemption | None) -> TaxCategory:
    """The VAT category of a line with this rate for this client."""
    if exemption is not None:
        return exemption.category
    if rate is None:
        return TaxCategory.OUTSIDE_SCOPE
    return TaxCategory.ZERO_RATED if rate == 0 else TaxCategory.STANDARD


def calculate_taxes(
    lines: Sequence[TaxableLine],
    *,
    prices_include_tax: bool,
    exemption: TaxExemption | None = None,
) -> TaxCalculation:
    """Net lines, tax rows (one per category and rate), subtotal, tax total and total."""
    keys = _line_keys(lines, exemption)
    groups: dict[tuple[TaxCategory, Decimal], list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    nets: list[int] = [0] * len(lines)
    rows: list[TaxRow] = []
    for (category, rate), indexes in groups.items():
        amounts = [lines[i].amount for i in indexes]
        if prices_include_tax:
            row, line_nets = _inclusive_group(category, rate, amounts)
        else:
            row, line_nets = _exclusive_group(category, rate, amounts)
        if category in (TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE):
            row = _with_reason(row, exemption)
        rows.append(row)
        for index, net in zip(indexes, line_nets, strict=True):
            nets[index] = net
    taxed = tuple(
        TaxedLine(net=net, category=key[0], rate=key[1])
        for net, key in zip(nets, keys, strict=True)
    )
    return _calculation(taxed, rows)


def credit_whole(invoice: TaxCalculation) -> TaxCalculation:
    """A credit note for the whole invoice: exactly the negative of every figure."""
    return TaxCalculation(
        lines=tuple(
            TaxedLine(net=-line.net, category=line.category, rate=line.rate)
            for line in invoice.lines
        ),
        rows=tuple(
            TaxRow(
                category=row.category,
                rate=row.rate,
                taxable=-row.taxable,
                tax=-row.tax,
                exemption_reason=row.exemption_reason,
            )
            for row in invoice.rows
        ),
        subtotal=-invoice.subtotal,
        tax_total=-invoice.tax_total,
        total=-invoice.total,
    )


def credit_lines(
    lines: Sequence[TaxableLine], *, exemption: TaxExemption | None = None
) -> TaxCalculation:
    """A credit note for chosen lines: their net amounts credited, tax per rate, all negative.

    Credited amounts are net whatever the tenant's price mode (the invoice's lines are net), so
    the tax is added per rate as with exclusive prices.
    """
    credited = calculate_taxes(lines, prices_include_tax=False, exemption=exemption)
    return credit_whole(credited)


def _line_keys(
    lines: Iterable[TaxableLine], exemption: TaxExemption | None
) -> list[tuple[TaxCategory, Decimal]]:
    # A document's lines share a few rates: each rate's key is worked out once.
    by_rate: dict[Decimal | None, tuple[TaxCategory, Decimal]] = {}
    keys = []
    for line in lines:
        key = by_rate.get(line.rate)
        if key is None:
            key = by_rate[line.rate] = _key(line.rate, exemption)
        keys.append(key)
    return keys


def _key(rate: Decimal | None, exemption: TaxExemption | None) -> tuple[TaxCategory, Decimal]:
    category = tax_category(rate, exemption)
    taxed = category in (TaxCategory.STANDARD, TaxCategory.ZERO_RATED)
    return category, canonical_rate(rate) if taxed and rate is not None else ZERO


@lru_cache(maxsize=256)  # a tenant has a handful of rates; a run asks for them on every line
def canonical_rate(rate: Decimal) -> Decimal:
    """One spelling per rate, so 20, 20.0 and 20.00 make one row: no trailing zeros, no exponent."""
    if rate == 0:
        return ZERO
    normal = rate.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def _exclusive_group(
    category: TaxCategory, rate: Decimal, amounts: list[int]
) -> tuple[TaxRow, list[int]]:
    taxable = sum(amounts)
    numerator, denominator = rate.as_integer_ratio()
    tax = _round_ratio(taxable * numerator, denominator * 100)
    return TaxRow(category=category, rate=rate, taxable=taxable, tax=tax), amounts


def _inclusive_group(
    category: TaxCategory, rate: Decimal, amounts: list[int]
) -> tuple[TaxRow, list[int]]:
    gross = sum(amounts)
    numerator, denominator = rate.as_integer_ratio()
    # G × r / (100 + r) with r = numerator / denominator.
    tax = _round_ratio(gross * numerator, denominator * 100 + numerator)
    net = gross - tax
    row = TaxRow(category=category, rate=rate, taxable=net, tax=tax)
    # No tax taken out (rate 0, or too small a sum): each line's net is its price.
    return row, amounts if tax == 0 else spread(net, amounts)


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """`total` shared in proportion to `weights`, in whole units adding up exactly.

    Largest remainder: each share is rounded down, and the units left over go to the shares with
    the largest fractions (the earlier line first on a tie).
    """
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("cannot share an amount in proportion to weights that add up to nothing")
    # Each exact share is total × weight / weight_sum; over a positive denominator, the floor
    # and the remainder (the fraction's numerator) come from integer division alone.
    sign = 1 if weight_sum > 0 else -1
    denominator = weight_sum * sign
    numerators = [total * weight * sign for weight in weights]
    shares = [numerator // denominator for numerator in numerators]
    remainders = [n - share * denominator for n, share in zip(numerators, shares, strict=True)]
    left_over = total - sum(shares)
    by_fraction = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in by_fraction[:left_over]:
        shares[index] += 1
    return shares


def _with_reason(row: TaxRow, exemption: TaxExemption | None) -> TaxRow:
    reason = exemption.reason if exemption is not None else None
    return TaxRow(row.category, row.rate, row.taxable, row.tax, exemption_reason=reason)


def _calculation(lines: tuple[TaxedLine, ...], rows: list[TaxRow]) -> TaxCalculation:
    subtotal = sum(row.taxable for row in rows)
    tax_total = sum(row.tax for row in rows)
    return TaxCalculation(
        lines=lines,
        rows=tuple(rows),
        subtotal=subtotal,
        tax_total=tax_total,
        total=subtotal + tax_total,
    )
