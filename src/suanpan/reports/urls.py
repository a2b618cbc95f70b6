from django.urls import path

from suanpan.reports import views

urlpatterns = [path("", views.HomeView.as_view(), name="home")]
