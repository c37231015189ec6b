"""The run parameters and the button that starts a run.

Billing date (disabled on the locked cycle date), run-date, due and grace previews from the API's
plan for the date as typed, the review choice, and Run Bulk Now, disabled with the reason where a
run cannot start, which asks for confirmation (the date and the number of clients) first.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.api import GraphQLClient, fetch_run_plan, start_run
from dashboard.components.confirmation import dialog_confirmed
from dashboard.components.dry_run import render_dry_run
from dashboard.components.flash import flash
from dashboard.formatting import count_of, format_date, run_label
from dashboard.models import (
    Client,
    InvoiceRun,
    InvoiceRunStatus,
    RunPlan,
    Viewer,
    can_edit,
    run_status_label,
)

RunStarted = Callable[[InvoiceRun], None]


def render_run_controls(
    api: GraphQLClient,
    viewer: Viewer,
    *,
    key: str,
    client: Client | None,
    active_run: InvoiceRun | None,
    on_started: RunStarted,
    run_button_label: str = "Run Bulk Now",
    client_link: bool = True,
) -> None:
    """The controls; `on_started` gets the run they start, once it is confirmed."""
    plan = choose_billing_date(api, key, client)
    render_date_previews(plan)
    render_dry_run(api, key=key, plan=plan, client=client)
    review = st.checkbox(
        "Review before issuing",
        value=plan.review,
        key=f"{key}.review",
        help="Stop with drafts to check, then finalize or discard them.",
    )
    reason = blocking_reason(plan, active_run)
    with st.container(horizontal=True):
        if can_edit(viewer):
            st.button(
                run_button_label,
                type="primary",
                key=f"{key}.run",
                disabled=reason is not None,
                help=reason,
                on_click=_ask_to_confirm,
                args=(key,),
            )
        if client is not None and client_link:
            st.link_button("Open Client Billing", client.billing_url, key=f"{key}.open_client")
    if reason:
        st.warning(reason)
    if not can_edit(viewer):
        st.info("Starting a run needs the billing.edit permission; this token can only view.")
    elif reason is None and st.session_state.get(_confirming(key)):
        confirm_run_dialog(api, plan, review, key, on_started)


def choose_billing_date(api: GraphQLClient, key: str, client: Client | None) -> RunPlan:
    """The billing date input and the API's plan for the date it holds.

    The plan is asked for the date kept in the session before the input is drawn, so the
    previews follow each date entered (typed and confirmed with Enter, or picked) at once."""
    date_key = f"{key}.billing_date"
    client_id = client.id if client else None
    plan = fetch_run_plan(api, billing_date=st.session_state.get(date_key), client_id=client_id)
    if plan.locked:
        st.date_input(
            "Billing date",
            value=plan.run_date,
            key=f"{key}.locked_date.{plan.run_date.isoformat()}",
            disabled=True,
            help="Locked to the next billing cycle day set in Settings → Invoices.",
        )
        st.caption(f"Locked to the billing cycle day: the run bills on {plan.run_date}.")
        return plan
    st.date_input(
        "Billing date",
        value=plan.run_date,
        key=date_key,
        help="Services due and one-time charges pending up to this date are billed.",
    )
    return plan


def render_date_previews(plan: RunPlan) -> None:
    run_date, due, grace = st.columns(3)
    run_date.metric("Run date", format_date(plan.run_date))
    due.metric("Due date", format_date(plan.due_date), help="Run date + the payment terms.")
    grace.metric("Grace until", format_date(plan.grace_date), help="Due date + the grace period.")


def blocking_reason(plan: RunPlan, active_run: InvoiceRun | None) -> str | None:
    """Why a run cannot start now, in words; None where it can."""
    if not plan.manual_run_allowed:
        return plan.blocked_reason or "Manual runs are disabled for this tenant."
    if active_run is None:
        return None
    name = run_label(active_run.id, active_run.billing_date)
    if active_run.status is InvoiceRunStatus.AWAITING_REVIEW:
        return f"{name} awaits review: finalize or discard it before starting another run."
    return f"{name} is {run_status_label(active_run.status).lower()}: wait until it finishes."


def _confirming(key: str) -> str:
    return f"{key}.run_confirming"


def _ask_to_confirm(key: str) -> None:
    """Remember to show the confirmation, across the reruns the dialog causes."""
    st.session_state[_confirming(key)] = True


def _forget_confirmations() -> None:
    for name in [name for name in st.session_state if str(name).endswith(".run_confirming")]:
        del st.session_state[name]


def describe_run(plan: RunPlan, review: bool) -> str:
    """What a confirmed run does, in words: its date, its clients and what it makes."""
    who = f"**{plan.client.name}**" if plan.client is not None else "the tenant's clients"
    clients = count_of(plan.eligible_clients, "client")
    made = (
        "drafts for review (nothing is issued until you finalize them)"
        if review
        else ("invoices, issued at once and emailed or charged where the settings say so")
    )
    return (
        f"Bill {who} on **{format_date(plan.run_date)}**: **{clients}** (active or overdue, "
        f"not blocked), every service due and one-time charge pending up to that date, as "
        f"{made}. Due on {format_date(plan.due_date)}, grace until "
        f"{format_date(plan.grace_date)}."
    )


@st.dialog("Start the run", on_dismiss=_forget_confirmations)
def confirm_run_dialog(
    api: GraphQLClient, plan: RunPlan, review: bool, key: str, on_started: RunStarted
) -> None:
    st.markdown(describe_run(plan, review))
    if not dialog_confirmed("Start the run", f"{key}.run", _forget_confirmations):
        return
    _forget_confirmations()
    result = start_run(
        api,
        billing_date=None if plan.locked else plan.run_date,
        client_id=plan.client.id if plan.client else None,
        review=review,
    )
    if result.ok:
        on_started(result.value)
    else:
        flash(key, "error", f"The run did not start: {result.message}")
    st.rerun()
