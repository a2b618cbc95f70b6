from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from suanpan.core.choices import AuditAction, CostingMethod, DataScope, Role, TaxpayerType
from suanpan.core.validators import validate_credit_code


class Organization(models.Model):
    """A tenant: one company. Every business row belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    taxpayer_type = models.CharField(
        _("taxpayer type"), max_length=20, choices=TaxpayerType.choices, default=TaxpayerType.GENERAL
    )
    base_currency = models.CharField(_("base currency"), max_length=3, default="CNY", editable=False)
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    costing_method = models.CharField(
        _("costing method"),
        max_length=20,
        choices=CostingMethod.choices,
        default=CostingMethod.MOVING_AVERAGE,
        help_text=_("How issued stock is valued. It can change only while no stock has moved."),
    )
    allow_self_review = models.BooleanField(
        _("allow self-review of vouchers"),
        default=False,
        help_text=_("Off: a voucher is reviewed by someone other than the person who prepared it."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class OrgScoped(models.Model):
    """Base for business rows: the organization they belong to, and when they were made/changed."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Membership(models.Model):
    """A user's place in one organization, with the roles that grant permissions there."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    data_scope = models.CharField(
        _("data scope"),
        max_length=10,
        choices=DataScope.choices,
        blank=True,
        help_text=_("Whose customers, leads and opportunities this member sees. Empty: by role (sales: own)."),
    )
    team = models.CharField(_("team"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]

    @property
    def scope_label(self) -> str:
        """The data scope in words; an empty one follows the roles (see `core.scopes.effective_scope`)."""
        from suanpan.core.scopes import effective_scope

        label = str(dict(DataScope.choices)[effective_scope(self)])
        return label if self.data_scope else _("%(scope)s (by role)") % {"scope": label}


class NumberSequence(models.Model):
    """The last number taken in one series of one organization and period. Locked when a number is taken."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=40)
    period = models.CharField(max_length=10, blank=True, help_text="e.g. 202611; empty for a series without periods")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "series", "period"], name="numbersequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.period}:{self.last_number}"


class AuditEvent(models.Model):
    """Append-only record of who created, changed or moved the state of what."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    changes: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "object_type", "object_id"], name="audit_object_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class ApiToken(models.Model):
    """A personal API token for one membership. Only its SHA-256 is stored; the secret is shown once."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ImportBatch(OrgScoped):
    """One Excel import: the rows read, their errors, and whether they were imported (all or none)."""

    kind = models.CharField(_("kind"), max_length=30)
    filename = models.CharField(_("file name"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    imported = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"


class Notification(OrgScoped):
    """An in-app message to one user in one organization (the bell in the top bar), e.g. "stock below minimum"
    or a CRM reminder. `kind` says what raised it; `link` is where the user can act on it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(
        _("key"), max_length=100, blank=True, help_text=_("What the notification is about, to raise it only once.")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "user", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["organization", "kind", "key"], name="notification_key_idx"),
        ]

    def __str__(self) -> str:
        return self.title
