"""Django admin for the operator of an install (superusers): tenants and who belongs to them.

Business data is edited through the app's own pages and services only; the admin shows it read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from suanpan.core.models import ApiToken, AuditEvent, Membership, Organization


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "credit_code", "taxpayer_type", "is_active", "created_at")
    search_fields = ("name", "credit_code")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "user", "roles", "is_active")
    list_filter = ("organization",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("id", "membership", "name", "prefix", "created_at", "last_used_at", "revoked_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organization", "actor", "action", "object_type", "object_repr")
    list_filter = ("organization", "action", "object_type")
