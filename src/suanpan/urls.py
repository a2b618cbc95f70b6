from django.contrib import admin
from django.urls import include, path, re_path

from suanpan.api import api, api_not_found

urlpatterns = [
    path("", include("suanpan.reports.urls")),
    path("", include("suanpan.core.urls")),
    path("partners/", include("suanpan.partners.urls")),
    path("catalog/", include("suanpan.catalog.urls")),
    path("inventory/", include("suanpan.inventory.urls")),
    path("accounting/", include("suanpan.accounting.urls")),
    path("purchasing/", include("suanpan.purchasing.urls")),
    path("sales/", include("suanpan.sales.urls")),
    path("finance/", include("suanpan.finance.urls")),
    path("crm/", include("suanpan.crm.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
]
