from django.urls import path

from suanpan.accounting import views
from suanpan.accounting.views import closing as closing_views
from suanpan.accounting.views import ledgers as ledger_views
from suanpan.accounting.views import opening as opening_views
from suanpan.accounting.views import statements as statement_views

app_name = "accounting"

urlpatterns = [
    path("opening/", opening_views.OpeningView.as_view(), name="opening"),
    path("opening/accept/", opening_views.OpeningAcceptView.as_view(), name="opening_accept"),
    path("opening/unaccept/", opening_views.OpeningUnacceptView.as_view(), name="opening_unaccept"),
    path("opening/template/", opening_views.OpeningTemplateView.as_view(), name="opening_template"),
    path("books/", opening_views.BooksSettingsView.as_view(), name="books_settings"),
    path("vouchers/", views.VoucherListView.as_view(), name="voucher_list"),
    path("vouchers/new/", views.VoucherEntryView.as_view(), name="voucher_create"),
    path("vouchers/<int:pk>/", views.VoucherDetailView.as_view(), name="voucher_detail"),
    path("vouchers/<int:pk>/edit/", views.VoucherEntryView.as_view(), name="voucher_edit"),
    path("vouchers/<int:pk>/print/", ledger_views.VoucherPrintView.as_view(), name="voucher_print"),
    path("vouchers/print/", ledger_views.VoucherBatchPrintView.as_view(), name="voucher_batch_print"),
    path("vouchers/<int:pk>/<str:action>/", views.VoucherActionView.as_view(), name="voucher_action"),
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("accounts/<int:pk>/ledger/", views.LedgerView.as_view(), name="ledger"),
    path("trial-balance/", views.TrialBalanceView.as_view(), name="trial_balance"),
    *statement_views.statement_urls(),
    path("periods/", closing_views.PeriodListView.as_view(), name="period_list"),
    path("periods/<int:pk>/close/", closing_views.PeriodCloseView.as_view(), name="period_close"),
    path("periods/<int:pk>/reopen/", closing_views.PeriodReopenView.as_view(), name="period_reopen"),
    path("ledgers/general/", ledger_views.GeneralLedgerView.as_view(), name="general_ledger"),
    path("ledgers/auxiliary/", ledger_views.AuxiliaryLedgerView.as_view(), name="auxiliary_ledger"),
]
