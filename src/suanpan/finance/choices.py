"""Kinds of open items and payments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpenItemKind(models.TextChoices):
    """What an open item is. The amount's sign is from the business's side of the item: a payable of +100 is owed
    to the supplier, −100 is a credit the supplier owes back (a return) that write-off nets against payables; a
    prepayment of +100 is an advance the supplier still has to deliver against. Likewise a receivable of +100 is
    owed by the customer, −100 a credit note write-off nets against receivables, and an advance receipt (预收) of
    +100 is money the customer paid before being invoiced."""

    PAYABLE = "payable", _("Payable")
    PREPAYMENT = "prepayment", _("Prepayment")
    RECEIVABLE = "receivable", _("Receivable")
    ADVANCE_RECEIPT = "advance_receipt", _("Advance receipt")


# The control account of each kind: the GL balance of the account equals Σ open amounts of its items.
CONTROL_ACCOUNT = {
    OpenItemKind.PAYABLE: "2202",
    OpenItemKind.PREPAYMENT: "1123",
    OpenItemKind.RECEIVABLE: "1122",
    OpenItemKind.ADVANCE_RECEIPT: "2203",
}


class PaymentKind(models.TextChoices):
    SUPPLIER_PAYMENT = "supplier_payment", _("Supplier payment")
    PREPAYMENT_APPLICATION = "prepayment_application", _("Prepayment applied")
    CUSTOMER_RECEIPT = "customer_receipt", _("Customer receipt")
    ADVANCE_RECEIPT_APPLICATION = "advance_receipt_application", _("Advance receipt applied")


# Which payments belong to which ledger: the payables pages list the first, the receivables pages the second.
SUPPLIER_PAYMENT_KINDS = (PaymentKind.SUPPLIER_PAYMENT, PaymentKind.PREPAYMENT_APPLICATION)
CUSTOMER_RECEIPT_KINDS = (PaymentKind.CUSTOMER_RECEIPT, PaymentKind.ADVANCE_RECEIPT_APPLICATION)


# The cash-flow item a supplier payment is tagged with by default: 购买原材料、商品、接受劳务支付的现金.
SUPPLIER_PAYMENT_CASH_FLOW = "3"

# The cash-flow item a customer receipt is tagged with by default: 销售产成品、商品、提供劳务收到的现金.
CUSTOMER_RECEIPT_CASH_FLOW = "1"
