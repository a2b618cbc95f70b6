"""CRM pages of the customer area: the customer 360° page (with its timeline pages and inline tags), and — from
their own modules — contracts, segments and tag rules. `urlpatterns` is assembled in `crm/urls.py`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from suanpan.core.exceptions import DomainError
from suanpan.core.permissions import P
from suanpan.core.ui import OrgView, redirect
from suanpan.crm import contract_views, customer360, segment_views
from suanpan.crm.segments import rule_tag_ids
from suanpan.partners.models import Partner
from suanpan.partners.selectors import tag_list


def _offset(value: object) -> int:
    text = str(value or "").strip()
    return min(int(text), 100_000) if text.isdigit() and len(text) < 8 else 0


def tags_context(view: OrgView, customer: Partner, error: str = "") -> dict[str, Any]:
    rule_tags = rule_tag_ids(view.organization)
    tags = list(customer.tags.order_by("name"))
    held = {t.pk for t in tags}
    return {
        "customer": customer,
        "tags": [{"tag": t, "by_rule": t.pk in rule_tags} for t in tags],
        "can_tag": view.can(P.CHANGE_CUSTOMER),
        "tag_choices": [t for t in tag_list(organization=view.organization) if t.pk not in held | rule_tags],
        "tag_error": error,
    }


class Customer360View(OrgView):
    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = customer360.customer_360(organization=self.organization, actor=request.user, customer_id=pk)
        customer = found["customer"]
        context = {
            **found,
            **tags_context(self, customer),
            "can_view_customer": self.can(P.VIEW_CUSTOMER),
            "can_contract": self.can(P.CHANGE_CRM),
            "can_order": self.can(P.CHANGE_SALES),
            "address": " ".join(p for p in dict.fromkeys((customer.province, customer.city)) if p),
        }
        return render(request, "crm/customer_360.html", context)


class CustomerTimelineView(OrgView):
    """HTMX: the next page of a customer's timeline (the full page shows the first)."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer360.customer_for(organization=self.organization, actor=request.user, pk=pk)
        timeline = customer360.customer_timeline(
            organization=self.organization,
            actor=request.user,
            customer=customer,
            offset=_offset(request.GET.get("offset")),
        )
        return render(request, "crm/customer_timeline.html", {"customer": customer, "timeline": timeline})


class _TagPost(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CUSTOMER

    def answer(self, request: HttpRequest, pk: int, error: str = "") -> HttpResponse:
        customer = customer360.customer_for(organization=self.organization, actor=request.user, pk=pk)
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "crm/customer_tags.html",
                tags_context(self, customer, error),
                status=422 if error else 200,
            )
        if error:
            messages.error(request, error)
        return redirect(request, reverse("crm:customer_360", args=[customer.pk]))


class CustomerTagAddView(_TagPost):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer360.customer_for(organization=self.organization, actor=request.user, pk=pk)
        try:
            customer360.customer_tag_add(
                organization=self.organization,
                actor=request.user,
                customer_id=customer.pk,
                tag_id=request.POST.get("tag_id") or None,
                name=request.POST.get("name", ""),
            )
        except DomainError as exc:
            return self.answer(request, customer.pk, exc.message)
        return self.answer(request, customer.pk)


class CustomerTagRemoveView(_TagPost):
    def post(self, request: HttpRequest, pk: int, tag_id: int) -> HttpResponse:
        customer = customer360.customer_for(organization=self.organization, actor=request.user, pk=pk)
        try:
            customer360.customer_tag_remove(
                organization=self.organization, actor=request.user, customer_id=customer.pk, tag_id=tag_id
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return self.answer(request, customer.pk, exc.message)
        return self.answer(request, customer.pk)


urlpatterns = [
    path("customers/<int:pk>/", Customer360View.as_view(), name="customer_360"),
    path("customers/<int:pk>/timeline/", CustomerTimelineView.as_view(), name="customer_timeline"),
    path("customers/<int:pk>/tags/", CustomerTagAddView.as_view(), name="customer_tag_add"),
    path("customers/<int:pk>/tags/<int:tag_id>/remove/", CustomerTagRemoveView.as_view(), name="customer_tag_remove"),
    *contract_views.urlpatterns,
    *segment_views.urlpatterns,
]
