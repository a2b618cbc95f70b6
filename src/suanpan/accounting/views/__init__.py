"""Pages of the books: voucher list, keyboard voucher entry, voucher page with its workflow, accounts, trial
balance and detail ledger. Thin: parse, call one service or report, render."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.accounting import reports, selectors, services
from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import Period, Voucher
from suanpan.accounting.opening import voucher_words
from suanpan.accounting.statements import cash_flow_items
from suanpan.accounting.views import ledgers as ledger_views
from suanpan.core.audit import audit_history
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound
from suanpan.core.permissions import P
from suanpan.core.pinyin import search_text
from suanpan.core.tenancy import check_perm
from suanpan.core.ui import OrgView, redirect

MAX_LINES = 200


def _partners(organization: Any) -> QuerySet[Any]:
    """Customers and suppliers for the partner column (accounting imports no other app: looked up by name)."""
    model = Voucher._meta.apps.get_model("partners", "Partner")
    partners: QuerySet[Any] = model.objects.filter(organization=organization, is_active=True).order_by("code")
    return partners


def _account_choices(organization: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "label": f"{a.code} {a.name}",
            "hint": search_text(a.name).split(" ")[-1],
            "dims": a.dimensions,
            "cash": a.is_cash,
        }
        for a in selectors.postable_accounts(organization=organization).order_by("code")
    ]


def parse_lines(post: Any) -> list[dict[str, Any]]:
    """The grid's rows (lines-N-field) as line dicts; fully blank rows are skipped."""
    rows = []
    for n in range(MAX_LINES):
        prefix = f"lines-{n}-"
        if f"{prefix}summary" not in post:
            break
        row = {
            key: post.get(f"{prefix}{key}", "").strip()
            for key in (
                "summary",
                "account",
                "debit",
                "credit",
                "partner",
                "employee",
                "department",
                "project",
                "cash_flow_item",
            )
        }
        if not any(row.values()):
            continue
        rows.append(row)
    return rows


def _parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class VoucherListView(OrgView):
    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        periods = selectors.period_list(organization=self.organization).order_by("-year", "-month")
        today = timezone.localdate()
        chosen = request.GET.get("period") or f"{today.year}-{today.month:02d}"
        year, _sep, month = chosen.partition("-")
        vouchers = selectors.voucher_list(organization=self.organization).order_by("date", "word", "number", "id")
        if year.isdigit() and month.isdigit():
            vouchers = vouchers.filter(period__year=int(year), period__month=int(month))
        status = request.GET.get("status", "")
        if status in VoucherStatus.values:
            vouchers = vouchers.filter(status=status)
        return render(
            request,
            "accounting/voucher_list.html",
            {
                "vouchers": vouchers.prefetch_related("lines__account")[:500],
                "period_options": [(f"{p.year}-{p.month:02d}", str(p), p.is_open) for p in periods],
                "chosen": chosen,
                "status": status,
                "statuses": VoucherStatus.choices,
                "can_enter": self.can(P.ENTER_VOUCHER),
            },
        )


class VoucherEntryView(OrgView):
    """New voucher (no pk) or change a draft (pk): the keyboard grid."""

    permission = P.ENTER_VOUCHER

    def _render(
        self, voucher: Voucher | None, values: dict[str, Any], errors: list[Any], status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            "accounting/voucher_form.html",
            {
                "voucher": voucher,
                "values": values,
                "errors": errors,
                "words": voucher_words(organization=self.organization),
                "accounts": _account_choices(self.organization),
                "partners": _partners(self.organization),
                "cash_flow_items": list(cash_flow_items().values()),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        voucher = selectors.voucher_get(organization=self.organization, pk=pk) if pk else None
        if voucher is not None and voucher.status != VoucherStatus.DRAFT:
            messages.error(request, _("Only a draft voucher can be changed; unreview it first."))
            return redirect(request, reverse("accounting:voucher_detail", args=[voucher.pk]))
        if voucher is None:
            values: dict[str, Any] = {
                "date": timezone.localdate().isoformat(),
                "word": "记",
                "attachments": 0,
                "lines": [{}, {}, {}, {}],
            }
        else:
            values = {
                "date": voucher.date.isoformat(),
                "word": voucher.word,
                "attachments": voucher.attachments,
                "notes": voucher.notes,
                "lines": [
                    {
                        "summary": ln.summary,
                        "account": ln.account_id,
                        "debit": ln.debit or "",
                        "credit": ln.credit or "",
                        "partner": ln.partner_id or "",
                        "cash_flow_item": ln.cash_flow_item,
                    }
                    for ln in voucher.lines.order_by("seq")
                ],
            }
        return self._render(voucher, values, [])

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        voucher = selectors.voucher_get(organization=self.organization, pk=pk) if pk else None
        lines = parse_lines(request.POST)
        raw_date = request.POST.get("date", "")
        word = request.POST.get("word", "记")
        attachments = request.POST.get("attachments", "0").strip() or "0"
        notes = request.POST.get("notes", "")
        values: dict[str, Any] = {
            "date": raw_date,
            "word": word,
            "attachments": attachments,
            "notes": notes,
            "lines": [*lines, {}],
        }
        date = _parse_date(raw_date)
        try:
            if date is None:
                raise InvalidInput.single("date", _("Enter a valid date."))
            if not attachments.isdigit():
                raise InvalidInput.single("attachments", _("Enter a whole number."))
            if voucher is None:
                saved = services.voucher_create(
                    organization=self.organization,
                    actor=request.user,
                    date=date,
                    lines=lines,
                    word=word,
                    attachments=int(attachments),
                    notes=notes,
                )
            else:
                saved = services.voucher_update(
                    organization=self.organization,
                    actor=request.user,
                    voucher_id=voucher.pk,
                    date=date,
                    lines=lines,
                    word=word,
                    attachments=int(attachments),
                    notes=notes,
                )
        except DomainError as exc:
            return self._render(voucher, values, exc.errors, status=422)
        messages.success(request, _("Voucher saved."))
        if request.POST.get("and_new"):
            return redirect(request, reverse("accounting:voucher_create"))
        return redirect(request, reverse("accounting:voucher_detail", args=[saved.pk]))


class VoucherDetailView(OrgView):
    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        voucher = selectors.voucher_get(organization=self.organization, pk=pk)
        return render(
            request,
            "accounting/voucher_detail.html",
            {
                "voucher": voucher,
                "lines": voucher.lines.select_related("account", "partner").order_by("seq"),
                "cash_flow_items": list(cash_flow_items().values()),
                "history": audit_history(organization=self.organization, obj=voucher)[:50],
                "reversed_by": Voucher.objects.filter(reverses=voucher).first(),
                "can_enter": self.can(P.ENTER_VOUCHER),
                "can_review": self.can(P.REVIEW_VOUCHER),
                "can_post": self.can(P.POST_VOUCHER),
            },
        )


class VoucherActionView(OrgView):
    """POST /vouchers/<pk>/<action>/: review, unreview, post, reverse, delete."""

    http_method_names = ["post"]
    ACTIONS = {
        "review": (P.REVIEW_VOUCHER, services.voucher_review, gettext_lazy("Voucher reviewed.")),
        "unreview": (P.REVIEW_VOUCHER, services.voucher_unreview, gettext_lazy("Review withdrawn.")),
        "post": (P.POST_VOUCHER, services.voucher_post, gettext_lazy("Voucher posted.")),
        "reverse": (P.ENTER_VOUCHER, services.voucher_reverse, gettext_lazy("Red-ink reversal prepared.")),
        "delete": (P.ENTER_VOUCHER, services.voucher_delete, gettext_lazy("Draft deleted.")),
    }

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        perm, service, done = self.ACTIONS[action]
        service = cast(Callable[..., Any], service)
        check_perm(organization=self.organization, actor=request.user, perm=perm)
        try:
            result = service(organization=self.organization, actor=request.user, voucher_id=pk)
        except NotFound:
            raise  # another organization's (or no) voucher: a 404 like every page, not a message
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request, reverse("accounting:voucher_detail", args=[pk]))
        messages.success(request, str(done))
        if action == "delete":
            return redirect(request, reverse("accounting:voucher_list"))
        target = result.pk if isinstance(result, Voucher) else pk
        return redirect(request, reverse("accounting:voucher_detail", args=[target]))


class AccountListView(OrgView):
    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        accounts = selectors.account_list(organization=self.organization).order_by("code")
        q = request.GET.get("q", "").replace("\x00", "").strip().lower()  # PostgreSQL cannot search NUL
        if q:
            accounts = accounts.filter(search_text__icontains=q) | accounts.filter(code__startswith=q)
        return render(request, "accounting/account_list.html", {"accounts": accounts, "q": q})


def _periods_from(request: HttpRequest, organization: Any) -> tuple[Period, Period]:
    today = timezone.localdate()
    default = selectors.period_for(organization=organization, on=today) or services.period_for_date(
        organization=organization, on=today
    )

    def pick(name: str) -> Period:
        value = request.GET.get(name, "")
        year, _sep, month = value.partition("-")
        if year.isdigit() and month.isdigit():
            found = Period.objects.filter(organization=organization, year=int(year), month=int(month)).first()
            if found is not None:
                return found
        return default

    start, end = pick("start"), pick("end")
    if (end.year, end.month) < (start.year, start.month):
        start, end = end, start
    return start, end


def _ranges(start: Period, end: Period) -> list[tuple[str, str, Period]]:
    return [("start", _("From"), start), ("end", _("To"), end)]


class TrialBalanceView(OrgView):
    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        start, end = _periods_from(request, self.organization)
        tb = reports.trial_balance(organization=self.organization, start=start, end=end)
        if request.GET.get("export") == "pdf":
            return ledger_views.trial_balance_pdf(request, organization=self.organization, tb=tb)
        if request.GET.get("export") == "xlsx":
            headers = [
                _("Code"),
                _("Account"),
                _("Opening debit"),
                _("Opening credit"),
                _("Debit"),
                _("Credit"),
                _("Year-to-date debit"),
                _("Year-to-date credit"),
                _("Closing debit"),
                _("Closing credit"),
            ]
            rows = [
                [
                    r.account.code,
                    r.account.name,
                    *r.opening_sides,
                    r.debit,
                    r.credit,
                    r.ytd_debit,
                    r.ytd_credit,
                    *r.closing_sides,
                ]
                for r in tb.rows
            ]
            rows.append(
                [
                    "",
                    _("Total"),
                    tb.total_opening_debit,
                    tb.total_opening_credit,
                    tb.total_debit,
                    tb.total_credit,
                    tb.total_ytd_debit,
                    tb.total_ytd_credit,
                    tb.total_closing_debit,
                    tb.total_closing_credit,
                ]
            )
            return xlsx_response("trial-balance", workbook_bytes(_("Trial balance"), headers, rows))
        periods = selectors.period_list(organization=self.organization).order_by("year", "month")
        return render(
            request,
            "accounting/trial_balance.html",
            {
                "tb": tb,
                "periods": periods,
                "ranges": _ranges(start, end),
            },
        )


class LedgerView(OrgView):
    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = selectors.account_get(organization=self.organization, pk=pk)
        start, end = _periods_from(request, self.organization)
        partner_id = request.GET.get("partner")
        partner = _partners(self.organization).filter(pk=partner_id).first() if (partner_id or "").isdigit() else None
        opening, entries = reports.detail_ledger(
            organization=self.organization,
            account=account,
            start=start,
            end=end,
            partner_id=partner.pk if partner else None,
        )
        export = request.GET.get("export", "")
        if export in ("xlsx", "pdf"):
            return ledger_views.detail_ledger_export(
                request,
                export,
                organization=self.organization,
                account=account,
                start=start,
                end=end,
                partner=partner,
                opening=opening,
                entries=entries,
            )
        periods = selectors.period_list(organization=self.organization).order_by("year", "month")
        return render(
            request,
            "accounting/ledger.html",
            {
                "account": account,
                "opening": opening,
                "entries": entries,
                "start": start,
                "end": end,
                "periods": periods,
                "ranges": _ranges(start, end),
                "partner": partner,
                "closing": entries[-1].balance if entries else opening,
            },
        )
