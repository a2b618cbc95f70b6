"""The accounts documents of purchasing and finance post to (receipts, returns, payments).

Their vouchers are made, reviewed by the system on behalf of the document and posted through
`accounting.services.document_voucher_post`, in the document's transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from suanpan.accounting.models import Account
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization


def account(organization: Organization, code: str) -> Account:
    """A postable account of the chart by code; a clear error if the organization split it into sub-accounts."""
    found = Account.objects.filter(organization=organization, code=code).first()
    if found is None or not found.is_active or found.children.exists():
        raise InvalidInput.single(
            None,
            _("Account %(code)s is missing, inactive or has sub-accounts; documents post to %(code)s itself.")
            % {"code": code},
        )
    return found
