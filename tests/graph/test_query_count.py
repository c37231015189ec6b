"""No N+1: a page of invoices with every relation costs the same statements for 5 or 50 rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from billing.runs.lifecycle import RunStatus
from orm.models import Tenant
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import add_line, make_client, make_invoice, make_run, pay

PAGE = """query($first: Int!) { invoices(first: $first) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node {
    id number displayNumber issuedOn dueOn total balance status overdue emailedAt previewUrl
    client { id name email billingUrl }
    subtotal taxTotal taxes { rate taxable tax }
    lines { kind description quantity unitPrice amount taxRate }
    allocations { amount paidOn method }
    run { id status client { name } }
    actions { view { allowed } send { allowed reason } void { allowed reason }
              delete { allowed reason } }
  } }
} }"""

SQL_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []
        # (sql, parameters) of each statement, where the driver logged them apart.
        self.records: list[tuple[str, list]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        if not message.upper().startswith(SQL_VERBS):
            return
        self.statements.append(message)
        if isinstance(record.args, tuple) and len(record.args) == 2:
            sql, parameters = record.args
            self.records.append((str(sql), list(parameters or [])))


@contextmanager
def counting_statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


async def add_invoices(tenant: Tenant, count: int) -> None:
    """Invoices of many clients and runs, each with lines and a payment."""
    runs = [await make_run(tenant, status=RunStatus.COMPLETED) for _ in range(3)]
    for n in range(count):
        client = await make_client(tenant, f"n1-{n}")
        invoice = await make_invoice(
            client, f"INV-{n:04d}", issued_on=date(2026, 11, 1 + n % 28), run=runs[n % 3]
        )
        await add_line(invoice, "Fiber")
        await add_line(invoice, "Router", position=1)
        await pay(invoice, "10.00")


async def statements_for_page(graphql: GraphQLClient, team: Team, first: int) -> list[str]:
    with counting_statements() as counter:
        data = await graphql.data(PAGE, {"first": first}, user=team.editor)
    assert len(data["invoices"]["edges"]) == first
    return counter.statements


@pytest.mark.asyncio
async def test_statements_do_not_grow_with_the_page(graphql: GraphQLClient, acme: Team) -> None:
    await add_invoices(acme.tenant, 50)
    small = await statements_for_page(graphql, acme, 5)
    large = await statements_for_page(graphql, acme, 50)
    assert len(small) == len(large), "\n".join(large)
    # The viewer, the page and its count, then one statement per relation.
    assert len(large) <= 10, "\n".join(large)


RUN_PAGES = """query($first: Int!) { invoices(first: $first) { edges { node {
  run { invoices(first: 5) { totalCount edges { node { id lines { id } } } } }
} } } }"""


@pytest.mark.asyncio
async def test_a_run_s_page_of_invoices_is_read_once_for_all_its_invoices(
    graphql: GraphQLClient, acme: Team
) -> None:
    await add_invoices(acme.tenant, 30)
    counts = []
    for first in (3, 30):
        with counting_statements() as counter:
            await graphql.data(RUN_PAGES, {"first": first}, user=acme.editor)
        counts.append(len(counter.statements))
    assert counts[0] == counts[1]
