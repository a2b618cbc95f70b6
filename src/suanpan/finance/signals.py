"""Signals of the finance app for the apps above it (finance imports none of them).

`receivables_settled(organization, partner)`: sent inside the transaction of a customer receipt or of applying
advance receipts, after the write-off; sales follows up its orders' payment progress from it.
"""

from django.dispatch import Signal

receivables_settled = Signal()
