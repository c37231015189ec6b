"""Messages that outlive the rerun a mutation triggers, shown once where the action was taken."""

from __future__ import annotations

from typing import Literal

import streamlit as st

Kind = Literal["success", "error", "info", "warning"]


def flash(scope: str, kind: Kind, message: str) -> None:
    """Keep a message for the next time `show_flashes(scope)` runs."""
    st.session_state.setdefault(_key(scope), []).append((kind, message))


def show_flashes(scope: str) -> None:
    """Show and forget the messages kept for this scope."""
    for kind, message in st.session_state.pop(_key(scope), []):
        getattr(st, kind)(message)


def _key(scope: str) -> str:
    return f"{scope}.flashes"
