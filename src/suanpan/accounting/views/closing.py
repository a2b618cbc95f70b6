"""Month-end close pages (期末结账): the periods of a year with the next period's check list, close and reopen.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from suanpan.accounting import closing
from suanpan.core.exceptions import DomainError, NotFound
from suanpan.core.permissions import P
from suanpan.core.ui import OrgView, redirect


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) == 4 else None


def _back(year: int) -> str:
    return f"{reverse('accounting:period_list')}?year={year}"


class PeriodListView(OrgView):
    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        overview = closing.close_overview(organization=self.organization, year=_year(request.GET.get("year", "")))
        return render(
            request,
            "accounting/periods.html",
            {
                "overview": overview,
                "can_close": self.can(P.CLOSE_PERIOD),
                "can_reopen": self.can(P.REOPEN_PERIOD),
            },
        )


class PeriodCloseView(OrgView):
    """POST: close the period (checks, carry forward, checks again); refusals come back as messages."""

    permission = P.CLOSE_PERIOD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            period = closing.period_close(organization=self.organization, actor=request.user, period_id=pk)
        except NotFound:
            raise  # another organization's (or no) period: a 404 like every page
        except DomainError as exc:
            for error in exc.errors:
                messages.error(request, error.message)
            return redirect(request, reverse("accounting:period_list"))
        messages.success(request, _("Period %(p)s closed.") % {"p": period})
        return redirect(request, _back(period.year))


class PeriodReopenView(OrgView):
    """POST reason: reopen the latest closed period (反结账)."""

    permission = P.REOPEN_PERIOD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            period = closing.period_reopen(
                organization=self.organization, actor=request.user, period_id=pk, reason=request.POST.get("reason", "")
            )
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request, reverse("accounting:period_list"))
        messages.success(request, _("Period %(p)s is open again.") % {"p": period})
        return redirect(request, _back(period.year))
