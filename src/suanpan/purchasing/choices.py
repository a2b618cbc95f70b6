"""States of purchase orders and their allowed transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suanpan.core.documents import Workflow


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_FLOW = Workflow(
    [
        (OrderStatus.DRAFT, OrderStatus.APPROVED),
        (OrderStatus.DRAFT, OrderStatus.CANCELLED),
        (OrderStatus.APPROVED, OrderStatus.CANCELLED),  # only while nothing was received
        (OrderStatus.APPROVED, OrderStatus.PARTIALLY_RECEIVED),
        (OrderStatus.APPROVED, OrderStatus.RECEIVED),
        (OrderStatus.PARTIALLY_RECEIVED, OrderStatus.PARTIALLY_RECEIVED),
        (OrderStatus.PARTIALLY_RECEIVED, OrderStatus.RECEIVED),
        (OrderStatus.PARTIALLY_RECEIVED, OrderStatus.CLOSED),  # the rest will not come
        (OrderStatus.RECEIVED, OrderStatus.CLOSED),
    ],
    labels={s.value: str(s.label) for s in OrderStatus},
)

# States in which goods may be received against the order.
RECEIVABLE_STATES = frozenset({OrderStatus.APPROVED, OrderStatus.PARTIALLY_RECEIVED})
