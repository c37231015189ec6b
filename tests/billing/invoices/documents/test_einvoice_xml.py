"""CII (Factur-X EN 16931) and UBL 2.1 (Peppol BIS 3) XML: schema-valid, the document's figures."""

from __future__ import annotations

from decimal import Decimal

import facturx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from billing.invoices.documents import DocumentKind, cii_xml, ubl_xml
from billing.invoices.documents.amounts import xml_amount
from billing.invoices.documents.cii import NAMESPACES as CII
from billing.invoices.documents.ubl import CAC, CBC
from billing.taxes import ExemptionKind, TaxExemption
from tests.billing.invoices.documents.samples import EUR_LINES, make_document

UBL = {"cac": CAC, "cbc": CBC}


def ubl_flavor(document) -> str:
    return "ubl-2.1-invoice" if document.kind is DocumentKind.INVOICE else "ubl-2.1-creditnote"


DOCUMENTS = {
    "eur invoice": lambda: make_document(EUR_LINES),
    "eur credit note": lambda: make_document(EUR_LINES[:2], kind=DocumentKind.CREDIT_NOTE),
    "jpy invoice": lambda: make_document(
        [("Fibre 1G", Decimal(1), 5480, Decimal(10))], currency="JPY", exponent=0
    ),
    "bhd invoice": lambda: make_document(
        [("Fibre 1G", Decimal(1), 12345, Decimal(10))], currency="BHD", exponent=3
    ),
    "inclusive prices, partly paid": lambda: make_document(
        EUR_LINES, prices_include_tax=True, amount_paid=1000
    ),
    "exempt client": lambda: make_document(
        EUR_LINES, exemption=TaxExemption(ExemptionKind.EXEMPT, "Exempt: Art. 132(1)(a)")
    ),
    "reverse charge": lambda: make_document(
        EUR_LINES, exemption=TaxExemption(ExemptionKind.REVERSE_CHARGE, "Reverse charge")
    ),
    "outside the scope of tax": lambda: make_document([("Deposit", Decimal(1), 5000, None)]),
    "discount line": lambda: make_document(
        [*EUR_LINES, ("Loyalty discount", Decimal(1), -500, Decimal(19))]
    ),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_cii_is_valid_against_the_facturx_en16931_xsd(name):
    assert facturx.xml_check_xsd(cii_xml(DOCUMENTS[name]()), flavor="factur-x", level="en16931")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_ubl_is_valid_against_the_ubl_21_xsd(name):
    document = DOCUMENTS[name]()

    assert facturx.xml_check_xsd(ubl_xml(document), flavor=ubl_flavor(document))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_both_syntaxes_carry_the_documents_totals(name):
    document = DOCUMENTS[name]()
    cii = etree.fromstring(cii_xml(document))
    ubl = etree.fromstring(ubl_xml(document))

    def amount(minor: int) -> str:
        return xml_amount(minor, document.exponent)

    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert cii.findtext(summation + "LineTotalAmount", namespaces=CII) == amount(document.subtotal)
    assert cii.findtext(summation + "TaxTotalAmount", namespaces=CII) == amount(document.tax_total)
    assert cii.findtext(summation + "GrandTotalAmount", namespaces=CII) == amount(document.total)
    assert cii.findtext(summation + "DuePayableAmount", namespaces=CII) == amount(
        document.balance_due
    )
    total = "cac:LegalMonetaryTotal/cbc:"
    assert ubl.findtext(total + "TaxExclusiveAmount", namespaces=UBL) == amount(document.subtotal)
    assert ubl.findtext(total + "TaxInclusiveAmount", namespaces=UBL) == amount(document.total)
    assert ubl.findtext(total + "PayableAmount", namespaces=UBL) == amount(document.balance_due)
    assert ubl.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=UBL) == amount(document.tax_total)


def test_tax_breakdown_has_one_row_per_rate_in_both_syntaxes():
    document = make_document(EUR_LINES)
    cii = etree.fromstring(cii_xml(document))
    ubl = etree.fromstring(ubl_xml(document))

    cii_rows = [
        (
            tax.findtext("ram:CategoryCode", namespaces=CII),
            tax.findtext("ram:RateApplicablePercent", namespaces=CII),
            tax.findtext("ram:BasisAmount", namespaces=CII),
            tax.findtext("ram:CalculatedAmount", namespaces=CII),
        )
        for tax in cii.iterfind(
            ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", CII
        )
    ]
    ubl_rows = [
        (
            sub.findtext("cac:TaxCategory/cbc:ID", namespaces=UBL),
            sub.findtext("cac:TaxCategory/cbc:Percent", namespaces=UBL),
            sub.findtext("cbc:TaxableAmount", namespaces=UBL),
            sub.findtext("cbc:TaxAmount", namespaces=UBL),
        )
        for sub in ubl.iterfind("cac:TaxTotal/cac:TaxSubtotal", UBL)
    ]
    expected = [
        (row.category.value, str(row.rate), xml_amount(row.taxable, 2), xml_amount(row.tax, 2))
        for row in document.tax_rows
    ]
    assert cii_rows == ubl_rows == expected
    assert [row[0] for row in expected] == ["S", "S", "Z"]


def test_amounts_are_written_with_the_currencys_digits():
    jpy = DOCUMENTS["jpy invoice"]()
    bhd = DOCUMENTS["bhd invoice"]()

    jpy_total = etree.fromstring(ubl_xml(jpy)).findtext(
        "cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL
    )
    bhd_total = etree.fromstring(ubl_xml(bhd)).findtext(
        "cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL
    )

    assert jpy_total == str(jpy.total)  # 5480 + 548 yen: no decimal point
    assert bhd_total == f"{bhd.total // 1000}.{bhd.total % 1000:03d}"


def test_credit_note_has_type_381_and_refers_to_the_invoice():
    document = DOCUMENTS["eur credit note"]()
    cii = etree.fromstring(cii_xml(document))
    ubl = etree.fromstring(ubl_xml(document))

    assert cii.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=CII) == "381"
    assert (
        cii.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=CII)
        == document.invoice_number
    )
    assert etree.QName(ubl).localname == "CreditNote"
    assert ubl.findtext("cbc:CreditNoteTypeCode", namespaces=UBL) == "381"
    assert (
        ubl.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=UBL)
        == document.invoice_number
    )
    assert len(ubl.findall("cac:CreditNoteLine", UBL)) == len(document.lines)


def test_invoice_has_type_380_and_its_due_date():
    document = make_document(EUR_LINES)
    ubl = etree.fromstring(ubl_xml(document))

    assert ubl.findtext("cbc:InvoiceTypeCode", namespaces=UBL) == "380"
    assert ubl.findtext("cbc:DueDate", namespaces=UBL) == document.due_date.isoformat()


def test_reverse_charge_rows_carry_category_ae_and_the_reason():
    document = DOCUMENTS["reverse charge"]()
    ubl = etree.fromstring(ubl_xml(document))
    cii = etree.fromstring(cii_xml(document))

    category = ubl.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", UBL)
    assert category.findtext("cbc:ID", namespaces=UBL) == "AE"
    assert category.findtext("cbc:TaxExemptionReason", namespaces=UBL) == "Reverse charge"
    header_tax = ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert cii.findtext(header_tax + "ram:ExemptionReason", namespaces=CII) == "Reverse charge"
    assert {c.text for c in cii.iterfind(".//ram:CategoryCode", CII)} == {"AE"}


def test_outside_scope_lines_carry_no_rate():
    document = DOCUMENTS["outside the scope of tax"]()
    ubl = etree.fromstring(ubl_xml(document))

    category = ubl.find("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory", UBL)
    assert category.findtext("cbc:ID", namespaces=UBL) == "O"
    assert category.find("cbc:Percent", UBL) is None


def test_a_discount_line_is_a_negative_quantity_at_a_positive_price():
    document = DOCUMENTS["discount line"]()
    line = etree.fromstring(ubl_xml(document)).findall("cac:InvoiceLine", UBL)[-1]

    assert line.findtext("cbc:InvoicedQuantity", namespaces=UBL) == "-1"
    assert line.findtext("cac:Price/cbc:PriceAmount", namespaces=UBL) == "5.00"
    assert line.findtext("cbc:LineExtensionAmount", namespaces=UBL) == "-5.00"


def test_seller_and_buyer_identity_are_in_the_xml():
    document = make_document(EUR_LINES)
    cii = etree.fromstring(cii_xml(document))

    seller = cii.find(".//ram:SellerTradeParty", CII)
    buyer = cii.find(".//ram:BuyerTradeParty", CII)
    assert seller.findtext("ram:Name", namespaces=CII) == document.seller.legal_name
    assert seller.findtext(".//ram:ID[@schemeID='VA']", namespaces=CII) == document.seller.tax_id
    assert buyer.findtext("ram:ID", namespaces=CII) == document.buyer.account_key
    assert buyer.findtext(".//ram:ID[@schemeID='VA']", namespaces=CII) == document.buyer.tax_id
    assert buyer.findtext(".//ram:CountryID", namespaces=CII) == "GR"


priced_lines = st.lists(
    st.tuples(
        st.just("Service"),
        st.decimals(min_value=Decimal("0.5"), max_value=12, places=1),
        st.integers(min_value=-(10**6), max_value=10**8),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=27, places=2, allow_nan=False)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(
    priced=priced_lines,
    inclusive=st.booleans(),
    kind=st.sampled_from(DocumentKind),
    currency=st.sampled_from([("EUR", 2), ("JPY", 0), ("BHD", 3)]),
)
def test_any_priced_lines_give_schema_valid_cii_and_ubl(priced, inclusive, kind, currency):
    code, exponent = currency
    document = make_document(
        priced, currency=code, exponent=exponent, kind=kind, prices_include_tax=inclusive
    )

    assert facturx.xml_check_xsd(cii_xml(document), flavor="factur-x", level="en16931")
    assert facturx.xml_check_xsd(ubl_xml(document), flavor=ubl_flavor(document))
