"""Pages of sales: deliverys (filled in by the delivery work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
