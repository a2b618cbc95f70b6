from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from suanpan.core.permissions import P
from suanpan.core.ui import OrgView
from suanpan.reports.selectors import overview


class HomeView(OrgView):
    """The dashboard: real figures of what exists in this organization, shown by what the member may see."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "reports/home.html",
            {
                "overview": overview(organization=self.organization),
                "show_customers": self.can(P.VIEW_CUSTOMER),
                "show_suppliers": self.can(P.VIEW_SUPPLIER),
                "show_products": self.can(P.VIEW_PRODUCT),
                "show_warehouses": self.can(P.VIEW_WAREHOUSE),
            },
        )
