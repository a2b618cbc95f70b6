"""Pages of sales: invoices (filled in by the invoice work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
