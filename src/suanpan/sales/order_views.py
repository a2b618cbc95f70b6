"""Pages of sales: orders (filled in by the order work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
