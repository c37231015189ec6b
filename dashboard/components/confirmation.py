"""The buttons at the foot of a confirmation dialog: the action, and Cancel."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def dialog_confirmed(label: str, key: str, forget_dialog: Callable[[], None]) -> bool:
    """True when the action button `label` was clicked. Cancel forgets the dialog (so the rerun
    does not open it again) and reruns the page."""
    with st.container(horizontal=True):
        confirmed = st.button(label, type="primary", key=f"{key}.confirm")
        cancelled = st.button("Cancel", key=f"{key}.cancel")
    if cancelled:
        forget_dialog()
        st.rerun()
    return confirmed
