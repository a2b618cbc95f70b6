"""Pages of the customer pool (公海): the pool with its claim buttons (HTMX), releasing a customer, a customer's
pool history (a partial other pages embed), and the managers' reassignment page. Thin: parse, call one service or
selector, render."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.forms import members_of
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see
from suanpan.core.ui import OrgView, redirect
from suanpan.crm import pool
from suanpan.crm.followups import subject_url
from suanpan.crm.setup import crm_settings
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.selectors import partner_get

PAGE_SIZE = 25
ASSIGN_PAGE = 200


def _search(qs: Any, q: str) -> Any:
    for term in q.lower().split()[:5]:
        qs = qs.filter(Q(search_text__icontains=term) | Q(code__icontains=term))
    return qs


class PoolListView(OrgView):
    """The pool: customers without an owner, searchable, each with a claim button."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        q = str(request.GET.get("q") or "").strip()[:100]
        province = str(request.GET.get("province") or "").strip()[:30]
        everyone = pool.pool_list(organization=self.organization, actor=request.user)
        qs = _search(everyone, q)
        if province:
            qs = qs.filter(province=province)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        settings = crm_settings(self.organization)
        owned = Partner.objects.filter(
            organization=self.organization, is_customer=True, is_active=True, owner_id=request.user.pk
        ).count()
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": _("Customer pool"),
            "page": page,
            "q": q,
            "province": province,
            "provinces": sorted({p for p in everyone.values_list("province", flat=True) if p}),
            "query": query.urlencode(),
            "can_claim": self.can(P.CHANGE_CRM),
            "can_manage": self.can(P.MANAGE_CRM),
            "owned": owned,
            "claim_limit": settings.claim_limit,
            "return_days": settings.pool_return_days,
        }
        template = "crm/pool_results.html" if getattr(request, "htmx", False) else "crm/pool_list.html"
        return render(request, template, context)


class PoolClaimView(OrgView):
    """POST: claim a customer. HTMX gets the customer's row back (claimed, or the refusal in it)."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = get_scoped(Partner, organization=self.organization, pk=pk)
        if not customer.is_customer:
            raise Http404
        refusal = ""
        try:
            customer = pool.pool_claim(organization=self.organization, actor=request.user, customer_id=customer.pk)
        except DomainError as exc:
            refusal = exc.message
        if getattr(request, "htmx", False):
            context = {
                "customer": customer,
                "refusal": refusal,
                "claimed": not refusal,
                "link": subject_url("customer", customer.pk),
                "can_claim": True,
            }
            return render(request, "crm/pool_row.html", context)
        if refusal:
            messages.error(request, refusal)
        else:
            messages.success(request, _("%(c)s is yours now.") % {"c": customer.name})
        return redirect(request, reverse("crm:pool_list"))


class PoolReleaseView(OrgView):
    """Put a customer back into the pool, with the reason (a rep: their own; a manager: any)."""

    permission = P.CHANGE_CRM

    def _customer(self, pk: int) -> Partner:
        return partner_get(organization=self.organization, role=PartnerRole.CUSTOMER, pk=pk, actor=self.request.user)

    def _render(self, request: HttpRequest, customer: Partner, reason: str, error: str, status: int) -> HttpResponse:
        context = {
            "title": _("Release %(c)s to the pool") % {"c": customer.name},
            "customer": customer,
            "reason": reason,
            "error": error,
            "back": subject_url("customer", customer.pk),
        }
        return render(request, "crm/pool_release.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._customer(pk), "", "", 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = self._customer(pk)
        reason = str(request.POST.get("reason") or "")
        try:
            pool.pool_release(
                organization=self.organization, actor=request.user, customer_id=customer.pk, reason=reason
            )
        except DomainError as exc:
            return self._render(request, customer, reason, exc.message, 422)
        messages.success(request, _("%(c)s is back in the pool.") % {"c": customer.name})
        return redirect(request, reverse("crm:pool_list"))


class PoolHistoryView(OrgView):
    """Partial: a customer's moves in and out of the pool (and the release link for its owner or a manager)."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        events = pool.pool_history(organization=self.organization, actor=request.user, customer_id=pk)
        customer = get_scoped(Partner, organization=self.organization, pk=pk)
        can_release = (
            customer.owner_id is not None
            and self.can(P.CHANGE_CRM)
            and (customer.owner_id == request.user.pk or self.can(P.MANAGE_CRM))
        )
        context = {"customer": customer, "events": events[:50], "can_release": can_release}
        return render(request, "crm/pool_history.html", context)


class PoolAssignView(OrgView):
    """Managers: give customers — from the pool or from one rep to another — to a member, in bulk."""

    permission = P.MANAGE_CRM

    def _render(self, request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
        source = request.POST if request.method == "POST" else request.GET
        q = str(source.get("q") or "").strip()[:100]
        owner = str(source.get("owner") or "").strip()
        qs = Partner.objects.filter(organization=self.organization, is_customer=True, is_active=True).select_related(
            "owner"
        )
        if owner == "pool":
            qs = qs.filter(owner__isnull=True)
        elif owner.isdigit() and len(owner) < 16:
            qs = qs.filter(owner_id=int(owner))
        qs = _search(qs, q).order_by("code")
        rows = [
            c
            for c in qs[: ASSIGN_PAGE * 2]
            if c.owner_id is None or may_see(self.organization, request.user, c.owner_id)
        ]
        chosen = {str(v) for v in request.POST.getlist("customer_ids")} if request.method == "POST" else set()
        context = {
            "title": _("Reassign customers"),
            "rows": rows[:ASSIGN_PAGE],
            "more": len(rows) > ASSIGN_PAGE,
            "members": members_of(self.organization),
            "q": q,
            "owner": owner,
            "chosen": chosen,
            "new_owner": str(request.POST.get("owner_id") or ""),
            "error": error,
        }
        return render(request, "crm/pool_assign.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = request.POST.getlist("customer_ids")
        try:
            count = pool.pool_assign(
                organization=self.organization,
                actor=request.user,
                customer_ids=ids,
                owner_id=request.POST.get("owner_id") or None,
            )
        except InvalidInput as exc:
            return self._render(request, " ".join(e.message for e in exc.errors), 422)
        except DomainError as exc:
            return self._render(request, exc.message, 422)
        messages.success(request, _("%(n)d customers reassigned.") % {"n": count})
        query = urlencode({k: v for k in ("q", "owner") if (v := str(request.POST.get(k) or ""))})
        return redirect(request, reverse("crm:pool_assign") + (f"?{query}" if query else ""))


urlpatterns = [
    path("pool/", PoolListView.as_view(), name="pool_list"),
    path("pool/assign/", PoolAssignView.as_view(), name="pool_assign"),
    path("pool/<int:pk>/claim/", PoolClaimView.as_view(), name="pool_claim"),
    path("pool/<int:pk>/release/", PoolReleaseView.as_view(), name="pool_release"),
    path("pool/<int:pk>/history/", PoolHistoryView.as_view(), name="pool_history"),
]
