"""Field permissions: reading needs `billing.view`, every mutation `billing.edit`, except
Settings → Invoices, which needs `billing.settings`.

A refusal is a top-level GraphQL error with `extensions.code == "FORBIDDEN"`; it is checked before
the resolver runs, so nothing changes.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from graph.auth import BILLING_EDIT, BILLING_SETTINGS, BILLING_VIEW
from graph.context import Info
from graph.errors import FORBIDDEN


class _RequiresPermission(BasePermission):
    permission: str

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.can(self.permission)


class CanViewBilling(_RequiresPermission):
    permission = BILLING_VIEW
    message = f"Needs the {BILLING_VIEW} permission."
    error_extensions = {"code": FORBIDDEN}  # noqa: RUF012


class CanEditBilling(_RequiresPermission):
    permission = BILLING_EDIT
    message = f"Needs the {BILLING_EDIT} permission."
    error_extensions = {"code": FORBIDDEN}  # noqa: RUF012


class CanEditSettings(_RequiresPermission):
    permission = BILLING_SETTINGS
    message = f"Needs the {BILLING_SETTINGS} permission."
    error_extensions = {"code": FORBIDDEN}  # noqa: RUF012
