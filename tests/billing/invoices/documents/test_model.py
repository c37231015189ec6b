"""A document is made only with figures that add up and the identity its kind needs."""

from __future__ import annotations

import dataclasses

import pytest

from billing.invoices.documents import DocumentKind


def test_total_that_is_not_subtotal_plus_tax_is_refused(eur_invoice):
    with pytest.raises(ValueError, match="subtotal plus tax is the total"):
        dataclasses.replace(eur_invoice, total=eur_invoice.total + 1)


def test_lines_that_do_not_add_up_to_the_subtotal_are_refused(eur_invoice):
    with pytest.raises(ValueError, match="the lines add up to the subtotal"):
        dataclasses.replace(eur_invoice, lines=eur_invoice.lines[1:])


def test_tax_rows_that_do_not_add_up_are_refused(eur_invoice):
    with pytest.raises(ValueError, match="tax rows"):
        dataclasses.replace(eur_invoice, tax_rows=eur_invoice.tax_rows[1:])


def test_balance_due_must_be_total_less_paid(eur_invoice):
    with pytest.raises(ValueError, match="balance due"):
        dataclasses.replace(eur_invoice, amount_paid=100)


def test_credit_note_without_the_invoice_it_credits_is_refused(eur_credit_note):
    with pytest.raises(ValueError, match="refers to the invoice"):
        dataclasses.replace(eur_credit_note, invoice_number=None)


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "eur"), ("currency", "EURO"), ("exponent", 5), ("number", " ")],
)
def test_bad_identity_is_refused(eur_invoice, field, value):
    with pytest.raises(ValueError):
        dataclasses.replace(eur_invoice, **{field: value})


def test_document_kinds_have_their_en16931_type_codes():
    assert DocumentKind.INVOICE.type_code == "380"
    assert DocumentKind.CREDIT_NOTE.type_code == "381"
