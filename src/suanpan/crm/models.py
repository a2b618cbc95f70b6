"""CRM records: leads, follow-ups, the customer pool, opportunities, quotes, contracts, segments.

Customers and contacts are `partners.Partner`/`Contact` (one record for CRM and ERP); a customer with no owner is
in the pool (公海). Quotes become `sales.SalesOrder`s; contracts link orders. Follow-ups and stage changes are
history: they are added, never rewritten.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suanpan.core.models import Organization, OrgScoped
from suanpan.core.money import MoneyField, PriceField, QuantityField
from suanpan.core.validators import validate_credit_code, validate_phone
from suanpan.crm.choices import ContractStatus, FollowUpKind, LeadStatus, PoolAction, QuoteStatus, StageKind

USER = settings.AUTH_USER_MODEL
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class CrmSettings(models.Model):
    """One organization's CRM rules."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="crm_settings")
    pool_return_days = models.PositiveSmallIntegerField(
        _("return to the pool after (days without follow-up)"),
        default=30,
        validators=[MaxValueValidator(3650)],
        help_text=_("0: customers never return to the pool by themselves."),
    )
    claim_limit = models.PositiveSmallIntegerField(
        _("customers a rep may own"),
        default=0,
        validators=[MaxValueValidator(10000)],
        help_text=_("0: no limit. Claiming from the pool stops at this number."),
    )
    churn_multiple = models.DecimalField(
        _("churn warning at × usual interval"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("20"))],
    )
    contract_expiry_days = models.PositiveSmallIntegerField(
        _("remind of contract expiry (days before)"), default=30, validators=[MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")

    def __str__(self) -> str:
        return f"CRM settings of {self.organization_id}"


class Channel(OrgScoped):
    """Where leads come from (线索来源): exhibition, website, referral, WeChat, Douyin, phone …"""

    name = models.CharField(_("name"), max_length=40)
    seq = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead channel")
        verbose_name_plural = _("lead channels")
        ordering = ["seq", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="channel_name_unique")]

    def __str__(self) -> str:
        return self.name


class Lead(OrgScoped):
    number = models.CharField(_("number"), max_length=40)
    company = models.CharField(_("company"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, validators=[validate_phone])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, null=True, blank=True, related_name="leads"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    invalid_reason = models.CharField(_("reason invalid"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    customer = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opportunity = models.ForeignKey(
        "crm.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="lead_number_unique"),
            models.CheckConstraint(
                condition=~Q(company="", contact_name=""),
                name="lead_has_a_name",
                violation_error_message=_("A lead needs a company or a contact name."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner", "status"], name="lead_owner_idx"),
            models.Index(fields=["organization", "mobile"], name="lead_mobile_idx"),
            models.Index(fields=["organization", "credit_code"], name="lead_credit_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.company or self.contact_name}"

    @property
    def display_name(self) -> str:
        return self.company or self.contact_name


class AssignmentRule(OrgScoped):
    """New leads without an owner go round-robin to the assignees of the first matching rule (lowest `seq`): a rule
    with a province takes that province's leads; one without takes the rest."""

    name = models.CharField(_("name"), max_length=60)
    seq = models.PositiveSmallIntegerField(_("order"), default=0)
    province = models.CharField(_("province"), max_length=30, blank=True, help_text=_("Empty: any region."))
    assignees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, verbose_name=_("assignees"), related_name="+"
    )
    last_assigned = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["seq", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(OrgScoped):
    """An opportunity stage; the default set: 初步接洽 → 需求确认 → 方案报价 → 谈判 → 赢单 / 输单."""

    name = models.CharField(_("name"), max_length=40)
    seq = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.DecimalField(
        _("probability (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["seq", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="stage_name_unique")]

    def __str__(self) -> str:
        return self.name


class Opportunity(OrgScoped):
    number = models.CharField(_("number"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "partners.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    amount = MoneyField(_("expected amount"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    expected_close_on = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.DecimalField(
        _("probability (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    products = models.ManyToManyField(
        "catalog.Product", verbose_name=_("products of interest"), blank=True, related_name="+"
    )
    competitors = models.CharField(_("competitors"), max_length=300, blank=True)
    loss_reason = models.CharField(_("loss reason"), max_length=300, blank=True)
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="opportunity_number_unique"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="opportunity_amount_nonnegative",
                violation_error_message=_("The expected amount cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "owner", "stage"], name="opportunity_owner_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class StageChange(OrgScoped):
    """An opportunity entered a stage (the first row: it was created in it). Never rewritten: the funnel's days
    in stage are measured from these."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["entered_at", "id"]
        indexes = [models.Index(fields=["organization", "entered_at"], name="stagechange_time_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class FollowUp(OrgScoped):
    """One interaction (跟进记录) with a lead, a customer or an opportunity, and the next step it sets.

    The next step is open until another follow-up on the same subject is logged (`next_done_at`); the reminder
    job tells `user` about open next steps due today or overdue, once a day (`reminded_on`).
    """

    kind = models.CharField(_("type"), max_length=10, choices=FollowUpKind.choices, default=FollowUpKind.CALL)
    content = models.TextField(_("content"))
    happened_at = models.DateTimeField(_("time"), default=timezone.now)
    next_on = models.DateField(_("next follow-up"), null=True, blank=True)
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_done_at = models.DateTimeField(_("next step done at"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    customer = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    user = models.ForeignKey(USER, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-happened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False) | Q(customer__isnull=False) | Q(opportunity__isnull=False),
                name="followup_has_a_subject",
                violation_error_message=_("A follow-up is about a lead, a customer or an opportunity."),
            )
        ]
        indexes = [
            models.Index(fields=["organization", "user", "next_on"], name="followup_due_idx"),
            models.Index(fields=["organization", "customer", "happened_at"], name="followup_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


class PoolEvent(OrgScoped):
    """A customer left or entered the pool (公海). History, never rewritten."""

    customer = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=PoolAction.choices)
    previous_owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    new_owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "customer", "created_at"], name="poolevent_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.action}"


class Quote(OrgScoped):
    """A quote (报价单). Revising a sent quote makes the next version (same `number`, `version` + 1) and supersedes
    the old one; an accepted quote becomes one sales order with the same lines."""

    number = models.CharField(_("number"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", verbose_name=_("previous version"), on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "partners.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    price_list = models.ForeignKey(
        "sales.PriceList",
        verbose_name=_("price list"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = MoneyField(_("amount excl. VAT"), default=Decimal("0"))
    tax = MoneyField(_("VAT"), default=Decimal("0"))
    total = MoneyField(_("total"), default=Decimal("0"))
    terms = models.TextField(_("terms"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sales_order = models.OneToOneField(
        "sales.SalesOrder",
        verbose_name=_("sales order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote",
    )
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number", "version"], name="quote_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("date")),
                name="quote_valid_after_date",
                violation_error_message=_("A quote cannot expire before its date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}-V{self.version}" if self.version > 1 else self.number


class QuoteLine(OrgScoped):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = QuantityField(_("quantity"))
    list_price = PriceField(_("list price excl. VAT"), default=Decimal("0"))
    discount_rate = models.DecimalField(_("discount"), max_digits=5, decimal_places=4, default=Decimal("0"))
    unit_price = PriceField(_("unit price excl. VAT"))
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    amount = MoneyField(_("amount excl. VAT"))
    tax = MoneyField(_("VAT"))
    total = MoneyField(_("total"))

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "seq"], name="quoteline_seq_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quoteline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}#{self.seq}"


class Contract(OrgScoped):
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(pgettext_lazy("contract", "title"), max_length=200)
    customer = models.ForeignKey(
        "partners.Partner", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = MoneyField(_("contract amount"), validators=[MinValueValidator(Decimal("0"))])
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_on = models.DateField(_("starts"))
    end_on = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    orders = models.ManyToManyField(
        "sales.SalesOrder", verbose_name=_("linked orders"), blank=True, related_name="contracts"
    )
    expiry_notified_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="contract_number_unique"),
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")),
                name="contract_ends_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ContractMilestone(OrgScoped):
    """One payment of a contract's plan: what is due when."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("line"))
    name = models.CharField(_("milestone"), max_length=100)
    due_on = models.DateField(_("due"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "seq"], name="milestone_seq_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ContractAttachment(OrgScoped):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="contracts/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Segment(OrgScoped):
    """A saved customer filter (region, industry, tags, RFM class, last purchase, owner), for lists and campaigns.
    `filters` holds the same keys the segment form and API take (see `crm.segments`)."""

    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="segment_name_unique")]

    def __str__(self) -> str:
        return self.name


class TagRule(OrgScoped):
    """A rule-based tag: the scheduled job gives `tag` to the customers matching `filters` (segment filters) and
    takes it from those that no longer match."""

    tag = models.OneToOneField("partners.Tag", verbose_name=_("tag"), on_delete=models.CASCADE, related_name="rule")
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("tag rule")
        verbose_name_plural = _("tag rules")

    def __str__(self) -> str:
        return str(self.tag)
