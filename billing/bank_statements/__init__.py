"""Bank statements: CAMT.053 and MT940 files read into one model, and the rules that match
their entries to open invoices. Pure rules: no database, no HTTP."""

from billing.bank_statements.matching import (
    ClientNames,
    EntryMatch,
    EntryStatus,
    OpenInvoice,
    OpenInvoiceIndex,
    candidate_amounts,
    candidate_numbers,
    match_entries,
    match_entry,
)
from billing.bank_statements.model import (
    Balance,
    BankEntry,
    BankStatement,
    Direction,
    StatementFormat,
    StatementUnreadable,
)
from billing.bank_statements.parsing import (
    MAX_STATEMENT_BYTES,
    MAX_STATEMENT_ENTRIES,
    parse_camt053,
    parse_mt940,
    parse_statement,
)

__all__ = [
    "MAX_STATEMENT_BYTES",
    "MAX_STATEMENT_ENTRIES",
    "Balance",
    "BankEntry",
    "BankStatement",
    "ClientNames",
    "Direction",
    "EntryMatch",
    "EntryStatus",
    "OpenInvoice",
    "OpenInvoiceIndex",
    "StatementFormat",
    "StatementUnreadable",
    "candidate_amounts",
    "candidate_numbers",
    "match_entries",
    "match_entry",
    "parse_camt053",
    "parse_mt940",
    "parse_statement",
]
