"""Kinds of open items and payments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpenItemKind(models.TextChoices):
    """What an open item is. The amount's sign is from the business's side of the item: a payable of +100 is owed
    to the supplier, −100 is a credit the supplier owes back (a return) that write-off nets against payables; a
    prepayment of +100 is an advance the supplier still has to deliver against."""

    PAYABLE = "payable", _("Payable")
    PREPAYMENT = "prepayment", _("Prepayment")
    RECEIVABLE = "receivable", _("Receivable")


# The control account of each kind: the GL balance of the account equals Σ open amounts of its items.
CONTROL_ACCOUNT = {OpenItemKind.PAYABLE: "2202", OpenItemKind.PREPAYMENT: "1123", OpenItemKind.RECEIVABLE: "1122"}


class PaymentKind(models.TextChoices):
    SUPPLIER_PAYMENT = "supplier_payment", _("Supplier payment")
    PREPAYMENT_APPLICATION = "prepayment_application", _("Prepayment applied")


# The cash-flow item a supplier payment is tagged with by default: 购买原材料、商品、接受劳务支付的现金.
SUPPLIER_PAYMENT_CASH_FLOW = "3"
