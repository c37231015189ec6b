"""The invoice as its customer reads it online and in email: HTML from the PDF's own template.

The HTML page (the preview page, and the email's HTML part) is rendered from the same typst
template as the PDF, so both say the same words and figures; it is self-contained (styles inline,
no scripts, no outside resources) and every value is escaped by the renderer. The plain-text part
of the email is written from the same formatted values. Neither shows internal fields (grace date,
void reason).
"""

from __future__ import annotations

import asyncio
import html

from billing.invoices.customer_document import CustomerDocument
from billing.invoices.documents import renderer
from billing.invoices.documents.view import document_view


async def render_invoice_html(doc: CustomerDocument, *, preview_url: str | None = None) -> str:
    """The invoice as one self-contained HTML page, with a link to view it online if given."""
    page = await asyncio.to_thread(renderer().html, doc.document)
    if not preview_url:
        return page
    href = html.escape(preview_url, quote=True)
    link = f'<p><a href="{href}">View this invoice online</a></p>\n'
    body_end = page.rfind("</body>")
    return page[:body_end] + link + page[body_end:] if body_end >= 0 else page + link


def render_invoice_text(doc: CustomerDocument, preview_url: str | None) -> str:
    """The invoice as plain text (the email's text alternative)."""
    view = document_view(doc.document, "en")
    parts = [_text_header(view), _text_lines(view), _text_totals(view), _text_payment(view)]
    if preview_url:
        parts.append(f"View the invoice online:\n{preview_url}")
    return "\n\n".join(part for part in parts if part) + "\n"


def _text_header(view: dict) -> str:
    seller, buyer = view["seller"], view["buyer"]
    rows = [f"{view['mark']}" if view["mark"] else "", f"Invoice {view['number']}"]
    rows += [f"From: {seller['name']}", *seller["address"]]
    if seller["tax_id"]:
        rows.append(f"Tax ID: {seller['tax_id']}")
    rows += [f"Bill to: {buyer['name']}", *buyer["address"]]
    if buyer["tax_id"]:
        rows.append(f"Tax ID: {buyer['tax_id']}")
    rows += [f"Account: {buyer['account']}", f"Issue date: {view['issue_date']}"]
    if view["due_date"]:
        rows.append(f"Due date: {view['due_date']}")
    return "\n".join(row for row in rows if row)


def _text_lines(view: dict) -> str:
    rows = ["Lines:"]
    for line in view["lines"]:
        period = f" (service period: {line['period']})" if line["period"] else ""
        rows.append(
            f"- {line['description']}{period}: {line['quantity']} × {line['unit_price']}, "
            f"tax {line['tax']}: {line['amount']}"
        )
    return "\n".join(rows)


def _text_totals(view: dict) -> str:
    rows = [f"Subtotal: {view['subtotal']}"]
    rows += [f"Tax {row['label']} on {row['taxable']}: {row['tax']}" for row in view["taxes"]]
    rows += [f"Tax total: {view['tax_total']}", f"Total: {view['total']}"]
    if view["amount_paid"]:
        rows.append(f"Paid: {view['amount_paid']}")
    rows.append(f"Balance due: {view['balance_due']}")
    return "\n".join(rows)


def _text_payment(view: dict) -> str:
    instructions = view["seller"]["payment_instructions"]
    return f"Payment instructions:\n{instructions}" if instructions else ""
