from django.contrib import admin
from django.urls import include, path

from suanpan.api import api

urlpatterns = [
    path("", include("suanpan.reports.urls")),
    path("", include("suanpan.core.urls")),
    path("partners/", include("suanpan.partners.urls")),
    path("catalog/", include("suanpan.catalog.urls")),
    path("inventory/", include("suanpan.inventory.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
