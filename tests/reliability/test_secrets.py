"""Security of secrets: API tokens are stored only as keyed hashes and mailbox passwords only
encrypted; tokens, the mailbox password, the Stripe key and the signing key never appear in logs
(every logger, every level), errors, stored records, API answers or the schema, through a run,
its emails and charges, a manual send and the failures of each."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from billing.delivery.charging import charge_invoice, stripe_client
from billing.delivery.email import check_mailbox
from billing.imports.demo_data import demo_document
from billing.imports.importer import ImportRejected, import_document
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.links import make_preview_token
from billing.tokens import MIN_TOKEN_LENGTH, hash_token
from graph.app import create_app
from graph.schema import schema
from ispbox.config import Settings, SettingsError, get_settings
from orm.db import connection
from orm.models import Client, Invoice, InvoiceRun, Tenant, User
from tests.graph.conftest import api_client, make_settings
from tests.reliability.log_capture import all_logs
from tests.reliability.schema_walk import all_operations, api_schema
from tests.reliability.snapshot import table_names
from tests.support.builders import ApiUser, make_invoice, make_user
from tests.support.factories import make_client, make_service, make_tenant
from tests.support.keys import TEST_SECRET_KEY
from tests.support.smtp import PickySmtpServer
from tests.support.stripe_server import LocalStripe, save_card

pytestmark = [
    pytest.mark.asyncio,
    # The login test server takes passwords over plain SMTP: it only ever listens on loopback.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

STRIPE_KEY = "sk_test_reliability_7Hq2Zk9Lr4Vw1Xy3"
WRONG_STRIPE_KEY = "rk_live_wrong_4Nf8Pq2Ls6Tz0Vb7"
SECRET_KEY = "signing-key-Qm5Rt8Wx2Yz4-Hd6Jp3Lv9Ns1"
WRONG_MAILBOX_PASSWORD = "wrong-password-Jd7Kf3Lg9"
WRONG_API_TOKEN = "tok_wrong_Xc4Vb8Nm2Qa7Ws5Ed"
SECRET_FIELD_NAMES = re.compile(r"password|secret|token|api_?key|stripe", re.IGNORECASE)


def encodings(secret: str) -> set[str]:
    """The secret and its base64 form (how SMTP logins and Basic auth carry it)."""
    return {secret, base64.b64encode(secret.encode()).decode()}


async def stored_text() -> str:
    """Every row of every table, as text."""
    rows = []
    for name in await table_names():
        rows += [
            repr(row) for row in await connection().execute_query_dict(f'SELECT * FROM "{name}"')
        ]
    return "\n".join(rows)


async def test_an_import_stores_api_tokens_only_as_their_hashes(db: str) -> None:
    document = demo_document(12, today=date(2026, 11, 20))
    tokens = [user["token"] for tenant in document["tenants"] for user in tenant["users"]]

    await import_document(document, signing_key=TEST_SECRET_KEY)

    text = await stored_text()
    assert [token for token in tokens if token in text] == []
    stored = set(await User.all().values_list("token_hash", flat=True))
    assert stored == {hash_token(token, get_settings().signing_key) for token in tokens}


async def test_a_token_hash_depends_on_the_server_key() -> None:
    token = "a" * MIN_TOKEN_LENGTH
    assert hash_token(token, "key-one-" * 4) != hash_token(token, "key-two-" * 4)


async def test_an_import_refuses_a_token_shorter_than_the_minimum(db: str) -> None:
    document = demo_document(3, today=date(2026, 11, 20))
    document["tenants"][0]["users"][0]["token"] = "x" * (MIN_TOKEN_LENGTH - 1)

    with pytest.raises(ImportRejected) as rejected:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert rejected.value.problems == [
        f"tenants[0].users[0].token: must be at least {MIN_TOKEN_LENGTH} characters "
        f"(it has {MIN_TOKEN_LENGTH - 1})"
    ]
    assert await User.all().count() == 0


@pytest.fixture
def login_document(picky_smtp_server: PickySmtpServer) -> dict:
    """A small demo document whose first tenant's mailbox is the test server, with a login."""
    document = demo_document(3, today=date(2026, 11, 20))
    document["tenants"][0]["settings"]["mailbox"] |= {
        "host": picky_smtp_server.host,
        "port": picky_smtp_server.port,
        "username": picky_smtp_server.username,
        "password": picky_smtp_server.password,
    }
    return document


async def first_tenant(document: dict) -> Tenant:
    """The stored tenant of the document's first entry."""
    return await Tenant.get(key=document["tenants"][0]["key"])


async def test_an_imported_mailbox_password_is_stored_encrypted_and_logs_in(
    db: str, picky_smtp_server: PickySmtpServer, login_document: dict
) -> None:
    await import_document(login_document, signing_key=TEST_SECRET_KEY)

    assert picky_smtp_server.password not in await stored_text()
    tenant = await first_tenant(login_document)
    assert await check_mailbox(tenant, get_settings().email_settings()) is None


async def test_a_mailbox_password_encrypted_under_another_key_is_a_clear_mailbox_problem(
    db: str, picky_smtp_server: PickySmtpServer, login_document: dict
) -> None:
    await import_document(login_document, signing_key=TEST_SECRET_KEY)
    tenant = await first_tenant(login_document)

    other_server = Settings(env="development", secret_key="another-server-key-" * 2)
    problem = await check_mailbox(tenant, other_server.email_settings())

    assert problem is not None and "ISPBOX_SECRET_KEY" in problem
    assert picky_smtp_server.password not in problem


async def test_a_second_import_of_the_same_mailbox_password_changes_nothing(
    db: str, picky_smtp_server: PickySmtpServer, login_document: dict
) -> None:
    await import_document(login_document, signing_key=TEST_SECRET_KEY)
    stored = await first_tenant(login_document)

    summary = await import_document(login_document, signing_key=TEST_SECRET_KEY)

    again = await first_tenant(login_document)
    assert again.mailbox_password == stored.mailbox_password
    assert summary.counts["tenants"].updated == 0


async def test_the_schema_has_no_field_or_argument_named_for_a_secret() -> None:
    named = []
    for type_ in api_schema().type_map.values():
        if type_.name.startswith("__"):
            continue
        for name, field in getattr(type_, "fields", {}).items():
            named.append(f"{type_.name}.{name}")
            named += [f"{type_.name}.{name}({arg})" for arg in getattr(field, "args", {})]
    assert [name for name in named if SECRET_FIELD_NAMES.search(name)] == []


async def billed_tenant(smtp: PickySmtpServer, local_stripe: LocalStripe) -> Tenant:
    """A tenant emailing through a mailbox that needs its password, charging saved cards."""
    tenant = await make_tenant(
        auto_email=True,
        auto_charge=True,
        mailbox_host=smtp.host,
        mailbox_port=smtp.port,
        mailbox_username=smtp.username,
        mailbox_password=smtp.password,
        mailbox_from_address="billing@acme.test",
    )
    for n in range(3):
        client = await make_client(tenant, f"c-{n}", email=f"c{n}@example.test")
        await save_card(local_stripe, client)
        await make_service(client)
    return tenant


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.1)


async def test_no_secret_reaches_logs_errors_records_or_answers(
    db: str,
    embedded_workers: None,
    picky_smtp_server: PickySmtpServer,
    local_stripe: LocalStripe,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in (
        ("stripe_api_key", STRIPE_KEY),
        ("stripe_api_base", local_stripe.base_url),
        ("secret_key", SecretStr(SECRET_KEY)),
    ):
        monkeypatch.setattr(get_settings(), name, value)
    tenant = await billed_tenant(picky_smtp_server, local_stripe)
    users = Users(
        editor=await make_user(tenant, "editor"),
        viewer=await make_user(tenant, "viewer", permissions=("billing.view",)),
        misconfigured=await make_user(await misconfigured_tenant(picky_smtp_server), "editor"),
    )
    manual = await unpaid_invoice(tenant)
    answers: list[str] = []
    settings = make_settings(db, secret_key=SECRET_KEY, stripe_api_key=STRIPE_KEY)

    # Only the product runs inside the capture: a test writing a secret would log it itself
    # (the ORM logs statements with their parameters at DEBUG).
    with all_logs() as logs:
        async with api_client(settings) as api:
            answers += await run_send_and_fail(api, users, picky_smtp_server)
        outcome = await charge_invoice(
            tenant_id=tenant.id,
            invoice_id=manual.id,
            client=stripe_client(WRONG_STRIPE_KEY, local_stripe.base_url),
        )
        answers.append(repr(outcome))

    secrets = set().union(
        *map(
            encodings,
            (
                users.editor.token,
                users.viewer.token,
                users.misconfigured.token,
                WRONG_API_TOKEN,
                picky_smtp_server.password,
                WRONG_MAILBOX_PASSWORD,
                f"\0{picky_smtp_server.username}\0{picky_smtp_server.password}",
                STRIPE_KEY,
                WRONG_STRIPE_KEY,
                SECRET_KEY,
            ),
        )
    )
    places = {
        "logs": "\n".join(logs),
        "API answers": "\n".join(answers),
        "stored records": await stored_text(),
        "schema": str(schema),
    }
    assert len(logs) > 50, "too few log records to mean anything"
    leaks = [
        (place, secret) for place, text in places.items() for secret in secrets if secret in text
    ]
    assert leaks == []


@dataclass(frozen=True, slots=True)
class Users:
    editor: ApiUser
    viewer: ApiUser
    # An editor of a tenant whose mailbox password is wrong.
    misconfigured: ApiUser


async def misconfigured_tenant(smtp: PickySmtpServer) -> Tenant:
    tenant = await make_tenant(
        "misconfigured",
        mailbox_host=smtp.host,
        mailbox_port=smtp.port,
        mailbox_username=smtp.username,
        mailbox_password=WRONG_MAILBOX_PASSWORD,
        mailbox_from_address="billing@misconfigured.test",
    )
    await unpaid_invoice(tenant, client=await make_client(tenant, "m-1"))
    return tenant


async def run_send_and_fail(
    api: httpx.AsyncClient, users: Users, smtp: PickySmtpServer
) -> list[str]:
    """A run through the API and the workers (emails with login, charges with the key), reads of
    everything, a manual send, and the failures: wrong mailbox password, unknown token, missing
    permission. Returns every answer's text."""
    answers = []

    async def ask(document: str, user: ApiUser, variables: dict | None = None) -> dict:
        response = await api.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=user.headers
        )
        answers.append(response.text)
        return response.json()

    started = await ask(
        'mutation { runBulk(input: {billingDate: "2026-11-20"}) { run { id } errors { code } } }',
        users.editor,
    )
    run_id = started["data"]["runBulk"]["run"]["id"]
    await wait_until(lambda: _run_finished(run_id))
    await wait_until(lambda: _all_paid_and_emailed(int(run_id)))
    for op in all_operations(api_schema(), id_value=run_id, every_id=True, depth=2):
        if op.kind == "query":
            answers.append(str(await ask(op.document, users.editor, op.variables)))
    invoice_id = str((await Invoice.filter(run_id=int(run_id)).first()).id)
    # Forced: the run emailed the invoice a moment ago.
    send = (
        "mutation($id: ID!) { sendInvoice(input: {id: $id, force: true}) "
        "{ errors { code message } } }"
    )
    sent = await ask(send, users.editor, {"id": invoice_id})
    assert sent["data"]["sendInvoice"]["errors"] == []
    other_id = str((await Invoice.get(tenant__key="misconfigured")).id)
    refused = await ask(send, users.misconfigured, {"id": other_id})
    assert refused["data"]["sendInvoice"]["errors"][0]["code"] == "MAILBOX_UNAVAILABLE"
    forbidden = await ask(send, users.viewer, {"id": invoice_id})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = await api.post(
        "/graphql",
        json={"query": "{ viewer { userName } }"},
        headers={"Authorization": f"Bearer {WRONG_API_TOKEN}"},
    )
    assert unknown.status_code == 401
    answers.append(unknown.text)
    assert len(smtp.messages) == 4  # three from the run, one sent by hand
    return answers


async def _run_finished(run_id: str) -> bool:
    return (await InvoiceRun.get(id=int(run_id))).finished_at is not None


async def _all_paid_and_emailed(run_id: int) -> bool:
    invoices = await Invoice.filter(run_id=run_id)
    return len(invoices) == 3 and all(
        i.status == InvoiceStatus.PAID and i.emailed_at is not None for i in invoices
    )


async def unpaid_invoice(tenant: Tenant, client: Client | None = None) -> Invoice:
    """An issued invoice of the tenant outside any run (charged or sent by hand)."""
    client = client or await Client.filter(tenant_id=tenant.id).first()
    assert client is not None
    return await make_invoice(client, "MANUAL-1", issued_on=date(2026, 11, 20), total="10.00")


async def test_the_access_log_never_holds_a_preview_token(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = await make_tenant()
    invoice = await unpaid_invoice(tenant, client=await make_client(tenant, "c-1"))
    settings = make_settings(db)
    token = make_preview_token(
        tenant_id=tenant.id,
        invoice_id=invoice.id,
        secret=settings.signing_key,
        ttl_seconds=settings.preview_link_ttl_seconds,
    )
    app = create_app(settings, manage_database=False)
    # No logging config of uvicorn's own: its access records reach the test's capture.
    server = uvicorn.Server(uvicorn.Config(app, port=0, log_config=None, lifespan="off"))

    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        serving = asyncio.create_task(server.serve())
        await wait_until(lambda: _started(server))
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            response = await http.get(f"/invoices/{invoice.id}/preview?token={token}&x=1")
        server.should_exit = True
        await serving

    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any(f"/invoices/{invoice.id}/preview?token=[redacted]&x=1" in line for line in lines)
    assert token not in caplog.text


async def _started(server: uvicorn.Server) -> bool:
    return server.started


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "not set"),
        ("", "not set"),
        ("change-me-in-production", "placeholder"),
        ("k" * 31, "too short"),
    ],
)
async def test_production_refuses_an_unusable_secret_key(
    key: str | None, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ISPBOX_SECRET_KEY")
    values = {} if key is None else {"secret_key": key}

    settings = Settings(env="production", **values)

    for use in (settings.check_ready_to_start, lambda: settings.signing_key):
        with pytest.raises(SettingsError) as refused:
            use()
        assert str(refused.value).startswith("ISPBOX_SECRET_KEY is")
        assert reason in str(refused.value)
    with pytest.raises(SettingsError):
        create_app(settings, manage_database=False)


async def test_production_takes_a_key_of_32_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISPBOX_SECRET_KEY")
    assert Settings(env="production", secret_key="k" * 32).signing_key == "k" * 32


async def test_development_makes_a_random_key_per_process_when_none_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ISPBOX_SECRET_KEY")
    first, second = Settings(env="development"), Settings(env="development")
    assert len(first.signing_key.encode()) >= 32
    assert first.signing_key != second.signing_key


async def test_the_secret_key_never_prints_with_the_settings() -> None:
    settings = Settings(env="production", secret_key="s" * 40)
    assert "s" * 40 not in repr(settings) and "s" * 40 not in str(settings.model_dump())
