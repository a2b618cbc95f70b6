from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    OWNER = "owner", pgettext_lazy("role", "Owner")
    ADMIN = "admin", _("Administrator")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Customer service")
    MARKETING = "marketing", _("Marketing")
    PURCHASING = "purchasing", _("Purchasing")
    WAREHOUSE = "warehouse", pgettext_lazy("role", "Warehouse")
    FINANCE = "finance", _("Finance")


class TaxpayerType(models.TextChoices):
    GENERAL = "general", _("General taxpayer")
    SMALL_SCALE = "small_scale", _("Small-scale taxpayer")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    STATE = "state", _("State changed")
    DELETE = "delete", _("Deleted")


class CostingMethod(models.TextChoices):
    """How outgoing stock is valued (存货发出计价方法), chosen per organization."""

    MOVING_AVERAGE = "moving_average", _("Moving weighted average")
    MONTHLY_AVERAGE = "monthly_average", _("Monthly weighted average")


class DataScope(models.TextChoices):
    """Whose customers, leads and opportunities a member sees (数据权限). Empty on a membership = by its roles."""

    OWN = "own", _("Own records")
    TEAM = "team", _("Team's records")
    ALL = "all", _("All records")
