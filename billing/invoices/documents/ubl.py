"""The document as OASIS UBL 2.1 XML, Peppol BIS Billing 3.0: an Invoice or a CreditNote.

Business terms are named by their EN 16931 numbers (BT-n, BG-n). Element order follows the UBL 2.1
XSDs, which the tests validate against. Peppol also wants electronic addresses (BT-34, BT-49) that
the product does not hold yet; the documents carry everything else.
"""

from __future__ import annotations

from lxml import etree

from billing.invoices.documents.amounts import plain_decimal, quantity_and_unit_price, xml_amount
from billing.invoices.documents.cii import (
    PAYMENT_MEANS_NOT_DEFINED,
    UNIT_CODE,
    exemption_reason,
)
from billing.invoices.documents.model import (
    Buyer,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Seller,
)
from billing.taxes import TaxCategory, TaxRow

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOT_NAMESPACES = {
    DocumentKind.INVOICE: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    DocumentKind.CREDIT_NOTE: "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def ubl_xml(document: InvoiceDocument) -> bytes:
    """The UBL XML of an invoice (Invoice, type 380) or credit note (CreditNote, type 381)."""
    invoice = document.kind is DocumentKind.INVOICE
    root_name = "Invoice" if invoice else "CreditNote"
    namespace = ROOT_NAMESPACES[document.kind]
    nsmap = {None: namespace, "cac": CAC, "cbc": CBC}
    root = etree.Element(f"{{{namespace}}}{root_name}", nsmap=nsmap)
    _header(root, document)
    _party(_cac(root, "AccountingSupplierParty"), document.seller)  # BG-4
    _party(_cac(root, "AccountingCustomerParty"), document.buyer)  # BG-7
    _payment(root, document)
    _tax_total(root, document)
    _monetary_total(root, document)
    for position, line in enumerate(document.lines, start=1):
        _line(root, position, line, document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _cbc(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}")
    if text is not None:
        element.text = text
    return element


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _money(parent: etree._Element, name: str, amount: int, document: InvoiceDocument) -> None:
    _cbc(parent, name, xml_amount(amount, document.exponent)).set("currencyID", document.currency)


def _header(root: etree._Element, document: InvoiceDocument) -> None:
    invoice = document.kind is DocumentKind.INVOICE
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)  # BT-24
    _cbc(root, "ProfileID", PROFILE_ID)  # BT-23
    _cbc(root, "ID", document.number)  # BT-1
    _cbc(root, "IssueDate", document.issue_date.isoformat())  # BT-2
    if invoice and document.due_date:
        _cbc(root, "DueDate", document.due_date.isoformat())  # BT-9
    _cbc(root, "InvoiceTypeCode" if invoice else "CreditNoteTypeCode", document.kind.type_code)
    if document.reason:
        _cbc(root, "Note", document.reason)  # BT-22
    _cbc(root, "DocumentCurrencyCode", document.currency)  # BT-5
    _cbc(root, "BuyerReference", document.buyer.account_key)  # BT-10
    if document.kind is DocumentKind.CREDIT_NOTE:  # BG-3
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", document.invoice_number)  # BT-25
        if document.invoice_issue_date:
            _cbc(reference, "IssueDate", document.invoice_issue_date.isoformat())  # BT-26


def _party(role: etree._Element, party: Seller | Buyer) -> None:
    element = _cac(role, "Party")
    if isinstance(party, Buyer):
        _cbc(_cac(element, "PartyIdentification"), "ID", party.account_key)  # BT-46
    address = _cac(element, "PostalAddress")
    lines = [line for line in party.address_lines if line.strip()]
    if lines:
        _cbc(address, "StreetName", lines[0])  # BT-35, BT-50
    if len(lines) > 1:
        _cbc(address, "AdditionalStreetName", lines[1])  # BT-36, BT-51
    if len(lines) > 2:
        _cbc(_cac(address, "AddressLine"), "Line", ", ".join(lines[2:]))  # BT-162, BT-163
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country_code)  # BT-40, BT-55
    if party.tax_id:  # BT-31, BT-48
        scheme = _cac(element, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", party.tax_id)
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    name = party.name if isinstance(party, Buyer) else party.legal_name
    _cbc(_cac(element, "PartyLegalEntity"), "RegistrationName", name)  # BT-27, BT-44


def _payment(root: etree._Element, document: InvoiceDocument) -> None:
    instructions = document.seller.payment_instructions
    if not instructions:
        return
    means = _cac(root, "PaymentMeans")  # BG-16
    _cbc(means, "PaymentMeansCode", PAYMENT_MEANS_NOT_DEFINED)  # BT-81
    _cbc(_cac(root, "PaymentTerms"), "Note", instructions)  # BT-20


def _tax_total(root: etree._Element, document: InvoiceDocument) -> None:
    total = _cac(root, "TaxTotal")
    _money(total, "TaxAmount", document.tax_total, document)  # BT-110
    for row in document.tax_rows:
        _tax_subtotal(total, row, document)


def _tax_subtotal(total: etree._Element, row: TaxRow, document: InvoiceDocument) -> None:
    subtotal = _cac(total, "TaxSubtotal")  # BG-23
    _money(subtotal, "TaxableAmount", row.taxable, document)  # BT-116
    _money(subtotal, "TaxAmount", row.tax, document)  # BT-117
    category = _cac(subtotal, "TaxCategory")
    _cbc(category, "ID", row.category.value)  # BT-118
    if row.category is not TaxCategory.OUTSIDE_SCOPE:
        _cbc(category, "Percent", plain_decimal(row.rate))  # BT-119
    reason = exemption_reason(row)
    if reason:
        _cbc(category, "TaxExemptionReason", reason)  # BT-120
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _monetary_total(root: etree._Element, document: InvoiceDocument) -> None:
    total = _cac(root, "LegalMonetaryTotal")  # BG-22
    _money(total, "LineExtensionAmount", document.subtotal, document)  # BT-106
    _money(total, "TaxExclusiveAmount", document.subtotal, document)  # BT-109
    _money(total, "TaxInclusiveAmount", document.total, document)  # BT-112
    _money(total, "PrepaidAmount", document.amount_paid, document)  # BT-113
    _money(total, "PayableAmount", document.balance_due, document)  # BT-115


def _line(
    root: etree._Element, position: int, line: DocumentLine, document: InvoiceDocument
) -> None:
    invoice = document.kind is DocumentKind.INVOICE
    element = _cac(root, "InvoiceLine" if invoice else "CreditNoteLine")  # BG-25
    _cbc(element, "ID", str(position))  # BT-126
    quantity, price = quantity_and_unit_price(line.net_amount, line.quantity, document.exponent)
    _cbc(element, "InvoicedQuantity" if invoice else "CreditedQuantity", quantity).set(
        "unitCode", UNIT_CODE
    )  # BT-129, BT-130
    _money(element, "LineExtensionAmount", line.net_amount, document)  # BT-131
    if line.period_start and line.period_end:  # BG-26
        period = _cac(element, "InvoicePeriod")
        _cbc(period, "StartDate", line.period_start.isoformat())
        _cbc(period, "EndDate", line.period_end.isoformat())
    item = _cac(element, "Item")
    _cbc(item, "Name", line.description)  # BT-153
    category = _cac(item, "ClassifiedTaxCategory")
    _cbc(category, "ID", line.tax_category.value)  # BT-151
    if line.tax_category is not TaxCategory.OUTSIDE_SCOPE:
        _cbc(category, "Percent", plain_decimal(line.tax_rate))  # BT-152
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
    price_element = _cac(element, "Price")
    _cbc(price_element, "PriceAmount", price).set("currencyID", document.currency)  # BT-146
