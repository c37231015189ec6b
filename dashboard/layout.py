"""The dashboard's page rules beyond Streamlit's own: what keeps the pages whole at 1024 px wide
with the sidebar open (KPI values, headings and amounts on one line, never cut with "…"), and
Enter in a date field taking the date typed."""

from __future__ import annotations

import streamlit as st

# The key of every invoice list's container (a class `st-key-…` in the page).
INVOICE_LIST_CLASS = "invoice-list"

# The list's columns of invoice number, issue date, total and balance (see invoice_list).
ONE_LINE_COLUMNS = ":is(:nth-child(1), :nth-child(3), :nth-child(4), :nth-child(5))"

LAYOUT_CSS = f"""
<style>
/* Streamlit's wide layout keeps 5rem each side: room the list's columns need at 1024 px. */
[data-testid="stMainBlockContainer"] {{
  padding-left: 2rem;
  padding-right: 2rem;
}}
/* KPI values shrink with the window instead of being cut. */
[data-testid="stMetricValue"] {{
  font-size: clamp(1.25rem, 2.2vw, 2.25rem);
}}
/* The invoice list's text a little smaller; its headings, numbers, dates and amounts (every
   column but the client's, the badges' and the actions') on one line. */
[class*="st-key-{INVOICE_LIST_CLASS}"] [data-testid="stColumn"] p {{
  font-size: 0.875rem;
}}
[class*="st-key-{INVOICE_LIST_CLASS}"] [data-testid="stColumn"] p strong,
[class*="st-key-{INVOICE_LIST_CLASS}"] [data-testid="stColumn"]{ONE_LINE_COLUMNS} p {{
  white-space: nowrap;
}}
</style>
"""


# Streamlit's date field takes a typed date when its calendar closes or it loses focus; Enter does
# neither. Here Enter closes the calendar (as Escape does) and leaves the field, so the date typed
# is taken and the page follows it, as people expect.
DATE_ENTER_SCRIPT = """
<script>
if (!window.ispboxDateEnter) {
  window.ispboxDateEnter = true;
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || !target.closest?.('[data-testid="stDateInputField"]')) return;
    event.preventDefault();
    event.stopPropagation();
    target.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    setTimeout(() => target.blur(), 0);
  }, true);
}
</script>
"""


def apply_layout() -> None:
    """Adds the page rules (once per script run, before the page draws)."""
    st.html(LAYOUT_CSS)
    # Our own constant script; in the sidebar, where an empty element takes no room that shows.
    st.sidebar.html(DATE_ENTER_SCRIPT, unsafe_allow_javascript=True)


# The overview's charts share one height, so their row lines up at every width.
CHART_HEIGHT = 260
