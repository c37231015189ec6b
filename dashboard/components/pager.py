"""Cursor paging through a server list: the page's `after` cursor and Previous/Next controls."""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

from dashboard.models import CreditNotePage, InvoicePage, PaymentPage

# The server lists paged by cursor.
ServerPage = InvoicePage | CreditNotePage | PaymentPage


class CursorPager:
    """The cursors of the pages seen so far for one list; a new filter starts at page one."""

    def __init__(self, key: str, filter_signature: Hashable, page_size: int) -> None:
        self.key = key
        self.page_size = page_size
        state = st.session_state.get(key)
        if state is None or state["signature"] != filter_signature:
            state = {"signature": filter_signature, "cursors": [None]}
            st.session_state[key] = state
        self._cursors: list[str | None] = state["cursors"]

    @property
    def after(self) -> str | None:
        """The cursor to ask the server for the current page with."""
        return self._cursors[-1]

    @property
    def page_index(self) -> int:
        return len(self._cursors) - 1

    def controls(self, page: ServerPage, noun: str = "invoices", note: str | None = None) -> None:
        """'26–50 of 123 invoices' (and `note`, such as "Page 2 of 5") and the buttons to move a
        page back or on."""
        first = self.page_index * self.page_size + 1
        shown = len(page.edges)
        last = first + shown - 1
        with st.container(horizontal=True, vertical_alignment="center"):
            st.button(
                "Previous",
                key=f"{self.key}.previous",
                disabled=self.page_index == 0,
                on_click=self._cursors.pop,
            )
            st.button(
                "Next",
                key=f"{self.key}.next",
                disabled=not page.page_info.has_next_page,
                on_click=self._cursors.append,
                args=(page.page_info.end_cursor,),
            )
            if shown:
                extra = f" · {note}" if note else ""
                st.caption(f"{first:,}–{last:,} of {page.total_count:,} {noun}{extra}")
            else:
                st.caption(f"No {noun}")
