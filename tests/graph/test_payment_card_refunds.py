"""refundPayment of a CARD payment goes through Stripe (localstripe here); when Stripe refuses,
nothing is recorded and the payload says PAYMENT_PROVIDER_ERROR."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
import pytest_asyncio

from billing.payments.methods import PaymentMethod
from orm.models import Payment, PaymentRefund
from tests.billing.credit_notes.test_refund_and_race import card_intent
from tests.graph.conftest import GraphQLClient, Team, api_client, make_settings
from tests.support.stripe_server import TEST_API_KEY, LocalStripe

pytestmark = pytest.mark.asyncio

REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id unallocated refunded }
  errors { code message field }
} }"""


@pytest_asyncio.fixture
async def stripe_graphql(db: str, local_stripe: LocalStripe) -> AsyncIterator[GraphQLClient]:
    settings = make_settings(db, stripe_api_key=TEST_API_KEY, stripe_api_base=local_stripe.base_url)
    async with api_client(settings) as http:
        yield GraphQLClient(http)


async def card_payment(team: Team, intent_id: str, amount_cents: int) -> Payment:
    """A card payment Stripe took, held as the client's credit (no invoice took it)."""
    return await Payment.create(
        tenant_id=team.tenant.id,
        client_id=team.client.id,
        amount_cents=amount_cents,
        currency="USD",
        paid_on=date(2026, 11, 20),
        method=PaymentMethod.CARD.value,
        stripe_payment_intent_id=intent_id,
    )


async def test_a_card_payment_is_refunded_through_stripe(
    stripe_graphql: GraphQLClient, acme: Team, local_stripe: LocalStripe
) -> None:
    payment = await card_payment(acme, await card_intent(local_stripe, 3000), 3000)
    variables = {"input": {"paymentId": str(payment.id), "amount": "12.00"}}

    payload = (await stripe_graphql.data(REFUND, variables, user=acme.editor))["refundPayment"]

    assert payload == {
        "payment": {"id": str(payment.id), "unallocated": "18.00", "refunded": "12.00"},
        "errors": [],
    }
    refund = await PaymentRefund.get(payment_id=payment.id)
    assert refund.stripe_refund_id
    stripe_refund = await local_stripe.client().v1.refunds.retrieve_async(refund.stripe_refund_id)
    assert (stripe_refund.amount, stripe_refund.payment_intent) == (
        1200,
        payment.stripe_payment_intent_id,
    )


async def test_a_refund_stripe_refuses_records_nothing(
    stripe_graphql: GraphQLClient, acme: Team
) -> None:
    payment = await card_payment(acme, "pi_that_stripe_does_not_know", 3000)
    variables = {"input": {"paymentId": str(payment.id), "amount": "12.00"}}

    payload = (await stripe_graphql.data(REFUND, variables, user=acme.editor))["refundPayment"]

    assert payload["payment"] is None
    assert [error["code"] for error in payload["errors"]] == ["PAYMENT_PROVIDER_ERROR"]
    assert await PaymentRefund.all().count() == 0
    assert (await Payment.get(id=payment.id)).refunded_cents == 0
