"""CRM pages (/crm/): each capability keeps its own views module and patterns, assembled here."""

from suanpan.crm import analytics_views, customer_views, followup_views, lead_views, opportunity_views

app_name = "crm"

urlpatterns = [
    *lead_views.urlpatterns,
    *followup_views.urlpatterns,
    *opportunity_views.urlpatterns,
    *customer_views.urlpatterns,
    *analytics_views.urlpatterns,
]
