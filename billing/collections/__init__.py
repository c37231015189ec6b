"""Collections: reminders, late fees, overdue status, blocking and the aging report's buckets.

The pure rules live here (`policy`, `decisions`, `aging`, `working_days`): plain values in,
decisions out, "today" always a parameter. Reading clients and invoices, sending the emails,
adding the charges and storing the blocks belong to the code that calls them.
"""

from billing.collections.aging import AGING_BUCKETS, AgingBucket, aging_bucket, aging_case_sql
from billing.collections.decisions import (
    BlockedReason,
    ClientSnapshot,
    CollectionsPlan,
    InvoiceSnapshot,
    plan_collections,
)
from billing.collections.policy import (
    CollectionsPolicy,
    collections_policy,
    collections_settings_problems,
)

__all__ = [
    "AGING_BUCKETS",
    "AgingBucket",
    "BlockedReason",
    "ClientSnapshot",
    "CollectionsPlan",
    "CollectionsPolicy",
    "InvoiceSnapshot",
    "aging_bucket",
    "aging_case_sql",
    "collections_policy",
    "collections_settings_problems",
    "plan_collections",
]
