"""Invoices: their documents (PDF, HTML, e-invoice XML) and the rules of their life."""
