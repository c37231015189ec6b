"""An index on the charge attempts' PaymentIntent ids: Stripe's webhook events name an intent,
and each one is matched to its attempt (and so to its invoice) by that id."""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEX = "idx_charge_attempts_intent"


async def create_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        f"CREATE INDEX {INDEX} ON charge_attempts (stripe_payment_intent_id)"
    )


async def drop_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("models", "0005_idempotency_keys")]

    operations = [ops.RunPython(create_index, drop_index)]
