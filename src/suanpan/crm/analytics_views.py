"""CRM analytics pages (/crm/analytics/…): overview, funnel with drill-down to its opportunities, lead conversion
by channel with drill-down to the leads, RFM classes, churn warnings, rep leaderboard. Thin: parse the query
(`analytics_params`, shared with the API), call the reads of `crm.funnel` / `crm.rfm`, render. Charts get their
data through `json_script`, numbers as strings (Decimal → str here, `Number()` in analytics.js)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.exceptions import FieldError, InvalidInput
from suanpan.core.forms import members_of
from suanpan.core.money import ZERO
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.ui import OrgView
from suanpan.crm import funnel as funnels
from suanpan.crm import rfm
from suanpan.crm.analytics_params import (
    Period,
    churn_sort_param,
    churn_sorted,
    default_period,
    period_params,
    rfm_class_param,
)
from suanpan.crm.choices import RfmClass, StageKind
from suanpan.crm.models import Channel, Stage
from suanpan.crm.setup import channels_ensure, crm_settings, stages_ensure

TABS = (
    ("crm:analytics", gettext_lazy("Overview")),
    ("crm:analytics_funnel", gettext_lazy("Funnel")),
    ("crm:analytics_leads", gettext_lazy("Lead conversion")),
    ("crm:analytics_rfm", gettext_lazy("RFM")),
    ("crm:analytics_churn", gettext_lazy("Churn warnings")),
    ("crm:analytics_leaderboard", gettext_lazy("Leaderboard")),
)
CLASS_LABELS = {c: c.label for c in RfmClass}  # 高价值 / 潜力 / 流失风险 / 一般 once translated


def link(name: str, pk: int, fallback: str) -> str:
    """The URL of another area's page, or its literal path while that area is not wired yet."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback % pk


def customer_url(pk: int) -> str:
    return f"/crm/customers/{pk}/"


def chart(kind: str, labels: list[str], *series: tuple[str, list[Any]]) -> dict[str, Any]:
    """What analytics.js draws: numbers travel as strings (never floats)."""
    return {
        "type": kind,
        "labels": [str(label) for label in labels],
        "series": [{"name": str(name), "values": [str(v) for v in values]} for name, values in series],
    }


class AnalyticsView(OrgView):
    """One analytics page: the period filter (with rep and channel where `filters`), the tabs, a 422 with the
    messages beside the form when a parameter is wrong."""

    permission = P.VIEW_CRM_ANALYTICS
    template_name: ClassVar[str] = ""
    tab: ClassVar[str] = ""
    filters: ClassVar[bool] = False  # rep and channel
    uses_period: ClassVar[bool] = True

    def title(self) -> str:
        raise NotImplementedError

    def data(self, period: Period, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        errors: list[FieldError] = []
        try:
            period = period_params(self.organization, request.GET)
        except InvalidInput as exc:
            errors += exc.errors
            period = default_period()
        try:
            context = self.data(period, **kwargs)
        except InvalidInput as exc:
            errors += exc.errors
            context = self.data(period, fallback=True, **kwargs)
        context.update(
            {
                "title": self.title(),
                "period": period,
                "errors": errors,
                "tabs": [(reverse(name), label, name == self.tab) for name, label in TABS],
                "with_filters": self.filters,
                "with_period": self.uses_period,
                "reps": members_of(self.organization) if self.filters else [],
                "channels": Channel.objects.filter(organization=self.organization) if self.filters else [],
            }
        )
        return render(request, self.template_name, context, status=422 if errors else 200)


class OverviewView(AnalyticsView):
    template_name = "crm/analytics_overview.html"
    tab = "crm:analytics"

    def title(self) -> str:
        return _("CRM analytics")

    def data(self, period: Period, **kwargs: Any) -> dict[str, Any]:
        stages_ensure(self.organization)
        channels_ensure(self.organization)
        actor = self.request.user
        rows = funnels.funnel(organization=self.organization, actor=actor, **period.dates)
        flowing = [r for r in rows if r.kind != StageKind.LOST]
        won = [r for r in rows if r.kind == StageKind.WON]
        created = flowing[0].count if flowing else 0
        won_count = sum(r.count for r in won)
        conversion = funnels.lead_conversion(organization=self.organization, actor=actor, **period.dates)
        leads = sum(r.leads for r in conversion)
        converted = sum(r.converted for r in conversion)
        classes = Counter(r.score.rfm_class for r in rfm.rfm_list(organization=self.organization, actor=actor))
        board = funnels.leaderboard(organization=self.organization, actor=actor, **period.dates)
        return {
            "created": created,
            "won_count": won_count,
            "won_amount": sum((r.amount for r in won), ZERO),
            "win_rate": funnels.percent(won_count, created),
            "leads": leads,
            "converted": converted,
            "lead_rate": funnels.percent(converted, leads),
            "classes": [(c.value, CLASS_LABELS[c], classes.get(c.value, 0)) for c in rfm.CLASS_ORDER],
            "churn_count": len(rfm.churn_list(organization=self.organization, actor=actor)),
            "top": board[0] if board and board[0].won_amount else None,
        }


class FunnelView(AnalyticsView):
    template_name = "crm/analytics_funnel.html"
    tab = "crm:analytics_funnel"
    filters = True

    def title(self) -> str:
        return _("Sales funnel")

    def data(self, period: Period, **kwargs: Any) -> dict[str, Any]:
        stages_ensure(self.organization)
        rows = funnels.funnel(organization=self.organization, actor=self.request.user, **period.filters)
        flowing = [r for r in rows if r.kind != StageKind.LOST]
        return {
            "rows": rows,
            "query": period.query(),
            "chart": chart(
                "funnel",
                [r.name for r in flowing],
                (_("Opportunities"), [r.count for r in flowing]),
                (_("Amount"), [r.amount for r in flowing]),
            ),
        }


class FunnelStageView(AnalyticsView):
    """The opportunities behind one funnel row."""

    template_name = "crm/analytics_funnel_stage.html"
    tab = "crm:analytics_funnel"
    filters = True

    def title(self) -> str:
        return _("Funnel: opportunities of a stage")

    def data(self, period: Period, pk: int = 0, **kwargs: Any) -> dict[str, Any]:
        stage = get_scoped(Stage, organization=self.organization, pk=pk)
        found = funnels.funnel_opportunities(
            organization=self.organization, actor=self.request.user, stage_id=stage.pk, **period.filters
        )
        return {
            "stage": stage,
            "query": period.query(),
            "opportunities": [
                (
                    o,
                    link("crm:opportunity_detail", o.pk, "/crm/opportunities/%d/"),
                    customer_url(o.customer_id),
                )
                for o in found
            ],
            "total": sum((o.amount for o in found), ZERO),
        }


class LeadConversionView(AnalyticsView):
    template_name = "crm/analytics_leads.html"
    tab = "crm:analytics_leads"

    def title(self) -> str:
        return _("Lead conversion by channel")

    def data(self, period: Period, **kwargs: Any) -> dict[str, Any]:
        channels_ensure(self.organization)
        rows = funnels.lead_conversion(organization=self.organization, actor=self.request.user, **period.dates)
        names = [r.name or _("(no channel)") for r in rows]
        return {
            "rows": [(r, names[i]) for i, r in enumerate(rows)],
            "query": period.query(),
            "totals": {
                "leads": sum(r.leads for r in rows),
                "converted": sum(r.converted for r in rows),
                "won_amount": sum((r.won_amount for r in rows), ZERO),
            },
            "chart": chart(
                "bar",
                names,
                (_("Leads"), [r.leads for r in rows]),
                (_("Converted"), [r.converted for r in rows]),
            ),
        }


class LeadChannelView(AnalyticsView):
    """The leads of one channel in the period (pk 0: leads without a channel)."""

    template_name = "crm/analytics_leads_channel.html"
    tab = "crm:analytics_leads"

    def title(self) -> str:
        return _("Leads of a channel")

    def data(self, period: Period, pk: int = 0, **kwargs: Any) -> dict[str, Any]:
        channel = get_scoped(Channel, organization=self.organization, pk=pk) if pk else None
        leads = funnels.conversion_leads_qs(organization=self.organization, actor=self.request.user, **period.dates)
        leads = leads.filter(channel=channel).select_related("owner", "customer").order_by("-created_at", "-id")
        return {
            "channel": channel,
            "query": period.query(),
            "leads": [
                (
                    lead,
                    link("crm:lead_detail", lead.pk, "/crm/leads/%d/"),
                    customer_url(lead.customer_id) if lead.customer_id else "",
                )
                for lead in leads[:500]
            ],
            "converted": leads.filter(status="converted").count(),
            "count": leads.count(),
        }


class RfmView(AnalyticsView):
    template_name = "crm/analytics_rfm.html"
    tab = "crm:analytics_rfm"
    uses_period = False

    def title(self) -> str:
        return _("RFM classes")

    def data(self, period: Period, fallback: bool = False, **kwargs: Any) -> dict[str, Any]:
        chosen = None if fallback else rfm_class_param(self.request.GET)
        rows = rfm.rfm_list(organization=self.organization, actor=self.request.user)
        counts = Counter(r.score.rfm_class for r in rows)
        today = timezone.localdate()
        return {
            "rows": [
                (r, CLASS_LABELS[RfmClass(r.score.rfm_class)], customer_url(r.customer.pk))
                for r in rows
                if chosen is None or r.score.rfm_class == chosen
            ],
            "chosen": chosen,
            "classes": [(c.value, CLASS_LABELS[c], counts.get(c.value, 0)) for c in rfm.CLASS_ORDER],
            "window": (rfm.window_start(today), today),
            "chart": chart(
                "pie",
                [str(CLASS_LABELS[c]) for c in rfm.CLASS_ORDER],
                (_("Customers"), [counts.get(c.value, 0) for c in rfm.CLASS_ORDER]),
            ),
        }


class ChurnView(AnalyticsView):
    template_name = "crm/analytics_churn.html"
    tab = "crm:analytics_churn"
    uses_period = False
    SORTS: ClassVar[tuple[str, ...]] = ("ratio", "days", "value", "last")

    def title(self) -> str:
        return _("Churn warnings")

    def data(self, period: Period, fallback: bool = False, **kwargs: Any) -> dict[str, Any]:
        sort = "-ratio" if fallback else churn_sort_param(self.request.GET)
        rows = churn_sorted(rfm.churn_list(organization=self.organization, actor=self.request.user), sort)
        follow_up = link_plain("crm:followup_new", "/crm/follow-ups/new/")
        return {
            "rows": [(r, customer_url(r.customer.pk), f"{follow_up}?customer={r.customer.pk}") for r in rows],
            "sort": sort,
            "sorts": {key: (key if sort == f"-{key}" else f"-{key}") for key in self.SORTS},
            "multiple": crm_settings(self.organization).churn_multiple,
        }


def link_plain(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


class LeaderboardView(AnalyticsView):
    template_name = "crm/analytics_leaderboard.html"
    tab = "crm:analytics_leaderboard"

    def title(self) -> str:
        return _("Rep leaderboard")

    def data(self, period: Period, **kwargs: Any) -> dict[str, Any]:
        rows = funnels.leaderboard(organization=self.organization, actor=self.request.user, **period.dates)
        return {
            "rows": rows,
            "chart": chart(
                "bar",
                [r.name for r in rows],
                (_("Won amount"), [r.won_amount for r in rows]),
            ),
            "totals": {
                "follow_ups": sum(r.follow_ups for r in rows),
                "new_customers": sum(r.new_customers for r in rows),
                "won_count": sum(r.won_count for r in rows),
                "won_amount": sum((r.won_amount for r in rows), Decimal("0")),
            },
        }


urlpatterns = [
    path("analytics/", OverviewView.as_view(), name="analytics"),
    path("analytics/funnel/", FunnelView.as_view(), name="analytics_funnel"),
    path("analytics/funnel/<int:pk>/", FunnelStageView.as_view(), name="analytics_funnel_stage"),
    path("analytics/lead-conversion/", LeadConversionView.as_view(), name="analytics_leads"),
    path("analytics/lead-conversion/<int:pk>/", LeadChannelView.as_view(), name="analytics_leads_channel"),
    path("analytics/rfm/", RfmView.as_view(), name="analytics_rfm"),
    path("analytics/churn/", ChurnView.as_view(), name="analytics_churn"),
    path("analytics/leaderboard/", LeaderboardView.as_view(), name="analytics_leaderboard"),
]
