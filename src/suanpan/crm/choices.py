"""States and kinds of CRM records."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suanpan.core.documents import Workflow


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead", "New")
    CONTACTING = "contacting", _("Contacting")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    INVALID = "invalid", _("Invalid")


LEAD_FLOW = Workflow(
    [
        (LeadStatus.NEW, LeadStatus.CONTACTING),
        (LeadStatus.NEW, LeadStatus.QUALIFIED),
        (LeadStatus.NEW, LeadStatus.CONVERTED),
        (LeadStatus.NEW, LeadStatus.INVALID),
        (LeadStatus.CONTACTING, LeadStatus.QUALIFIED),
        (LeadStatus.CONTACTING, LeadStatus.CONVERTED),
        (LeadStatus.CONTACTING, LeadStatus.INVALID),
        (LeadStatus.QUALIFIED, LeadStatus.CONVERTED),
        (LeadStatus.QUALIFIED, LeadStatus.INVALID),
        (LeadStatus.INVALID, LeadStatus.CONTACTING),  # reopened
    ],
    labels=dict(LeadStatus.choices),
)


class FollowUpKind(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", pgettext_lazy("follow-up", "E-mail")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")


class PoolAction(models.TextChoices):
    RELEASED = "released", _("Released to the pool")
    RECLAIMED = "reclaimed", _("Returned to the pool (no follow-up)")
    CLAIMED = "claimed", _("Claimed")
    ASSIGNED = "assigned", _("Assigned")


class StageKind(models.TextChoices):
    OPEN = "open", pgettext_lazy("stage", "Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", pgettext_lazy("quote", "Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")
    ORDERED = "ordered", pgettext_lazy("quote", "Ordered")


QUOTE_FLOW = Workflow(
    [
        (QuoteStatus.DRAFT, QuoteStatus.SENT),
        (QuoteStatus.DRAFT, QuoteStatus.ACCEPTED),
        (QuoteStatus.DRAFT, QuoteStatus.SUPERSEDED),
        (QuoteStatus.SENT, QuoteStatus.ACCEPTED),
        (QuoteStatus.SENT, QuoteStatus.REJECTED),
        (QuoteStatus.SENT, QuoteStatus.SUPERSEDED),
        (QuoteStatus.REJECTED, QuoteStatus.SUPERSEDED),
        (QuoteStatus.ACCEPTED, QuoteStatus.ORDERED),
    ],
    labels=dict(QuoteStatus.choices),
)


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


CONTRACT_FLOW = Workflow(
    [
        (ContractStatus.DRAFT, ContractStatus.ACTIVE),
        (ContractStatus.DRAFT, ContractStatus.TERMINATED),
        (ContractStatus.ACTIVE, ContractStatus.COMPLETED),
        (ContractStatus.ACTIVE, ContractStatus.TERMINATED),
    ],
    labels=dict(ContractStatus.choices),
)


class RfmClass(models.TextChoices):
    HIGH_VALUE = "high_value", _("High value")
    POTENTIAL = "potential", _("Potential")
    CHURN_RISK = "churn_risk", _("Churn risk")
    GENERAL = "general", _("General")
