from django.urls import path

from suanpan.core.ui import record_urls
from suanpan.partners import views

app_name = "partners"

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", views.CustomerFormView.as_view(), name="customer_create"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("customers/<int:pk>/edit/", views.CustomerFormView.as_view(), name="customer_edit"),
    path("customers/<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="customer_delete"),
    path("customers/<int:pk>/contacts/new/", views.CustomerContactSaveView.as_view(), name="customer_contact_create"),
    path(
        "customers/<int:pk>/contacts/<int:contact_id>/edit/",
        views.CustomerContactSaveView.as_view(),
        name="customer_contact_edit",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_id>/delete/",
        views.CustomerContactDeleteView.as_view(),
        name="customer_contact_delete",
    ),
    path("suppliers/", views.SupplierListView.as_view(), name="supplier_list"),
    path("suppliers/new/", views.SupplierFormView.as_view(), name="supplier_create"),
    path("suppliers/<int:pk>/", views.SupplierDetailView.as_view(), name="supplier_detail"),
    path("suppliers/<int:pk>/edit/", views.SupplierFormView.as_view(), name="supplier_edit"),
    path("suppliers/<int:pk>/delete/", views.SupplierDeleteView.as_view(), name="supplier_delete"),
    path("suppliers/<int:pk>/contacts/new/", views.SupplierContactSaveView.as_view(), name="supplier_contact_create"),
    path(
        "suppliers/<int:pk>/contacts/<int:contact_id>/edit/",
        views.SupplierContactSaveView.as_view(),
        name="supplier_contact_edit",
    ),
    path(
        "suppliers/<int:pk>/contacts/<int:contact_id>/delete/",
        views.SupplierContactDeleteView.as_view(),
        name="supplier_contact_delete",
    ),
    *record_urls(
        "tags",
        "tag",
        list_view=views.TagListView,
        detail=views.TagDetailView,
        form=views.TagFormView,
        delete=views.TagDeleteView,
    ),
]
