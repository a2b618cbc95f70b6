from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class PartnerRole(models.TextChoices):
    """Which list a partner is created from; a partner can be both customer and supplier."""

    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")


class TagColor(models.TextChoices):
    """Bootstrap's colour names, so a tag renders as a badge of that colour."""

    BLUE = "primary", _("Blue")
    GREY = "secondary", _("Grey")
    GREEN = "success", _("Green")
    RED = "danger", _("Red")
    YELLOW = "warning", _("Yellow")
    CYAN = "info", _("Cyan")
    BLACK = "dark", _("Black")
