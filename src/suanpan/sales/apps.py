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

        from suanpan.finance import checks as finance_checks

        # Invoices and credit notes post 1122 with their receivable items: verify ties the control account to them.
        receivable_sources = getattr(finance_checks, "RECEIVABLE_SOURCES", None)
        if receivable_sources is not None:
            receivable_sources.update({"sales.invoice"})

        from suanpan.finance.signals import receivables_settled

        receivables_settled.connect(_follow_payment_progress, dispatch_uid="sales.payment_progress")


def _follow_payment_progress(sender: object, *, organization: object, partner: object, **kwargs: object) -> None:
    """A receipt settled some of the customer's receivables: its orders' payment progress follows, in the same
    transaction."""
    from suanpan.sales.invoicing import refresh_payment_progress

    refresh_payment_progress(organization=organization, customer=partner)  # type: ignore[arg-type]
