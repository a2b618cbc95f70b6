from django.urls import path

from suanpan.accounting import views

app_name = "accounting"

urlpatterns = [
    path("vouchers/", views.VoucherListView.as_view(), name="voucher_list"),
    path("vouchers/new/", views.VoucherEntryView.as_view(), name="voucher_create"),
    path("vouchers/<int:pk>/", views.VoucherDetailView.as_view(), name="voucher_detail"),
    path("vouchers/<int:pk>/edit/", views.VoucherEntryView.as_view(), name="voucher_edit"),
    path("vouchers/<int:pk>/<str:action>/", views.VoucherActionView.as_view(), name="voucher_action"),
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("accounts/<int:pk>/ledger/", views.LedgerView.as_view(), name="ledger"),
    path("trial-balance/", views.TrialBalanceView.as_view(), name="trial_balance"),
]
