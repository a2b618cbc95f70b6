from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "suanpan.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from suanpan.accounting.closing import register_close_check
        from suanpan.finance.checks import payables_close_check, receivables_close_check

        register_close_check(payables_close_check)
        register_close_check(receivables_close_check)
