from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suanpan.core.models import OrgScoped
from suanpan.core.money import MoneyField
from suanpan.core.validators import validate_credit_code, validate_phone
from suanpan.partners.choices import PartnerKind, TagColor


class Tag(OrgScoped):
    name = models.CharField(_("name"), max_length=40)
    color = models.CharField(_("colour"), max_length=20, choices=TagColor.choices, default=TagColor.GREY)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="tag_name_unique")]

    def __str__(self) -> str:
        return self.name


class Partner(OrgScoped):
    """A customer and/or supplier: a company or a person the business trades with."""

    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    kind = models.CharField(_("type"), max_length=10, choices=PartnerKind.choices, default=PartnerKind.COMPANY)
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (sales rep)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="partners")
    credit_limit = MoneyField(
        _("credit limit"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 means no credit: every order must be paid in advance."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(3650)]
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="partner_code_unique"),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0),
                name="partner_credit_limit_nonnegative",
                violation_error_message=_("The credit limit cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(is_customer=True) | Q(is_supplier=True),
                name="partner_is_customer_or_supplier",
                violation_error_message=_("A partner must be a customer, a supplier or both."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "is_customer", "code"], name="partner_customer_idx"),
            models.Index(fields=["organization", "is_supplier", "code"], name="partner_supplier_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contact(OrgScoped):
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, validators=[validate_phone])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name
