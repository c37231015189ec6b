"""Rendered documents kept by the hash of their content: an unchanged invoice's PDF is served
from here without rendering it again."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0010_credit_notes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DocumentFile',
            fields=[
                ('content_hash', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('content', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'document_files', 'app': 'models', 'pk_attr': 'content_hash', 'table_description': "One rendered file (a PDF/A-3 invoice): `content_hash` covers the document's every field,"},
            bases=['Model'],
        ),
    ]
