"""What one client is billed: lines per period, charges, totals to the cent, auto email."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from billing.invoices.lines import InvoiceLineKind
from billing.money import from_minor_units, line_amount_cents, to_minor_units
from billing.periods import BillingPeriod, ServicePeriod
from billing.runs.decide import DueCharge, DueService, bill_client

RUN_DATE = date(2026, 11, 20)


def service(
    service_id: int = 1,
    *,
    price_cents: int = 4999,
    quantity: str = "1",
    next_bill_date: date = date(2026, 11, 1),
    auto_email: bool | None = None,
    period: ServicePeriod = ServicePeriod.MONTHLY,
) -> DueService:
    return DueService(
        id=service_id,
        client_id=7,
        description=f"Fiber {service_id}",
        price_cents=price_cents,
        quantity=Decimal(quantity),
        period=period,
        next_bill_date=next_bill_date,
        anchor_day=next_bill_date.day,
        auto_email=auto_email,
    )


def charge(charge_id: int = 1, amount_cents: int = 8900) -> DueCharge:
    return DueCharge(
        id=charge_id,
        client_id=7,
        description="Router",
        amount_cents=amount_cents,
        scheduled_on=date(2026, 11, 10),
    )


def test_a_service_several_periods_behind_gets_one_line_per_period() -> None:
    bill = bill_client(7, [service(next_bill_date=date(2026, 8, 31))], [], {}, RUN_DATE, False)

    assert [(line.period_start, line.period_end) for line in bill.lines] == [
        (date(2026, 8, 31), date(2026, 9, 29)),
        (date(2026, 9, 30), date(2026, 10, 30)),
        (date(2026, 10, 31), date(2026, 11, 29)),
    ]
    assert bill.advances[0].next_bill_date == date(2026, 11, 30)


def test_charges_become_one_time_lines_on_the_same_invoice() -> None:
    bill = bill_client(7, [service()], [charge()], {}, RUN_DATE, False)

    assert [line.kind for line in bill.lines] == [
        InvoiceLineKind.SERVICE,
        InvoiceLineKind.ONE_TIME_CHARGE,
    ]
    assert bill.total_cents == 4999 + 8900


def test_covered_periods_are_skipped_but_the_schedule_still_moves_past_them() -> None:
    covered = {1: [BillingPeriod(date(2026, 10, 1), date(2026, 10, 31))]}
    bill = bill_client(7, [service(next_bill_date=date(2026, 9, 1))], [], covered, RUN_DATE, False)

    assert [line.period_start for line in bill.lines] == [date(2026, 9, 1), date(2026, 11, 1)]
    assert bill.advances[0].next_bill_date == date(2026, 12, 1)


def test_a_period_sharing_any_day_with_a_live_line_is_skipped() -> None:
    # Billed monthly up to November 30; the service is quarterly from October 15 now.
    live = {1: [BillingPeriod(date(2026, 11, 1), date(2026, 11, 30))]}
    quarterly = service(next_bill_date=date(2026, 10, 15), period=ServicePeriod.QUARTERLY)

    bill = bill_client(7, [quarterly], [], live, date(2027, 1, 20), False)

    assert [(line.period_start, line.period_end) for line in bill.lines] == [
        (date(2027, 1, 15), date(2027, 4, 14))
    ]
    assert bill.advances[0].next_bill_date == date(2027, 4, 15)


def test_put_back_periods_are_billed_again_before_the_schedules_own() -> None:
    put_back = {1: [BillingPeriod(date(2026, 9, 1), date(2026, 9, 30))]}

    bill = bill_client(7, [service()], [], {}, RUN_DATE, False, put_back)

    assert [(line.period_start, line.rebilled) for line in bill.lines] == [
        (date(2026, 9, 1), True),
        (date(2026, 11, 1), False),
    ]
    assert bill.advances[0].next_bill_date == date(2026, 12, 1)


def test_a_put_back_period_is_billed_even_when_the_schedule_is_not_due() -> None:
    put_back = {1: [BillingPeriod(date(2026, 9, 1), date(2026, 9, 30))]}

    bill = bill_client(
        7, [service(next_bill_date=date(2026, 12, 1))], [], {}, RUN_DATE, False, put_back
    )

    assert [line.period_start for line in bill.lines] == [date(2026, 9, 1)]
    assert bill.advances == []


def test_fractional_quantity_rounds_half_up_to_the_cent() -> None:
    bill = bill_client(7, [service(price_cents=1999, quantity="1.5")], [], {}, RUN_DATE, False)

    assert bill.lines[0].amount_cents == 2999  # 29.985 → 29.99


def test_auto_email_follows_the_tenant_when_services_inherit() -> None:
    assert bill_client(7, [service()], [], {}, RUN_DATE, True).auto_email is True
    assert bill_client(7, [service()], [], {}, RUN_DATE, False).auto_email is False


def test_any_service_line_resolving_true_emails_the_invoice() -> None:
    services = [service(1, auto_email=False), service(2, auto_email=True)]

    assert bill_client(7, services, [], {}, RUN_DATE, False).auto_email is True
    assert bill_client(7, [service(auto_email=False)], [], {}, RUN_DATE, True).auto_email is False


def test_an_invoice_of_charges_only_follows_the_tenant() -> None:
    assert bill_client(7, [], [charge()], {}, RUN_DATE, True).auto_email is True
    assert bill_client(7, [], [charge()], {}, RUN_DATE, False).auto_email is False


def test_a_zero_total_invoice_is_never_auto_emailed() -> None:
    bill = bill_client(7, [service(price_cents=0, auto_email=True)], [], {}, RUN_DATE, True)

    assert bill.has_invoice and bill.total_cents == 0 and bill.auto_email is False


def test_nothing_due_makes_no_invoice() -> None:
    bill = bill_client(7, [], [], {}, RUN_DATE, True)

    assert not bill.has_invoice


amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)


@given(price=amounts)
def test_usd_amounts_round_trip_exactly(price: Decimal) -> None:
    assert from_minor_units(to_minor_units(price, "USD"), "USD") == price


@given(
    prices=st.lists(st.tuples(amounts, quantities), min_size=1, max_size=5),
    charges=st.lists(amounts, max_size=4),
)
def test_invoice_total_is_the_sum_of_its_lines_each_rounded_to_the_cent(
    prices: list[tuple[Decimal, Decimal]], charges: list[Decimal]
) -> None:
    services = [
        service(n, price_cents=to_minor_units(price, "USD"), quantity=str(quantity))
        for n, (price, quantity) in enumerate(prices, start=1)
    ]
    due_charges = [
        charge(n, to_minor_units(amount, "USD")) for n, amount in enumerate(charges, start=1)
    ]

    bill = bill_client(7, services, due_charges, {}, RUN_DATE, False)

    expected_lines = [
        (price * quantity).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        for price, quantity in prices
    ] + charges
    assert [from_minor_units(line.amount_cents, "USD") for line in bill.lines] == expected_lines
    assert from_minor_units(bill.total_cents, "USD") == sum(expected_lines, Decimal("0.00"))
    assert all(
        line.amount_cents == line_amount_cents(line.unit_price_cents, line.quantity)
        for line in bill.lines
    )
