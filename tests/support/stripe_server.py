"""A local Stripe (localstripe) as a process, and helpers to save a test card for a customer.

localstripe writes its state to /tmp/localstripe.pickle whatever its working directory; started
with --from-scratch it never reads that file, so concurrent sessions do not see each other's data.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import stripe

from billing.delivery.charging import stripe_client
from orm.models import Client
from tests.support.services import free_port, start_service, stop_process

STRIPE_HOST = "127.0.0.1"
TEST_API_KEY = "sk_test_localstripe"

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000341"  # attaches, then every charge is declined
CARD_REQUIRES_ACTION = "4000002500003155"


@dataclass
class LocalStripe:
    base_url: str

    def client(self) -> stripe.StripeClient:
        return stripe_client(TEST_API_KEY, self.base_url)

    async def intents_of_customer(self, customer_id: str) -> list[stripe.PaymentIntent]:
        """Every PaymentIntent of the customer (localstripe refuses filtering by customer)."""
        page = await self.client().v1.payment_intents.list_async({"limit": 100})
        intents = [intent async for intent in page.auto_paging_iter()]
        return [intent for intent in intents if intent.customer == customer_id]


@pytest.fixture(scope="session")
def local_stripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    workdir = tmp_path_factory.mktemp("localstripe")
    port = free_port()
    process = start_service(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        host=STRIPE_HOST,
        port=port,
        log_path=workdir / "localstripe.log",
        cwd=workdir,
    )
    try:
        yield LocalStripe(f"http://{STRIPE_HOST}:{port}")
    finally:
        stop_process(process)


async def customer_with_card(
    client: stripe.StripeClient, card_number: str, email: str = "client@example.test"
) -> tuple[str, str]:
    """A new Stripe customer with the test card attached: (customer id, payment method id)."""
    customer = await client.v1.customers.create_async({"email": email})
    method = await client.v1.payment_methods.create_async(
        {
            "type": "card",
            "card": {"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    await client.v1.payment_methods.attach_async(method.id, {"customer": customer.id})
    return customer.id, method.id


async def save_card(
    local_stripe: LocalStripe, client: Client, card_number: str = CARD_SUCCEEDS
) -> str:
    """The client charged through a new Stripe customer holding the test card, as the import
    saves them; returns the customer id."""
    customer, method = await customer_with_card(local_stripe.client(), card_number)
    client.stripe_customer_id, client.stripe_payment_method_id = customer, method
    await client.save(update_fields=["stripe_customer_id", "stripe_payment_method_id"])
    return customer
