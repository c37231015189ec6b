"""Review before issuing, through the API with the embedded workers doing the runs."""

import asyncio
from datetime import date
from typing import Any

import dramatiq
import pytest

from billing.clients.eligibility import ChargeStatus
from ispbox.config import get_settings
from orm.models import Charge, Service
from tests.graph.conftest import GraphQLClient, Team
from tests.support.factories import make_charge, make_client, make_service
from tests.support.smtp import MaildirSmtpServer
from workers.embedded import start_embedded_workers, stop_embedded_workers

pytestmark = pytest.mark.asyncio

RUN = """mutation Run($review: Boolean) {
  runBulk(input: {billingDate: "2026-11-20", review: $review}) {
    run { id } errors { code message } } }"""
RUN_STATE = """query State($id: ID!) { invoiceRun(id: $id) {
  status review invoicesIssued amountIssued
  invoices(first: 50) { edges { node {
    id number displayNumber status total emailedAt client { name } } } } } }"""
KPIS = """{ invoiceKpis { totalInvoices outstandingBalance paidInvoices
  byStatus { status count total balance } } }"""
FINALIZE = """mutation F($id: ID!) { finalizeInvoiceRun(input: {runId: $id}) {
  run { status } errors { code } } }"""
DISCARD = """mutation D($id: ID!) { discardInvoiceRun(input: {runId: $id}) {
  run { status } errors { code } } }"""
STOPPED = {"AWAITING_REVIEW", "COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "DISCARDED"}


async def start_run(graphql: GraphQLClient, team: Team, review: bool | None) -> dict[str, Any]:
    payload = (await graphql.data(RUN, {"review": review}, user=team.editor))["runBulk"]
    return payload


async def run_until_stopped(graphql: GraphQLClient, team: Team, review: bool) -> dict[str, Any]:
    payload = await start_run(graphql, team, review)
    assert payload["errors"] == [], payload["errors"]
    run_id = payload["run"]["id"]
    async with asyncio.timeout(30):
        while True:
            run = (await graphql.data(RUN_STATE, {"id": run_id}, user=team.editor))["invoiceRun"]
            if run["status"] in STOPPED:
                return {"id": run_id, **run}
            await asyncio.sleep(0.05)


def drafts_of(run: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (e["node"]["client"]["name"], e["node"]["total"]) for e in run["invoices"]["edges"]
    )


async def test_review_run_discard_rerun_and_finalize(
    db: str, graphql: GraphQLClient, acme: Team, smtp_server: MaildirSmtpServer
) -> None:
    tenant = acme.tenant
    tenant.auto_email = True
    tenant.mailbox_host, tenant.mailbox_port = smtp_server.host, smtp_server.port
    tenant.mailbox_from_address = "billing@acme.example"
    await tenant.save()
    await make_service(acme.client, next_bill_date=date(2026, 10, 1))
    await make_charge(acme.client)
    quiet = await make_client(tenant, "quiet", name="Quiet Client")
    await make_service(quiet, auto_email=False)
    schedules = sorted(await Service.all().values_list("id", "next_bill_date"))
    kpis_before = await graphql.data(KPIS, user=acme.viewer)
    dramatiq.get_broker().flush_all()
    await start_embedded_workers(get_settings(), scheduler=False)
    try:
        review = await run_until_stopped(graphql, acme, review=True)
        assert (review["status"], review["review"], review["invoicesIssued"]) == (
            "AWAITING_REVIEW",
            True,
            2,
        )
        nodes = [edge["node"] for edge in review["invoices"]["edges"]]
        assert all(n["status"] == "DRAFT" and n["number"] is None for n in nodes)
        assert all(n["displayNumber"] == n["id"] for n in nodes)
        assert await graphql.data(KPIS, user=acme.viewer) != kpis_before  # byStatus counts drafts
        kpis = (await graphql.data(KPIS, user=acme.viewer))["invoiceKpis"]
        assert (kpis["totalInvoices"], kpis["outstandingBalance"]) == (0, "0.00")
        assert (await start_run(graphql, acme, None))["errors"][0]["code"] == "RUN_IN_PROGRESS"

        discarded = await graphql.data(DISCARD, {"id": review["id"]}, user=acme.editor)
        assert discarded["discardInvoiceRun"]["run"]["status"] == "DISCARDED"
        assert sorted(await Service.all().values_list("id", "next_bill_date")) == schedules
        assert not await Charge.exclude(status=ChargeStatus.PENDING).exists()
        after_discard = await graphql.data(KPIS, user=acme.viewer)
        assert after_discard == kpis_before

        again = await run_until_stopped(graphql, acme, review=True)
        assert drafts_of(again) == drafts_of(review)
        finalized = await graphql.data(FINALIZE, {"id": again["id"]}, user=acme.editor)
        assert finalized["finalizeInvoiceRun"]["run"]["status"] == "COMPLETED"
        refused = await graphql.data(FINALIZE, {"id": again["id"]}, user=acme.editor)
        assert refused["finalizeInvoiceRun"]["errors"][0]["code"] == "NOT_AWAITING_REVIEW"
        async with asyncio.timeout(20):
            while len(smtp_server.messages()) < 1:
                await asyncio.sleep(0.1)
        issued = await graphql.data(RUN_STATE, {"id": again["id"]}, user=acme.editor)
        numbers = sorted(e["node"]["number"] for e in issued["invoiceRun"]["invoices"]["edges"])
        assert numbers == ["INV-000001", "INV-000002"]
        emailed = {
            e["node"]["client"]["name"]: e["node"]["emailedAt"] is not None
            for e in issued["invoiceRun"]["invoices"]["edges"]
        }
        assert emailed == {acme.client.name: True, "Quiet Client": False}
        assert len(smtp_server.messages()) == 1

        later = await run_until_stopped(graphql, acme, review=False)
        assert (later["status"], later["invoicesIssued"]) == ("COMPLETED", 0)
    finally:
        await stop_embedded_workers()
