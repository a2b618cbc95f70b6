from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from suanpan.core.models import OrgScoped
from suanpan.core.validators import validate_phone


class Warehouse(OrgScoped):
    """A warehouse or a store (门店) that holds stock."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    is_store = models.BooleanField(_("store"), default=False, help_text=_("A shop that sells to walk-in customers."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="warehouse_code_unique")]

    def __str__(self) -> str:
        return self.name
