from django.urls import path

from suanpan.purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/new/", views.OrderFormView.as_view(), name="order_create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/edit/", views.OrderFormView.as_view(), name="order_edit"),
    path("orders/<int:pk>/receive/", views.ReceiveView.as_view(), name="order_receive"),
    path("orders/<int:pk>/<str:action>/", views.OrderActionView.as_view(), name="order_action"),
    path("receipts/", views.ReceiptListView.as_view(), name="receipt_list"),
    path("receipts/<int:pk>/", views.ReceiptDetailView.as_view(), name="receipt_detail"),
    path("receipts/<int:pk>/return/", views.ReturnFormView.as_view(), name="receipt_return"),
    path("returns/", views.ReturnListView.as_view(), name="return_list"),
    path("returns/<int:pk>/", views.ReturnDetailView.as_view(), name="return_detail"),
    path("analysis/", views.AnalysisView.as_view(), name="analysis"),
]
