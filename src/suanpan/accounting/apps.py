from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "suanpan.accounting"
    label = "accounting"
    verbose_name = _("Accounting")

    def ready(self) -> None:
        from suanpan.accounting.importers import OPENING_BALANCES
        from suanpan.core.importing import register

        register(OPENING_BALANCES)
