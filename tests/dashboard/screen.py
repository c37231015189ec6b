"""Reading what a page shows in AppTest (metrics, invoice rows, badges and messages), and
starting a run as a person does."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

BADGE = re.compile(r"^:[a-z]+-badge\[(?:(?::material/[a-z_]+:) )?(?P<label>.*)\]$")


def metrics(app: AppTest) -> dict[str, str]:
    """Each metric's label and the value it shows."""
    return {metric.label: metric.value for metric in app.metric}


def money_shown(text: str) -> Decimal:
    """The amount in '1,234.50 USD'."""
    return Decimal(text.split()[0].replace(",", ""))


def invoice_ids(app: AppTest, list_key: str) -> list[str]:
    """The ids of the invoice rows a list shows, top to bottom."""
    prefix = f"{list_key}-invoice-"
    return [
        key.removeprefix(prefix)
        for node in walk(app.main)
        if isinstance(node, Block) and (key := node.key) and key.startswith(prefix)
    ]


def invoice_row(app: AppTest, list_key: str, invoice_id: str) -> Block:
    return app.get_by_key(f"{list_key}-invoice-{invoice_id}")


def badges(block: Block) -> list[str]:
    """The labels of the badges inside a block."""
    return [match["label"] for item in block.markdown if (match := BADGE.match(item.value))]


def messages(app: AppTest, kind: str) -> list[str]:
    """The texts of st.success, st.error, st.warning or st.info elements."""
    return [element.value for element in getattr(app, kind)]


def walk(node: object) -> list[object]:
    found = [node]
    for child in getattr(node, "children", {}).values():
        found.extend(walk(child))
    return found


def start_confirmed_run(app: AppTest, key: str) -> AppTest:
    """Click the run button of the controls under `key`, then confirm in the dialog."""
    app.button(key=f"{key}.run").click().run()
    return app.button(key=f"{key}.run.confirm").click().run()


def invoice_table(app: AppTest, list_key: str = "invoices") -> pd.DataFrame:
    """The rows of an invoice table (st.dataframe keyed `<list_key>.table`)."""
    [table] = [frame for frame in app.dataframe if frame.key == f"{list_key}.table"]
    return table.value


def numbers_shown(app: AppTest, list_key: str = "invoices") -> list[str]:
    """The invoice numbers of the table's rows, top to bottom (none where the table is empty)."""
    if not any(frame.key == f"{list_key}.table" for frame in app.dataframe):
        return []
    return list(invoice_table(app, list_key)["Invoice #"])


def select_rows(app: AppTest, rows: list[int], list_key: str = "invoices") -> AppTest:
    """Tick the table's rows at these positions, as a person does."""
    app.session_state[f"{list_key}.table"] = {
        "selection": {"rows": rows, "columns": [], "cells": []}
    }
    return app.run()
