from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from suanpan.accounting.models import Account, Period, Voucher
from suanpan.core.exceptions import DomainError
from suanpan.core.models import Organization
from suanpan.core.records import get_scoped


def account_list(*, organization: Organization) -> QuerySet[Account]:
    return Account.objects.filter(organization=organization).select_related("parent")


def account_get(*, organization: Organization, pk: object) -> Account:
    return get_scoped(Account, organization=organization, pk=pk)


def account_by_code(*, organization: Organization, code: str) -> Account:
    """The account with this code; a refusal naming the code when the chart has none (a program-made voucher
    posts to fixed codes such as 1405 or 3103)."""
    account = Account.objects.filter(organization=organization, code=code).first()
    if account is None:
        raise DomainError(_("The chart of accounts has no account %(code)s.") % {"code": code}, field="account")
    return account


def postable_accounts(*, organization: Organization) -> QuerySet[Account]:
    """Active accounts without sub-accounts: the ones lines may post to."""
    return Account.objects.filter(organization=organization, is_active=True, children__isnull=True)


def period_list(*, organization: Organization) -> QuerySet[Period]:
    return Period.objects.filter(organization=organization)


def period_for(*, organization: Organization, on: datetime.date) -> Period | None:
    return Period.objects.filter(organization=organization, year=on.year, month=on.month).first()


def voucher_list(*, organization: Organization) -> QuerySet[Voucher]:
    return Voucher.objects.filter(organization=organization).select_related("period", "maker", "reviewer", "poster")


def voucher_get(*, organization: Organization, pk: object) -> Voucher:
    return get_scoped(Voucher, organization=organization, pk=pk)
