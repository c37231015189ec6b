"""Taxes on what one client is billed: rates resolved per line, net lines, tax per rate."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.money import line_amount_cents
from billing.periods import ServicePeriod
from billing.runs.decide import (
    ClientBill,
    DueCharge,
    DueService,
    TaxTerms,
    bill_client,
    client_exemption,
    exemption_problem,
    taxes_of,
)
from billing.taxes.calculation import TaxableLine, TaxCategory, calculate_taxes

RUN_DATE = date(2026, 11, 20)
EXCLUSIVE = TaxTerms(prices_include_tax=False, default_rate=Decimal("20"))
INCLUSIVE = TaxTerms(prices_include_tax=True, default_rate=Decimal("20"))


def service(
    service_id: int,
    price_cents: int,
    tax_rate: Decimal | None = None,
    quantity: Decimal = Decimal(1),
) -> DueService:
    return DueService(
        id=service_id,
        client_id=7,
        description=f"Fiber {service_id}",
        price_cents=price_cents,
        quantity=quantity,
        period=ServicePeriod.MONTHLY,
        next_bill_date=date(2026, 11, 1),
        anchor_day=1,
        auto_email=None,
        tax_rate=tax_rate,
    )


def charge(charge_id: int, amount_cents: int, tax_rate: Decimal | None = None) -> DueCharge:
    return DueCharge(
        id=charge_id,
        client_id=7,
        description="Router",
        amount_cents=amount_cents,
        scheduled_on=date(2026, 11, 10),
        tax_rate=tax_rate,
    )


def bill(
    services: list[DueService], charges: list[DueCharge], terms: TaxTerms, exempt: str | None = None
) -> ClientBill:
    exemption = client_exemption(exempt) if exempt else None
    return bill_client(
        7, services, charges, {}, RUN_DATE, True, tax_terms=terms, exemption=exemption
    )


def nets(result: ClientBill) -> list[int]:
    return [net for _, net, _ in result.taxed_lines()]


def line_rates(result: ClientBill) -> list[Decimal | None]:
    return [rate for _, _, rate in result.taxed_lines()]


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_exclusive_prices_add_tax_per_rate_on_net_lines() -> None:
    result = bill(
        [service(1, 4999), service(2, 1000, Decimal("7"))],
        [charge(1, 8900, Decimal("0"))],
        EXCLUSIVE,
    )

    assert nets(result) == [4999, 1000, 8900]
    assert line_rates(result) == [Decimal(20), Decimal(7), Decimal(0)]
    rows = {(row.category, row.rate): (row.taxable, row.tax) for row in result.taxes.rows}
    assert rows == {
        (TaxCategory.STANDARD, Decimal(20)): (4999, 1000),  # 999.8 rounds up
        (TaxCategory.STANDARD, Decimal(7)): (1000, 70),
        (TaxCategory.ZERO_RATED, Decimal(0)): (8900, 0),
    }
    assert (result.subtotal_cents, result.tax_cents) == (14899, 1070)
    assert result.total_cents == 15969


def test_inclusive_prices_total_the_prices_charged_with_net_lines_adding_up() -> None:
    result = bill([service(1, 1000), service(2, 1000), service(3, 1001)], [], INCLUSIVE)

    # Gross 3001 at 20 %: tax round(3001 × 20 / 120) = 500, net 2501 spread over the lines.
    assert result.total_cents == 3001
    assert (result.subtotal_cents, result.tax_cents) == (2501, 500)
    assert sorted(nets(result)) == [833, 834, 834]
    assert [line.amount_cents for line in result.lines] == [1000, 1000, 1001]


def test_a_line_without_its_own_rate_nor_a_default_carries_no_tax() -> None:
    result = bill([service(1, 4999)], [charge(1, 100, Decimal("20"))], TaxTerms())

    assert line_rates(result) == [None, Decimal(20)]
    rows = {(row.category, row.rate): (row.taxable, row.tax) for row in result.taxes.rows}
    assert rows == {
        (TaxCategory.OUTSIDE_SCOPE, Decimal(0)): (4999, 0),
        (TaxCategory.STANDARD, Decimal(20)): (100, 20),
    }


@pytest.mark.parametrize("terms", [EXCLUSIVE, INCLUSIVE])
def test_an_exempt_client_pays_no_tax_and_its_invoice_prints_the_reason(terms: TaxTerms) -> None:
    result = bill([service(1, 4999, Decimal("7"))], [charge(1, 8900)], terms, "Art. 132 VAT")

    assert result.tax_cents == 0 and result.total_cents == 4999 + 8900
    assert line_rates(result) == [Decimal(0), Decimal(0)]
    assert [(row.category, row.exemption_reason) for row in result.taxes.rows] == [
        (TaxCategory.EXEMPT, "Art. 132 VAT")
    ]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_exempt_client_without_a_reason_is_a_problem(reason: str | None) -> None:
    assert exemption_problem(7, reason) is not None
    assert exemption_problem(7, "Reverse charge, Art. 196") is None


def test_taxes_decide_whether_an_invoice_is_above_zero_to_email() -> None:
    result = bill([service(1, 0)], [], EXCLUSIVE)

    assert result.has_invoice and result.total_cents == 0 and result.auto_email is False


rates = st.one_of(
    st.none(),
    st.sampled_from([Decimal("0"), Decimal("5.5"), Decimal("7"), Decimal("20"), Decimal("21")]),
)
prices = st.integers(min_value=0, max_value=10_000_000)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100"), places=3)


@given(
    service_specs=st.lists(st.tuples(prices, quantities, rates), min_size=0, max_size=6),
    charge_specs=st.lists(st.tuples(prices, rates), max_size=4),
    default_rate=rates,
    inclusive=st.booleans(),
    exempt=st.sampled_from([None, "Exempt under Art. 132"]),
)
def test_every_bill_adds_up_and_rounds_tax_once_per_rate(
    service_specs: list[tuple[int, Decimal, Decimal | None]],
    charge_specs: list[tuple[int, Decimal | None]],
    default_rate: Decimal | None,
    inclusive: bool,
    exempt: str | None,
) -> None:
    services = [
        service(n, price, rate, quantity)
        for n, (price, quantity, rate) in enumerate(service_specs, start=1)
    ]
    charges = [charge(n, price, rate) for n, (price, rate) in enumerate(charge_specs, start=1)]
    terms = TaxTerms(prices_include_tax=inclusive, default_rate=default_rate)

    result = bill(services, charges, terms, exempt)

    charged = [line_amount_cents(s.price_cents, s.quantity) for s in services] + [
        c.amount_cents for c in charges
    ]
    own_rates = [s.tax_rate for s in services] + [c.tax_rate for c in charges]
    resolved = [default_rate if rate is None else rate for rate in own_rates]
    if not charged:
        assert not result.has_invoice
        return
    assert result.subtotal_cents + result.tax_cents == result.total_cents
    assert sum(nets(result)) == result.subtotal_cents
    assert sum(row.taxable for row in result.taxes.rows) == result.subtotal_cents
    assert sum(row.tax for row in result.taxes.rows) == result.tax_cents
    if inclusive:
        assert result.total_cents == sum(charged)
    else:
        assert nets(result) == charged
    assert [line.amount_cents for line in result.lines] == charged
    if exempt:
        assert result.tax_cents == 0
        assert {row.category for row in result.taxes.rows} == {TaxCategory.EXEMPT}
        assert all(rate == 0 for rate in line_rates(result))
        return
    assert line_rates(result) == resolved
    for row in result.taxes.rows:
        at_rate = [
            price
            for price, rate in zip(charged, resolved, strict=True)
            if (rate is None and row.category is TaxCategory.OUTSIDE_SCOPE)
            or (
                rate is not None
                and row.category is not TaxCategory.OUTSIDE_SCOPE
                and rate == row.rate
            )
        ]
        gross = Decimal(sum(at_rate))
        if inclusive:
            assert row.tax == half_up(gross * row.rate / (100 + row.rate))
            assert row.taxable == gross - row.tax
        else:
            assert row.tax == half_up(gross * row.rate / 100)
            assert row.taxable == gross


@given(
    priced=st.lists(
        st.tuples(st.integers(min_value=-(10**9), max_value=10**9), rates), min_size=1, max_size=6
    ),
    inclusive=st.booleans(),
    exempt=st.sampled_from([None, "Exempt under Art. 132"]),
)
def test_bills_with_the_same_lines_share_exactly_the_calculation_of_those_lines(
    priced: list[tuple[int, Decimal | None]], inclusive: bool, exempt: str | None
) -> None:
    exemption = client_exemption(exempt) if exempt else None
    # The same rates written with other trailing zeros: the shared calculation must not depend
    # on how the first bill that asked for it spelled them.
    respelled = tuple(
        (amount, None if rate is None else rate.quantize(Decimal("0.001")))
        for amount, rate in priced
    )

    first = taxes_of(tuple(priced), inclusive, exemption)
    second = taxes_of(respelled, inclusive, exemption)

    fresh = calculate_taxes(
        [TaxableLine(amount, rate) for amount, rate in respelled],
        prices_include_tax=inclusive,
        exemption=exemption,
    )
    assert first == second == fresh
