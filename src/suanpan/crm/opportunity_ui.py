"""List columns shared by the opportunity and quote pages."""

from __future__ import annotations

from typing import Any

from suanpan.core.ui import Column
from suanpan.crm.opportunity_forms import user_label


class OwnerColumn(Column):
    """A user column showing the person's name (the username only when no name was given)."""

    def raw(self, obj: object) -> Any:
        user = super().raw(obj)
        return user_label(user) if user is not None else ""


class LabelColumn(Column):
    """The record as it is called (a quote: its number, with the version from V2 on)."""

    def raw(self, obj: object) -> Any:
        return str(obj)
