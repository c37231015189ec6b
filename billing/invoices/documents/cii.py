"""The document as UN/CEFACT Cross Industry Invoice XML (D16B), EN 16931 profile (Factur-X).

Business terms are named by their EN 16931 numbers (BT-n, BG-n). Element order follows the
Factur-X EN 16931 XSD, which the tests validate against.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from billing.invoices.documents.amounts import plain_decimal, quantity_and_unit_price, xml_amount
from billing.invoices.documents.model import (
    OUTSIDE_SCOPE_REASON,
    Buyer,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Seller,
)
from billing.taxes import TaxCategory, TaxRow

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NAMESPACES = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
# UNTDID 4461 "instrument not defined": the instructions are free text (BT-20).
PAYMENT_MEANS_NOT_DEFINED = "1"
# UN/ECE Recommendation 20 "one": services are counted in units.
UNIT_CODE = "C62"
ADDRESS_LINE_ELEMENTS = ("LineOne", "LineTwo", "LineThree")


def cii_xml(document: InvoiceDocument) -> bytes:
    """The CII XML of an invoice (type 380) or credit note (type 381), UTF-8 with declaration."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _sub(root, RSM, "ExchangedDocumentContext")
    _sub(
        _sub(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID"
    ).text = EN16931_GUIDELINE
    _exchanged_document(root, document)
    transaction = _sub(root, RSM, "SupplyChainTradeTransaction")
    for position, line in enumerate(document.lines, start=1):
        _line_item(transaction, position, line, document)
    _agreement(transaction, document)
    _sub(transaction, RAM, "ApplicableHeaderTradeDelivery")
    _settlement(transaction, document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _sub(parent: etree._Element, namespace: str, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def _date(parent: etree._Element, name: str, value: date, namespace: str = UDT) -> None:
    holder = _sub(parent, RAM, name)
    _sub(holder, namespace, "DateTimeString", value.strftime("%Y%m%d")).set("format", "102")


def _exchanged_document(root: etree._Element, document: InvoiceDocument) -> None:
    exchanged = _sub(root, RSM, "ExchangedDocument")
    _sub(exchanged, RAM, "ID", document.number)  # BT-1
    _sub(exchanged, RAM, "TypeCode", document.kind.type_code)  # BT-3
    _date(exchanged, "IssueDateTime", document.issue_date)  # BT-2
    if document.reason:
        _sub(_sub(exchanged, RAM, "IncludedNote"), RAM, "Content", document.reason)  # BT-22


def _line_item(
    transaction: etree._Element, position: int, line: DocumentLine, document: InvoiceDocument
) -> None:
    item = _sub(transaction, RAM, "IncludedSupplyChainTradeLineItem")  # BG-25
    _sub(_sub(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", str(position))
    _sub(_sub(item, RAM, "SpecifiedTradeProduct"), RAM, "Name", line.description)  # BT-153
    quantity, price = quantity_and_unit_price(line.net_amount, line.quantity, document.exponent)
    agreement = _sub(item, RAM, "SpecifiedLineTradeAgreement")
    _sub(_sub(agreement, RAM, "NetPriceProductTradePrice"), RAM, "ChargeAmount", price)  # BT-146
    delivery = _sub(item, RAM, "SpecifiedLineTradeDelivery")
    _sub(delivery, RAM, "BilledQuantity", quantity).set("unitCode", UNIT_CODE)  # BT-129, BT-130
    settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, RAM, "ApplicableTradeTax")
    _sub(tax, RAM, "TypeCode", "VAT")
    _sub(tax, RAM, "CategoryCode", line.tax_category.value)  # BT-151
    if line.tax_category is not TaxCategory.OUTSIDE_SCOPE:  # BR-O-5: no rate outside scope
        _sub(tax, RAM, "RateApplicablePercent", plain_decimal(line.tax_rate))  # BT-152
    if line.period_start and line.period_end:  # BG-26
        period = _sub(settlement, RAM, "BillingSpecifiedPeriod")
        _date(period, "StartDateTime", line.period_start)
        _date(period, "EndDateTime", line.period_end)
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, RAM, "LineTotalAmount", xml_amount(line.net_amount, document.exponent))


def _agreement(transaction: etree._Element, document: InvoiceDocument) -> None:
    agreement = _sub(transaction, RAM, "ApplicableHeaderTradeAgreement")
    _sub(agreement, RAM, "BuyerReference", document.buyer.account_key)  # BT-10
    _party(agreement, "SellerTradeParty", document.seller)
    _party(agreement, "BuyerTradeParty", document.buyer)


def _party(agreement: etree._Element, name: str, party: Seller | Buyer) -> None:
    element = _sub(agreement, RAM, name)
    if isinstance(party, Buyer):
        _sub(element, RAM, "ID", party.account_key)  # BT-46
        _sub(element, RAM, "Name", party.name)  # BT-44
    else:
        _sub(element, RAM, "Name", party.legal_name)  # BT-27
    address = _sub(element, RAM, "PostalTradeAddress")  # BG-5, BG-8
    lines = _three_lines(party.address_lines)
    for element_name, text in zip(ADDRESS_LINE_ELEMENTS, lines, strict=False):
        _sub(address, RAM, element_name, text)
    _sub(address, RAM, "CountryID", party.country_code)  # BT-40, BT-55
    if party.tax_id:  # BT-31, BT-48
        registration = _sub(element, RAM, "SpecifiedTaxRegistration")
        _sub(registration, RAM, "ID", party.tax_id).set("schemeID", "VA")


def _three_lines(lines: tuple[str, ...]) -> list[str]:
    """Address lines in the three the syntax has, the rest kept on the third."""
    kept = [line for line in lines if line.strip()]
    return [*kept[:2], ", ".join(kept[2:])] if len(kept) > 3 else kept


def _settlement(transaction: etree._Element, document: InvoiceDocument) -> None:
    settlement = _sub(transaction, RAM, "ApplicableHeaderTradeSettlement")
    _sub(settlement, RAM, "InvoiceCurrencyCode", document.currency)  # BT-5
    instructions = document.seller.payment_instructions
    if instructions:  # BG-16
        means = _sub(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
        _sub(means, RAM, "TypeCode", PAYMENT_MEANS_NOT_DEFINED)  # BT-81
    for row in document.tax_rows:
        _tax_row(settlement, row, document.exponent)
    if instructions or document.due_date:  # BT-20, BT-9
        terms = _sub(settlement, RAM, "SpecifiedTradePaymentTerms")
        if instructions:
            _sub(terms, RAM, "Description", instructions)
        if document.due_date:
            _date(terms, "DueDateDateTime", document.due_date)
    _monetary_summation(settlement, document)
    if document.kind is DocumentKind.CREDIT_NOTE:  # BG-3
        reference = _sub(settlement, RAM, "InvoiceReferencedDocument")
        _sub(reference, RAM, "IssuerAssignedID", document.invoice_number)  # BT-25
        if document.invoice_issue_date:  # BT-26
            _date(reference, "FormattedIssueDateTime", document.invoice_issue_date, QDT)


def _tax_row(settlement: etree._Element, row: TaxRow, exponent: int) -> None:
    tax = _sub(settlement, RAM, "ApplicableTradeTax")  # BG-23
    _sub(tax, RAM, "CalculatedAmount", xml_amount(row.tax, exponent))  # BT-117
    _sub(tax, RAM, "TypeCode", "VAT")
    reason = exemption_reason(row)
    if reason:
        _sub(tax, RAM, "ExemptionReason", reason)  # BT-120
    _sub(tax, RAM, "BasisAmount", xml_amount(row.taxable, exponent))  # BT-116
    _sub(tax, RAM, "CategoryCode", row.category.value)  # BT-118
    if row.category is not TaxCategory.OUTSIDE_SCOPE:
        _sub(tax, RAM, "RateApplicablePercent", plain_decimal(row.rate))  # BT-119


def exemption_reason(row: TaxRow) -> str | None:
    """The printed reason of a row without tax (BR-E-10, BR-AE-10, BR-O-10), if it needs one."""
    if row.category is TaxCategory.OUTSIDE_SCOPE:
        return row.exemption_reason or OUTSIDE_SCOPE_REASON
    if row.category in (TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE):
        return row.exemption_reason
    return None


def _monetary_summation(settlement: etree._Element, document: InvoiceDocument) -> None:
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    exponent = document.exponent
    _sub(summation, RAM, "LineTotalAmount", xml_amount(document.subtotal, exponent))  # BT-106
    _sub(summation, RAM, "TaxBasisTotalAmount", xml_amount(document.subtotal, exponent))  # BT-109
    tax_total = _sub(summation, RAM, "TaxTotalAmount", xml_amount(document.tax_total, exponent))
    tax_total.set("currencyID", document.currency)  # BT-110
    _sub(summation, RAM, "GrandTotalAmount", xml_amount(document.total, exponent))  # BT-112
    _sub(summation, RAM, "TotalPrepaidAmount", xml_amount(document.amount_paid, exponent))
    _sub(summation, RAM, "DuePayableAmount", xml_amount(document.balance_due, exponent))  # BT-115
