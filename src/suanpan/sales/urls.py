"""Sales pages: each capability keeps its own views module and patterns, assembled here."""

from suanpan.sales import delivery_views, invoice_views, order_views, report_views

app_name = "sales"

urlpatterns = [
    *order_views.urlpatterns,
    *delivery_views.urlpatterns,
    *invoice_views.urlpatterns,
    *report_views.urlpatterns,
]
