"""Pages of the books' set-up: opening balances (期初余额) with their trial-balance check and acceptance, the
Excel template of opening balances, and the books settings (start period, voucher words). Thin: parse, call
one service or selector, render. Changes are guarded by the services' own permission checks (403)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from suanpan.accounting import opening, selectors
from suanpan.accounting.choices import Side
from suanpan.accounting.importers import OPENING_BALANCES, opening_template_workbook
from suanpan.accounting.models import Account, OpeningBalance
from suanpan.core.excel import xlsx_response
from suanpan.core.exceptions import DomainError, FieldError
from suanpan.core.permissions import P
from suanpan.core.tenancy import check_perm
from suanpan.core.ui import OrgView, redirect

MAX_PARTNER_ROWS = 500


def _partners(organization: Any) -> QuerySet[Any]:
    """Customers and suppliers (accounting imports no other app: the model is looked up from the field)."""
    model: Any = OpeningBalance._meta.get_field("partner").related_model
    partners: QuerySet[Any] = model.objects.filter(organization=organization, is_active=True).order_by("code")
    return partners


def _signed(account: Account, raw: str) -> Any:
    """What the grid shows (the account's normal direction) as the service's debit-positive balance; text the
    service cannot read is passed through for it to name."""
    text = raw.replace(",", "").strip()
    if not text:
        return ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text
    if not amount.is_finite():
        return text
    return opening.signed_balance(account, amount)


def parse_grid(post: Any, accounts: list[Account]) -> tuple[list[dict[str, Any]], list[str]]:
    """The grid's inputs as service rows, with the input-name prefix of each row (to put errors back)."""
    rows: list[dict[str, Any]] = []
    names: list[str] = []
    for account in accounts:
        if opening.needs_partner(account):
            for n in range(MAX_PARTNER_ROWS):
                prefix = f"p-{account.code}-{n}"
                if f"{prefix}-partner" not in post:
                    break
                rows.append(
                    {
                        "account": account,
                        "partner": post.get(f"{prefix}-partner", ""),
                        "balance": _signed(account, post.get(f"{prefix}-balance", "")),
                        "ytd_debit": post.get(f"{prefix}-ytd_debit", "").strip(),
                        "ytd_credit": post.get(f"{prefix}-ytd_credit", "").strip(),
                    }
                )
                names.append(prefix)
            continue
        prefix = f"a-{account.code}"
        if not any(f"{prefix}-{key}" in post for key in ("balance", "ytd_debit", "ytd_credit")):
            continue
        rows.append(
            {
                "account": account,
                "balance": _signed(account, post.get(f"{prefix}-balance", "")),
                "ytd_debit": post.get(f"{prefix}-ytd_debit", "").strip(),
                "ytd_credit": post.get(f"{prefix}-ytd_credit", "").strip(),
            }
        )
        names.append(prefix)
    return rows, names


def _field_errors(errors: list[FieldError], names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Service errors (`rows.N.field`) by input name (`a-1001-balance`), and the others as plain messages."""
    by_input: dict[str, str] = {}
    general: list[str] = []
    for err in errors:
        match = re.fullmatch(r"rows\.(\d+)\.(\w+)", err.field or "")
        if match and 1 <= int(match.group(1)) <= len(names):
            key = match.group(2) if match.group(2) != "account" else "balance"
            by_input.setdefault(f"{names[int(match.group(1)) - 1]}-{key}", err.message)
        else:
            general.append(err.message)
    return by_input, general


def _plain(amount: Decimal) -> str:
    return "" if not amount else f"{amount:.2f}"


def _grid_lines(
    grid: list[opening.GridRow], posted: Any, errors: dict[str, str], partners: dict[str, str]
) -> list[dict[str, Any]]:
    """The grid's rows for the template: input names, the values to show (as posted after a refusal), errors."""

    def value(name: str, stored: str) -> str:
        return str(posted.get(name, "")) if posted is not None else stored

    def errs(prefix: str) -> dict[str, str]:
        return {
            k: errors[f"{prefix}-{k}"]
            for k in ("balance", "partner", "ytd_debit", "ytd_credit")
            if f"{prefix}-{k}" in errors
        }

    lines: list[dict[str, Any]] = []
    for row in grid:
        code = row.account.code
        line: dict[str, Any] = {"row": row, "prefix": f"a-{code}", "partner_rows": []}
        if row.leaf and not row.by_partner:
            line["values"] = {
                "balance": value(f"a-{code}-balance", _plain(row.shown)),
                "ytd_debit": value(f"a-{code}-ytd_debit", _plain(row.ytd_debit)),
                "ytd_credit": value(f"a-{code}-ytd_credit", _plain(row.ytd_credit)),
            }
            line["errors"] = errs(f"a-{code}")
        if row.by_partner:
            if posted is None:
                stored = [
                    {
                        "partner": str(p.partner_id),
                        "balance": _plain(p.balance if row.account.normal_balance == Side.DEBIT else -p.balance),
                        "ytd_debit": _plain(p.ytd_debit),
                        "ytd_credit": _plain(p.ytd_credit),
                    }
                    for p in row.partners
                ]
            else:
                stored = []
                for n in range(MAX_PARTNER_ROWS):
                    prefix = f"p-{code}-{n}"
                    if f"{prefix}-partner" not in posted:
                        break
                    keys = ("partner", "balance", "ytd_debit", "ytd_credit")
                    stored.append({k: str(posted.get(f"{prefix}-{k}", "")) for k in keys})
            for n, values in enumerate(stored):
                prefix = f"p-{code}-{n}"
                line["partner_rows"].append(
                    {
                        "prefix": prefix,
                        "values": values,
                        "label": partners.get(values["partner"], ""),
                        "fixed": bool(values["partner"]),
                        "errors": errs(prefix),
                    }
                )
        lines.append(line)
    return lines


class OpeningView(OrgView):
    """The chart as a grid of opening balances; parents are roll-ups, leaves are inputs until accepted."""

    permission = P.VIEW_LEDGER

    def _render(
        self, posted: Any = None, errors: dict[str, str] | None = None, general: list[str] | None = None
    ) -> HttpResponse:
        books = opening.books_get(organization=self.organization)
        mid_year = books.start is not None and books.start.month > 1
        editable = self.can(P.MANAGE_ACCOUNTS) and not books.opening_accepted
        partners = _partners(self.organization)
        labels = {str(p.pk): str(p) for p in partners}
        grid = opening.opening_grid(organization=self.organization)
        for row in grid:  # partners of stored rows stay named even when inactive
            labels.update({str(p.partner_id): str(p.partner) for p in row.partners})
        context = {
            "books": books,
            "lines": _grid_lines(grid, posted, errors or {}, labels),
            "check": opening.opening_trial_balance(organization=self.organization),
            "mid_year": mid_year,
            "editable": editable,
            "can_accept": editable,
            "can_unaccept": books.opening_accepted and self.can(P.REOPEN_PERIOD),
            "partners": partners if editable else [],
            "posted": posted,
            "errors": errors or {},
            "general_errors": general or [],
            "import_kind": OPENING_BALANCES.kind,
            "debit": Side.DEBIT,
        }
        status = 422 if errors or general else 200
        return render(self.request, "accounting/opening.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest) -> HttpResponse:
        check_perm(organization=self.organization, actor=request.user, perm=P.MANAGE_ACCOUNTS)
        accounts = list(selectors.account_list(organization=self.organization).order_by("code"))
        rows, names = parse_grid(request.POST, accounts)
        try:
            check = opening.opening_balances_save(organization=self.organization, actor=request.user, rows=rows)
        except DomainError as exc:
            by_input, general = _field_errors(exc.errors, names)
            return self._render(request.POST, by_input, general)
        if check.balanced:
            messages.success(request, _("Opening balances saved; they balance."))
        else:
            messages.warning(
                request,
                _("Opening balances saved; they do not balance yet (difference %(diff)s).")
                % {"diff": check.difference},
            )
        return redirect(request, reverse("accounting:opening"))


class OpeningAcceptView(OrgView):
    permission = P.VIEW_LEDGER
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        check_perm(organization=self.organization, actor=request.user, perm=P.MANAGE_ACCOUNTS)
        try:
            opening.opening_balances_accept(organization=self.organization, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Opening balances accepted."))
        return redirect(request, reverse("accounting:opening"))


class OpeningUnacceptView(OrgView):
    permission = P.VIEW_LEDGER
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        check_perm(organization=self.organization, actor=request.user, perm=P.REOPEN_PERIOD)
        try:
            opening.opening_balances_unaccept(organization=self.organization, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Acceptance withdrawn; the opening balances can be changed again."))
        return redirect(request, reverse("accounting:opening"))


class OpeningTemplateView(OrgView):
    """The Excel template, filled with the leaf accounts and the current opening balances."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        return xlsx_response("opening-balances", opening_template_workbook(organization=self.organization))


def _words(raw: str) -> list[str]:
    return [w for w in re.split(r"[\s,，、;；]+", raw) if w]


class BooksSettingsView(OrgView):
    """Where the books start and their voucher words."""

    permission = P.VIEW_LEDGER

    def _render(self, values: dict[str, Any], errors: list[FieldError], status: int = 200) -> HttpResponse:
        books = opening.books_get(organization=self.organization)
        context = {
            "books": books,
            "values": values,
            "errors": {e.field or "": e.message for e in errors},
            "editable": self.can(P.MANAGE_ACCOUNTS),
        }
        return render(self.request, "accounting/books_settings.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        books = opening.books_get(organization=self.organization)
        start = books.start
        values = {
            "start": f"{start.year}-{start.month:02d}" if start else "",
            "voucher_words": " ".join(books.voucher_words),
        }
        return self._render(values, [])

    def post(self, request: HttpRequest) -> HttpResponse:
        check_perm(organization=self.organization, actor=request.user, perm=P.MANAGE_ACCOUNTS)
        start = opening.books_get(organization=self.organization).start
        shown = f"{start.year}-{start.month:02d}" if start else ""
        values = {"start": request.POST.get("start", shown), "voucher_words": request.POST.get("voucher_words", "")}
        data: dict[str, Any] = {"voucher_words": _words(values["voucher_words"])}
        if "start" in request.POST:  # the field is disabled (not sent) once the start no longer changes
            data["start"] = values["start"]
        try:
            opening.books_update(organization=self.organization, actor=request.user, data=data)
        except DomainError as exc:
            return self._render(values, exc.errors, status=422)
        messages.success(request, _("Books settings saved."))
        return redirect(request, reverse("accounting:books_settings"))
