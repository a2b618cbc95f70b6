from django.contrib.auth import views as auth_views
from django.urls import path

from suanpan.core import import_views, notification_views, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch-organization/", views.switch_organization, name="switch_organization"),
    path("settings/organization/", views.OrganizationSettingsView.as_view(), name="organization_settings"),
    path("settings/members/new/", views.MemberInviteView.as_view(), name="member_invite"),
    path("settings/members/<int:pk>/", views.MembershipEditView.as_view(), name="membership_edit"),
    path("settings/tokens/", views.TokenListView.as_view(), name="token_list"),
    path("imports/", import_views.ImportListView.as_view(), name="import_list"),
    path("imports/<str:kind>/new/", import_views.ImportNewView.as_view(), name="import_new"),
    path("imports/<str:kind>/template/", import_views.ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/report/", import_views.ImportReportView.as_view(), name="import_report"),
    path("settings/tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("notifications/", notification_views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/count/", notification_views.NotificationCountView.as_view(), name="notification_count"),
    path("notifications/<int:pk>/", notification_views.NotificationOpenView.as_view(), name="notification_open"),
]
