"""Tax per rate on invoices and credit notes (EN 16931 BR-CO-17), with both price modes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.taxes import (
    ExemptionKind,
    TaxableLine,
    TaxCategory,
    TaxExemption,
    calculate_taxes,
    credit_lines,
    credit_whole,
    spread,
)


def decimal_round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_exclusive_prices_round_the_tax_once_per_rate_not_per_line():
    lines = [TaxableLine(amount=1, rate=Decimal(20)) for _ in range(3)]

    result = calculate_taxes(lines, prices_include_tax=False)

    # Per line 0.2 rounds to 0 three times; per rate 0.6 rounds to 1.
    assert [(row.taxable, row.tax) for row in result.rows] == [(3, 1)]
    assert (result.subtotal, result.tax_total, result.total) == (3, 1, 4)


def test_exclusive_prices_round_half_up_to_the_minor_unit():
    result = calculate_taxes([TaxableLine(amount=250, rate=Decimal(1))], prices_include_tax=False)

    assert result.rows[0].tax == 3  # 2.5 minor units


def test_one_row_per_rate_and_category():
    lines = [
        TaxableLine(amount=1000, rate=Decimal("20")),
        TaxableLine(amount=500, rate=Decimal("7.7")),
        TaxableLine(amount=300, rate=Decimal("20.00")),
        TaxableLine(amount=200, rate=Decimal("0")),
        TaxableLine(amount=100, rate=None),
    ]

    result = calculate_taxes(lines, prices_include_tax=False)

    assert [(r.category, str(r.rate), r.taxable, r.tax) for r in result.rows] == [
        (TaxCategory.STANDARD, "20", 1300, 260),
        (TaxCategory.STANDARD, "7.7", 500, 39),
        (TaxCategory.ZERO_RATED, "0", 200, 0),
        (TaxCategory.OUTSIDE_SCOPE, "0", 100, 0),
    ]
    assert result.total == 2100 + 299


def test_inclusive_prices_take_the_tax_out_of_the_gross_sum():
    lines = [TaxableLine(amount=1000, rate=Decimal(19)), TaxableLine(amount=999, rate=Decimal(19))]

    result = calculate_taxes(lines, prices_include_tax=True)

    # 1999 × 19 / 119 = 319.17 → 319; net 1680 spread 1000 : 999 is 840.42 and 839.58.
    assert [(r.taxable, r.tax) for r in result.rows] == [(1680, 319)]
    assert [line.net for line in result.lines] == [840, 840]
    assert result.total == 1999


def test_client_exempt_from_tax_has_every_line_exempt_with_its_reason():
    exemption = TaxExemption(ExemptionKind.EXEMPT, "Exempt under Art. 132 VAT Directive")
    lines = [TaxableLine(amount=1000, rate=Decimal(20)), TaxableLine(amount=50, rate=None)]

    result = calculate_taxes(lines, prices_include_tax=True, exemption=exemption)

    assert [(r.category, r.taxable, r.tax, r.exemption_reason) for r in result.rows] == [
        (TaxCategory.EXEMPT, 1050, 0, "Exempt under Art. 132 VAT Directive")
    ]
    assert [line.net for line in result.lines] == [1000, 50]


def test_reverse_charge_client_has_category_ae():
    exemption = TaxExemption(ExemptionKind.REVERSE_CHARGE, "Reverse charge")

    result = calculate_taxes(
        [TaxableLine(amount=1000, rate=Decimal(20))], prices_include_tax=False, exemption=exemption
    )

    assert result.rows[0].category == TaxCategory.REVERSE_CHARGE
    assert result.tax_total == 0


def test_exemption_without_a_reason_is_refused():
    with pytest.raises(ValueError, match="reason"):
        TaxExemption(ExemptionKind.EXEMPT, " ")


@pytest.mark.parametrize(
    ("amount", "rate"), [(Decimal("1.5"), Decimal(20)), (True, Decimal(20)), (100, Decimal(-1))]
)
def test_lines_that_are_not_minor_units_or_have_negative_rates_are_refused(amount, rate):
    with pytest.raises(ValueError):
        TaxableLine(amount=amount, rate=rate)


def test_partial_credit_note_computes_tax_per_rate_on_the_credited_net_amounts():
    credited = [TaxableLine(amount=1, rate=Decimal(20)), TaxableLine(amount=2, rate=Decimal(20))]

    result = credit_lines(credited)

    assert [(r.taxable, r.tax) for r in result.rows] == [(-3, -1)]
    assert (result.subtotal, result.tax_total, result.total) == (-3, -1, -4)


def test_spread_gives_left_over_units_to_the_largest_fractions():
    assert spread(10, [1, 1, 1]) == [4, 3, 3]
    assert spread(5, [2, 0, 1]) == [3, 0, 2]
    with pytest.raises(ValueError):
        spread(0, [3, -3])


amounts = st.integers(min_value=-(10**9), max_value=10**12)
rates = st.one_of(
    st.none(),
    st.sampled_from([Decimal(0), Decimal(5), Decimal("5.5"), Decimal(19), Decimal(20)]),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)
taxable_lines = st.lists(st.builds(TaxableLine, amount=amounts, rate=rates), max_size=12)
exemptions = st.one_of(
    st.none(), st.builds(TaxExemption, st.sampled_from(ExemptionKind), st.just("Exempt"))
)


@given(lines=taxable_lines, inclusive=st.booleans(), exemption=exemptions)
def test_figures_add_up_for_any_lines_rates_and_price_mode(lines, inclusive, exemption):
    result = calculate_taxes(lines, prices_include_tax=inclusive, exemption=exemption)

    assert result.subtotal + result.tax_total == result.total
    assert sum(line.net for line in result.lines) == result.subtotal
    assert sum(row.taxable for row in result.rows) == result.subtotal
    for row in result.rows:
        in_row = [t.net for t in result.lines if (t.category, t.rate) == (row.category, row.rate)]
        assert sum(in_row) == row.taxable
    if inclusive:
        assert result.total == sum(line.amount for line in lines)
    else:
        assert [line.net for line in result.lines] == [line.amount for line in lines]


@given(lines=taxable_lines, exemption=exemptions)
def test_exclusive_tax_rows_are_br_co_17_exact(lines, exemption):
    result = calculate_taxes(lines, prices_include_tax=False, exemption=exemption)

    for row in result.rows:
        assert row.tax == decimal_round(Decimal(row.taxable) * row.rate / 100)


@given(lines=taxable_lines, exemption=exemptions)
def test_inclusive_tax_rows_follow_the_gross_formula_and_br_co_17(lines, exemption):
    """The tax comes from the gross sum; against the net it is within one minor unit.

    t = round(G × r / (100 + r)) and N = G − t give |t − N × r / 100| ≤ ½ (1 + r / 100), which is
    at most one minor unit for any rate up to 100 % (EN 16931's own BR-CO-17 check allows ± 1).
    """
    result = calculate_taxes(lines, prices_include_tax=True, exemption=exemption)

    for row in result.rows:
        gross = row.taxable + row.tax
        rate = Fraction(row.rate)
        assert row.tax == decimal_round(Decimal(gross) * row.rate / (100 + row.rate))
        assert abs(row.tax - Fraction(row.taxable) * rate / 100) <= 1


@given(lines=taxable_lines, inclusive=st.booleans(), exemption=exemptions)
def test_full_credit_note_is_exactly_the_negative_of_the_invoice(lines, inclusive, exemption):
    invoice = calculate_taxes(lines, prices_include_tax=inclusive, exemption=exemption)

    credit = credit_whole(invoice)

    assert (credit.subtotal, credit.tax_total, credit.total) == (
        -invoice.subtotal,
        -invoice.tax_total,
        -invoice.total,
    )
    assert [line.net for line in credit.lines] == [-line.net for line in invoice.lines]
    assert [(r.category, r.rate, r.taxable, r.tax) for r in credit.rows] == [
        (r.category, r.rate, -r.taxable, -r.tax) for r in invoice.rows
    ]


@given(lines=taxable_lines)
def test_partial_credit_of_every_line_at_its_net_mirrors_an_exclusive_invoice(lines):
    invoice = calculate_taxes(lines, prices_include_tax=False)

    credit = credit_lines(lines)

    assert credit == credit_whole(invoice)
