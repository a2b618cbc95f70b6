from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "suanpan.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self) -> None:
        from suanpan.inventory.checks import VOUCHERED_SOURCES

        # Receipts and returns post 1405 with their stock moves: verify ties each to its own voucher.
        VOUCHERED_SOURCES.update({"purchasing.receipt", "purchasing.return"})

        from suanpan.purchasing import reorder

        reorder.register()  # open orders, last suppliers and draft orders for inventory's reorder suggestions
