"""The query parameters of the CRM analytics pages and API, parsed once for both: period (`date_from`, `date_to`;
default the last 90 days up to today), `rep` (a member's user id), `channel` (a lead channel id), `rfm_class`,
`sort` (churn list). Each bad value is an `InvalidInput` naming its parameter (422 in the API)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core.exceptions import FieldError, InvalidInput
from suanpan.core.forms import members_of
from suanpan.core.models import Organization
from suanpan.core.records import get_scoped
from suanpan.crm.choices import RfmClass
from suanpan.crm.models import Channel
from suanpan.crm.rfm import ChurnRow

DEFAULT_DAYS = 90
MAX_DAYS = 3660
CHURN_SORTS = ("-ratio", "ratio", "-days", "days", "-value", "value", "last", "-last")


@dataclass(frozen=True)
class Period:
    date_from: datetime.date
    date_to: datetime.date
    rep: Any = None  # a user
    channel: Channel | None = None

    @property
    def dates(self) -> dict[str, Any]:
        return {"date_from": self.date_from, "date_to": self.date_to}

    @property
    def filters(self) -> dict[str, Any]:
        """The keyword arguments of `funnel`/`funnel_opportunities`."""
        return {
            **self.dates,
            "owner_id": self.rep.pk if self.rep is not None else None,
            "channel_id": self.channel.pk if self.channel is not None else None,
        }

    def query(self) -> str:
        """The period and filters as a query string, for links that keep them."""
        parts = [f"date_from={self.date_from.isoformat()}", f"date_to={self.date_to.isoformat()}"]
        if self.rep is not None:
            parts.append(f"rep={self.rep.pk}")
        if self.channel is not None:
            parts.append(f"channel={self.channel.pk}")
        return "&".join(parts)


def default_period(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)


def _date(value: object, name: str, default: datetime.date, errors: list[FieldError]) -> datetime.date:
    if value in (None, ""):
        return default
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(FieldError(name, _("Enter a date like 2026-11-30.")))
        return default


def _id(value: object) -> int:
    """A row id from a query; ValueError for anything else (also for numbers too large for the database)."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise ValueError(text)
    return int(text)


def period_params(organization: Organization, data: Mapping[str, Any]) -> Period:
    """date_from, date_to, rep, channel from a query (see the module docstring)."""
    default = default_period()
    errors: list[FieldError] = []
    date_from = _date(data.get("date_from"), "date_from", default.date_from, errors)
    date_to = _date(data.get("date_to"), "date_to", default.date_to, errors)
    if not errors:
        if date_to < date_from:
            errors.append(FieldError("date_to", _("The end of the range comes before its start.")))
        elif (date_to - date_from).days > MAX_DAYS:
            errors.append(FieldError("date_from", _("At most ten years at a time.")))
    rep = None
    if data.get("rep") not in (None, ""):
        try:
            rep = members_of(organization).get(pk=_id(data["rep"]))
        except (ValueError, ObjectDoesNotExist):
            errors.append(FieldError("rep", _("No such sales rep: %(pk)s.") % {"pk": data["rep"]}))
    channel = None
    if data.get("channel") not in (None, ""):
        try:
            channel = get_scoped(Channel, organization=organization, pk=_id(data["channel"]), field="channel")
        except ValueError:
            errors.append(FieldError("channel", _("No such lead channel: %(pk)s.") % {"pk": data["channel"]}))
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    return Period(date_from, date_to, rep, channel)


def rfm_class_param(data: Mapping[str, Any]) -> str | None:
    value = data.get("rfm_class")
    if value in (None, ""):
        return None
    if value not in RfmClass.values:
        raise InvalidInput.single("rfm_class", _("Choose one of: %(v)s.") % {"v": ", ".join(RfmClass.values)})
    return str(value)


def churn_sort_param(data: Mapping[str, Any]) -> str:
    value = data.get("sort")
    if value in (None, ""):
        return CHURN_SORTS[0]
    if value not in CHURN_SORTS:
        raise InvalidInput.single("sort", _("Choose one of: %(v)s.") % {"v": ", ".join(CHURN_SORTS)})
    return str(value)


_CHURN_KEYS: dict[str, Callable[[ChurnRow], Any]] = {
    "ratio": lambda r: r.ratio,
    "days": lambda r: r.days_since,
    "value": lambda r: r.lifetime_value,
    "last": lambda r: r.last_purchase,
}


def churn_sorted(rows: list[ChurnRow], sort: str) -> list[ChurnRow]:
    """The churn rows in the order of a `sort` value (stable: ties keep the list's order, highest ratio first)."""
    return sorted(rows, key=_CHURN_KEYS[sort.lstrip("-")], reverse=sort.startswith("-"))
