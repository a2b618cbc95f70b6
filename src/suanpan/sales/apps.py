from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "suanpan.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from suanpan.inventory.checks import VOUCHERED_SOURCES

        # Deliveries and returns post 1405 with their stock moves: verify ties each to its own voucher.
        VOUCHERED_SOURCES.update({"sales.delivery", "sales.return"})
