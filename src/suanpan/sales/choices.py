"""States of sales documents and their allowed transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suanpan.core.documents import Workflow


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIALLY_DELIVERED = "partially_delivered", _("Partially delivered")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_FLOW = Workflow(
    [
        (OrderStatus.DRAFT, OrderStatus.CONFIRMED),  # reserves the stock
        (OrderStatus.DRAFT, OrderStatus.CANCELLED),
        (OrderStatus.CONFIRMED, OrderStatus.DRAFT),  # unconfirm while nothing was delivered: releases the stock
        (OrderStatus.CONFIRMED, OrderStatus.CANCELLED),  # only while nothing was delivered; releases the stock
        (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED),
        (OrderStatus.CONFIRMED, OrderStatus.DELIVERED),
        (OrderStatus.PARTIALLY_DELIVERED, OrderStatus.PARTIALLY_DELIVERED),
        (OrderStatus.PARTIALLY_DELIVERED, OrderStatus.DELIVERED),
        (OrderStatus.PARTIALLY_DELIVERED, OrderStatus.CLOSED),  # the rest will not be delivered: releases it
        (OrderStatus.DELIVERED, OrderStatus.CLOSED),
    ],
    labels={s.value: str(s.label) for s in OrderStatus},
)

# States in which an order holds reservations and goods may be delivered against it.
DELIVERABLE_STATES = frozenset({OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED})


class Progress(models.TextChoices):
    """Invoice and payment progress of an order, shown beside its delivery state."""

    NONE = "none", _("None")
    PARTIAL = "partial", _("Partial")
    FULL = "full", _("Full")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note (red invoice)")


class InvoiceType(models.TextChoices):
    """数电发票 types (全面数字化的电子发票)."""

    NORMAL = "normal", _("E-invoice, ordinary (数电普票)")
    SPECIAL = "special", _("E-invoice, VAT special (数电专票)")


class EInvoiceStatus(models.TextChoices):
    """Where the 数电发票 stands at the tax bureau; issuing and filing belong to finance."""

    NOT_ISSUED = "not_issued", _("Not issued")
    ISSUED = "issued", _("Issued")
    RED_CONFIRMED = "red_confirmed", _("Red-letter confirmed")
