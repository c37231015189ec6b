"""The tax engine's integer arithmetic gives exactly what exact fractions give."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from billing.taxes.calculation import TaxableLine, calculate_taxes, round_half_up, spread

rates = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=4)
amounts = st.integers(min_value=-(10**12), max_value=10**12)


def spread_by_fractions(total: int, weights: list[int]) -> list[int]:
    exact = [Fraction(total * weight, sum(weights)) for weight in weights]
    shares = [share.numerator // share.denominator for share in exact]
    by_fraction = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_fraction[: total - sum(shares)]:
        shares[index] += 1
    return shares


@given(total=amounts, weights=st.lists(amounts, min_size=1, max_size=8))
def test_spread_matches_exact_fractions(total: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        return
    assert spread(total, weights) == spread_by_fractions(total, weights)


@given(amount=amounts, rate=rates, inclusive=st.booleans())
def test_the_tax_of_a_rate_matches_exact_fractions(
    amount: int, rate: Decimal, inclusive: bool
) -> None:
    calculation = calculate_taxes([TaxableLine(amount, rate)], prices_include_tax=inclusive)

    share = Fraction(rate) / (100 + Fraction(rate)) if inclusive else Fraction(rate) / 100
    assert calculation.tax_total == round_half_up(Fraction(amount) * share)
