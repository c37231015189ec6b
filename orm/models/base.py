"""What every table shares: a 64-bit integer key, so that no table outgrows its ids."""

from tortoise import fields
from tortoise.models import Model


class Record(Model):
    id = fields.BigIntField(primary_key=True)

    class Meta:
        abstract = True
