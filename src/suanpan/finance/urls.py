from django.urls import path

from suanpan.finance import receivable_views, views

app_name = "finance"

urlpatterns = [
    path("payables/", views.PayablesView.as_view(), name="payables"),
    path("payables/aging/", views.AgingView.as_view(), name="aging"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("payments/new/", views.PaymentCreateView.as_view(), name="payment_create"),
    path("payments/apply-advances/", views.ApplyAdvancesView.as_view(), name="apply_advances"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment_detail"),
    *receivable_views.urlpatterns,
]
