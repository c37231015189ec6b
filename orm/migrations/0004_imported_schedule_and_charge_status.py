"""What the last import said of a service's next bill date and a charge's status, so that an
import of the same file again leaves what runs and voids did since (the three-way merge the
importer makes: the stored value, the last imported one, the file's)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from orm.models.enums import ChargeStatus


class Migration(migrations.Migration):
    dependencies = [("models", "0003_invoice_status_totals")]

    operations = [
        ops.AddField(
            model_name="Service",
            name="imported_next_bill_date",
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name="Charge",
            name="imported_status",
            field=fields.CharEnumField(ChargeStatus, max_length=16, null=True),
        ),
    ]
