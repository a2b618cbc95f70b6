from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Customer service")
    MARKETING = "marketing", _("Marketing")
    PURCHASING = "purchasing", _("Purchasing")
    WAREHOUSE = "warehouse", _("Warehouse")
    FINANCE = "finance", _("Finance")


class TaxpayerType(models.TextChoices):
    GENERAL = "general", _("General taxpayer")
    SMALL_SCALE = "small_scale", _("Small-scale taxpayer")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    STATE = "state", _("State changed")
    DELETE = "delete", _("Deleted")
