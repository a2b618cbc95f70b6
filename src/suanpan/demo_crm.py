"""The demo's CRM: leads from every channel, follow-ups with next steps due today, the customer pool,
opportunities in every stage (some won and lost), quotes (one revised, two turned into orders), contracts with
payment plans, segments and a rule-based tag. Each area's own module makes its part; this one puts them in order
(leads convert into customers and opportunities; quotes need the sales price list; follow-ups come last so that
"my day" has something due). Loaded once: an organization that has leads already is left as it is."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.crm.contract_demo import load_contracts
from suanpan.crm.followup_demo import load_followups
from suanpan.crm.lead_demo import load_leads
from suanpan.crm.models import Lead
from suanpan.crm.opportunity_demo import load_opportunities
from suanpan.crm.setup import channels_ensure, stages_ensure


def load_crm(org: Organization, users: dict[str, User]) -> None:
    if Lead.objects.filter(organization=org).exists():
        return
    today = timezone.localdate()
    channels_ensure(org)
    stages_ensure(org)
    load_leads(org, users, today)
    load_opportunities(org, users, today)
    load_contracts(org, users, today)
    load_followups(org, users, today)
