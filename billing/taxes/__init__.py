"""Taxes: the tax of invoices and credit notes per rate (EN 16931), pure rules."""

from billing.taxes.calculation import (
    ExemptionKind,
    TaxableLine,
    TaxCalculation,
    TaxCategory,
    TaxedLine,
    TaxExemption,
    TaxRow,
    calculate_taxes,
    canonical_rate,
    credit_lines,
    credit_whole,
    round_half_up,
    spread,
    tax_category,
)

__all__ = [
    "ExemptionKind",
    "TaxCalculation",
    "TaxCategory",
    "TaxExemption",
    "TaxRow",
    "TaxableLine",
    "TaxedLine",
    "calculate_taxes",
    "canonical_rate",
    "credit_lines",
    "credit_whole",
    "round_half_up",
    "spread",
    "tax_category",
]
