"""Kinds of stock moves and the states of inventory documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suanpan.core.documents import Workflow


class MoveKind(models.TextChoices):
    """Why stock moved. The sign of a move's quantity says the direction; the kind says the reason."""

    OPENING = "opening", _("Opening stock")
    RECEIPT = "receipt", _("Purchase receipt")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    DELIVERY = "delivery", _("Sales delivery")
    SALES_RETURN = "sales_return", _("Sales return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    STOCKTAKE_GAIN = "stocktake_gain", _("Stocktake gain")
    STOCKTAKE_LOSS = "stocktake_loss", _("Stocktake loss")
    ADJUSTMENT = "adjustment", _("Adjustment")


# Kinds whose moves bring stock in at a cost of their own (the others take the cost pool's average).
COSTED_IN_KINDS = frozenset({MoveKind.OPENING, MoveKind.RECEIPT, MoveKind.SALES_RETURN, MoveKind.TRANSFER_IN})
TRANSFER_KINDS = frozenset({MoveKind.TRANSFER_OUT, MoveKind.TRANSFER_IN})


# Transfers (调拨) and stocktakes (盘点) ----------------------------------------------------------------------


class TransferStatus(models.TextChoices):
    """A transfer leaves its source when shipped (goods in transit) and enters its destination when received."""

    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


TRANSFER_FLOW = Workflow(
    [
        (TransferStatus.DRAFT, TransferStatus.SHIPPED),
        (TransferStatus.SHIPPED, TransferStatus.RECEIVED),
        (TransferStatus.DRAFT, TransferStatus.CANCELLED),
    ],
    labels={s.value: str(s.label) for s in TransferStatus},
)


class StocktakeStatus(models.TextChoices):
    """Started (book quantities frozen, counts being entered) → submitted → approved → posted; or cancelled."""

    COUNTING = "counting", _("Counting")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


STOCKTAKE_FLOW = Workflow(
    [
        (StocktakeStatus.COUNTING, StocktakeStatus.SUBMITTED),
        (StocktakeStatus.SUBMITTED, StocktakeStatus.COUNTING),
        (StocktakeStatus.SUBMITTED, StocktakeStatus.APPROVED),
        (StocktakeStatus.APPROVED, StocktakeStatus.POSTED),
        (StocktakeStatus.COUNTING, StocktakeStatus.CANCELLED),
        (StocktakeStatus.SUBMITTED, StocktakeStatus.CANCELLED),
    ],
    labels={s.value: str(s.label) for s in StocktakeStatus},
)
