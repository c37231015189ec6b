"""The invoice list's view in the address: read, written back the same, with the API's names for
the filter, and unreadable parameters named and left out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dashboard.list_view import ListView, parse_amount, view_from_query, view_to_query
from dashboard.models import InvoiceSortField, InvoiceStatus, SortDirection


def test_the_default_view_has_an_empty_query_and_the_servers_order():
    assert view_to_query(ListView()) == {}
    assert ListView().criteria() == {}
    assert ListView().order() is None


def test_a_view_survives_the_round_trip_through_the_address():
    view = ListView(
        search="Smith",
        statuses=(InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL),
        issued_from=date(2026, 1, 1),
        issued_to=date(2026, 3, 31),
        due_to=date(2026, 4, 15),
        overdue_only=True,
        client_id="12",
        run_id="7",
        total_min=Decimal("10.50"),
        total_max=Decimal("1000"),
        sort=InvoiceSortField.DUE,
        direction=SortDirection.ASC,
        page_size=100,
    )
    query = view_to_query(view)
    assert query == {
        "q": "Smith",
        "status": "unpaid,partial",
        "issued_from": "2026-01-01",
        "issued_to": "2026-03-31",
        "due_to": "2026-04-15",
        "overdue": "1",
        "client": "12",
        "run": "7",
        "min": "10.50",
        "max": "1000",
        "sort": "due",
        "dir": "asc",
        "size": "100",
    }
    assert view_from_query(query) == view


def test_the_filter_and_order_use_the_apis_names():
    view = view_from_query({"status": "paid", "min": "5", "overdue": "1", "sort": "total"})
    assert view.criteria() == {
        "statuses": ["PAID"],
        "overdueOnly": True,
        "totalMin": Decimal("5"),
    }
    order = view.order()
    assert order is not None
    assert (order.field, order.direction) == (InvoiceSortField.TOTAL, SortDirection.DESC)


def test_unreadable_parameters_are_named_and_left_out():
    view = view_from_query(
        {
            "status": "paid,lost",
            "issued_from": "yesterday",
            "client": "abc",
            "min": "ten",
            "sort": "colour",
            "dir": "up",
            "size": "7",
        }
    )
    assert view.statuses == (InvoiceStatus.PAID,)
    assert (view.issued_from, view.client_id, view.total_min) == (None, None, None)
    assert (view.sort, view.direction, view.page_size) == (
        InvoiceSortField.ISSUED,
        SortDirection.DESC,
        25,
    )
    assert len(view.problems) == 7


def test_amounts_are_read_exactly():
    assert parse_amount("1,234.50") == Decimal("1234.50")
    assert parse_amount(" 0.10 ") == Decimal("0.10")
    assert parse_amount("NaN") is None
    assert parse_amount("Infinity") is None
    assert parse_amount("") is None
