"""Finalize or discard a run that awaits review, each after a confirmation."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.api import GraphQLClient, discard_run, finalize_run
from dashboard.components.confirmation import dialog_confirmed
from dashboard.components.flash import flash
from dashboard.formatting import count_of, format_money, run_label
from dashboard.models import InvoiceRun, MutationResult, Viewer, can_edit


def render_review_actions(
    api: GraphQLClient, viewer: Viewer, run: InvoiceRun, *, key: str, currency: str
) -> None:
    """What awaits review, and the Finalize and Discard buttons for those who may edit."""
    total = format_money(run.amount_issued, currency)
    drafts = f"{count_of(run.invoices_issued, 'draft')} totalling {total}"
    st.warning(
        f"{run_label(run.id, run.billing_date)} awaits review: {drafts}. Finalize issues them "
        "(numbers, emails, charges); Discard throws them away and bills their services and "
        "charges again in a later run."
    )
    if not can_edit(viewer):
        st.caption("Finalizing or discarding needs the billing.edit permission.")
        return
    target = f"{key}.review_target"
    with st.container(horizontal=True):
        st.button(
            "Finalize",
            type="primary",
            key=f"{key}.finalize",
            on_click=_ask,
            args=(target, "finalize", run.id),
        )
        st.button("Discard", key=f"{key}.discard", on_click=_ask, args=(target, "discard", run.id))
    asked = st.session_state.get(target)
    if asked is not None and asked[1] == run.id:
        dialog = finalize_dialog if asked[0] == "finalize" else discard_dialog
        dialog(api, run, key, currency)


def _ask(target: str, action: str, run_id: str) -> None:
    """Remember which confirmation to show, across the reruns the dialog causes."""
    st.session_state[target] = (action, run_id)


def _forget_review_targets() -> None:
    for key in [key for key in st.session_state if str(key).endswith(".review_target")]:
        del st.session_state[key]


@st.dialog("Finalize run", on_dismiss=_forget_review_targets)
def finalize_dialog(api: GraphQLClient, run: InvoiceRun, key: str, currency: str) -> None:
    st.markdown(
        f"Issue the **{count_of(run.invoices_issued, 'draft')}** of "
        f"{run_label(run.id, run.billing_date)} "
        f"({format_money(run.amount_issued, currency)})? They get their numbers, and auto email "
        "and auto charge follow as for any issued invoice."
    )
    confirm_or_cancel(api, run, key, "Finalize run", finalize_run, "was finalized")


@st.dialog("Discard run", on_dismiss=_forget_review_targets)
def discard_dialog(api: GraphQLClient, run: InvoiceRun, key: str, currency: str) -> None:
    st.markdown(
        f"Throw away the **{count_of(run.invoices_issued, 'draft')}** of "
        f"{run_label(run.id, run.billing_date)} ({format_money(run.amount_issued, currency)})? "
        "No number is used; their services and charges are billed again by a later run."
    )
    confirm_or_cancel(api, run, key, "Discard drafts", discard_run, "was discarded")


def confirm_or_cancel(
    api: GraphQLClient,
    run: InvoiceRun,
    key: str,
    label: str,
    mutation: Callable[[GraphQLClient, str], MutationResult[InvoiceRun]],
    done_words: str,
) -> None:
    """The dialog's buttons: run the mutation and keep its outcome as a message, or close."""
    if dialog_confirmed(label, f"{key}.review", _forget_review_targets):
        result = mutation(api, run.id)
        name = run_label(run.id, run.billing_date)
        if result.ok:
            flash(key, "success", f"{name} {done_words}.")
        else:
            flash(key, "error", f"{name}: {result.message}")
        _forget_review_targets()
        st.rerun()
