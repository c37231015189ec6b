"""The run parameters and the button that starts a run.

Billing date (disabled on the locked cycle date), run-date, due and grace previews from the API's
plan, the review choice, and Run Bulk Now, disabled with the reason where a run cannot start.
"""

from __future__ import annotations

import streamlit as st

from dashboard.api import GraphQLClient, fetch_run_plan, start_run
from dashboard.formatting import format_date, run_label
from dashboard.models import Client, InvoiceRun, RunPlan, RunStatus, Viewer


def render_run_controls(
    api: GraphQLClient,
    viewer: Viewer,
    *,
    key: str,
    client: Client | None,
    active_run: InvoiceRun | None,
    run_button_label: str = "Run Bulk Now",
    client_link: bool = True,
) -> InvoiceRun | None:
    """The controls; returns the run they started in this script run, if any."""
    plan = choose_billing_date(api, key, client)
    render_date_previews(plan)
    review = st.checkbox(
        "Review before issuing",
        value=plan.review,
        key=f"{key}.review",
        help="Stop with drafts to check, then finalize or discard them.",
    )
    reason = blocking_reason(plan, active_run)
    clicked = False
    with st.container(horizontal=True):
        if viewer.can_edit:
            clicked = st.button(
                run_button_label,
                type="primary",
                key=f"{key}.run",
                disabled=reason is not None,
                help=reason,
            )
        if client is not None and client_link:
            st.link_button("Open Client Billing", client.billing_url, key=f"{key}.open_client")
    if reason:
        st.warning(reason)
    if not viewer.can_edit:
        st.info("Starting a run needs the billing.edit permission; this token can only view.")
    if not clicked:
        return None
    result = start_run(
        api,
        billing_date=None if plan.locked else plan.run_date,
        client_id=client.id if client else None,
        review=review,
    )
    if not result.ok:
        st.error(f"The run did not start: {result.message}")
        return None
    return result.value


def choose_billing_date(api: GraphQLClient, key: str, client: Client | None) -> RunPlan:
    """The billing date input and the API's plan for the date it shows."""
    client_id = client.id if client else None
    plan = fetch_run_plan(api, client_id=client_id)
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
    chosen = st.date_input(
        "Billing date",
        value=plan.run_date,
        key=f"{key}.billing_date",
        help="Services due and one-time charges pending up to this date are billed.",
    )
    if chosen is None or chosen == plan.run_date:
        return plan
    return fetch_run_plan(api, billing_date=chosen, client_id=client_id)


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
    if active_run.status is RunStatus.AWAITING_REVIEW:
        return f"{name} awaits review: finalize or discard it before starting another run."
    return f"{name} is {active_run.status.label.lower()}: wait until it finishes."
