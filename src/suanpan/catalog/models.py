from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from suanpan.core.models import OrgScoped
from suanpan.core.money import PriceField, QuantityField


class Unit(OrgScoped):
    """A unit of measure (个, 箱, 千克…)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=20)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return self.name


class Category(OrgScoped):
    """A product category; categories form a tree."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="category_code_unique"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="category_not_own_parent",
                violation_error_message=_("A category cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        names: list[str] = []
        node: Category | None = self
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class VatRate(OrgScoped):
    """A VAT rate a product can carry: 13/9/6/5/3/1/0 % are seeded for every organization."""

    name = models.CharField(_("name"), max_length=30)
    rate = models.DecimalField(
        _("rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("As a fraction: 0.13 for 13%."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["-rate", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="vatrate_name_unique"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=1),
                name="vatrate_rate_range",
                violation_error_message=_("A VAT rate lies between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


class Product(OrgScoped):
    """Goods (stocked) or a service the business buys or sells."""

    code = models.CharField(_("code"), max_length=40, help_text=_("SKU"))
    name = models.CharField(_("name"), max_length=200)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    barcode = models.CharField(_("barcode"), max_length=40, blank=True)
    is_stocked = models.BooleanField(
        _("stocked goods"), default=True, help_text=_("Untick for services and other items without stock.")
    )
    sale_price = PriceField(
        _("sale price (incl. VAT)"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    purchase_price = PriceField(
        _("purchase price (incl. VAT)"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    vat_rate = models.ForeignKey(VatRate, verbose_name=_("VAT rate"), on_delete=models.PROTECT, related_name="+")
    is_batch_tracked = models.BooleanField(_("batch tracked"), default=False)
    min_stock = QuantityField(_("minimum stock"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    max_stock = QuantityField(_("maximum stock"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="product_code_unique"),
            models.CheckConstraint(
                condition=Q(sale_price__gte=0),
                name="product_sale_price_nonnegative",
                violation_error_message=_("The sale price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(purchase_price__gte=0),
                name="product_purchase_price_nonnegative",
                violation_error_message=_("The purchase price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(min_stock__gte=0) & Q(max_stock__gte=0),
                name="product_minmax_nonnegative",
                violation_error_message=_("Minimum and maximum stock cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        """Cross-field rule, reported with the field errors by full_clean."""
        if (
            isinstance(self.min_stock, Decimal)
            and isinstance(self.max_stock, Decimal)
            and self.max_stock
            and self.max_stock < self.min_stock
        ):
            raise ValidationError({"max_stock": _("The maximum stock must not be below the minimum stock.")})
