"""Rendered documents, kept by the hash of their content so an unchanged one is never rendered
twice."""

from tortoise import fields
from tortoise.models import Model


class DocumentFile(Model):
    """One rendered file (a PDF/A-3 invoice): `content_hash` covers the document's every field,
    its locale, the template and the fonts, so a changed invoice gets a new row, never a stale
    file. Rows are shared by tenants only through identical content, which names both parties."""

    content_hash = fields.CharField(max_length=64, primary_key=True)
    content = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "document_files"
