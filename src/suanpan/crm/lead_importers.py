"""Excel import of leads (a trade-show list, a purchased list, last year's spreadsheet): every row goes through
`lead_create`, so rows get numbers, owners by the assignment rules and the duplicate check — a row repeating an
existing lead or customer, or an earlier row of the same file, is an error on its column unless 允许重复 says 是.
All rows are imported or none (`core.importing`). To be registered from `CrmConfig.ready()` (`register(LEADS)`)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core import importing as im
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import P
from suanpan.core.types import Actor
from suanpan.crm.leads import lead_create


def _member_id(ctx: im.Context, raw: str) -> int | None:
    """A member of this organization by username or full name (others stay unseen)."""
    if not raw:
        return None
    if ("lead-members", "") not in ctx.cache:
        ctx.cache["lead-members", ""] = [
            m.user
            for m in Membership.objects.filter(organization=ctx.organization, is_active=True).select_related("user")
        ]
    members: list[Any] = ctx.cache["lead-members", ""]
    found = [u for u in members if u.get_username() == raw] or [u for u in members if u.get_full_name() == raw]
    if len(found) > 1:
        raise im.CellError(_("Several members are called “%(raw)s”; use the username.") % {"raw": raw})
    if not found:
        raise im.CellError(_("No member “%(raw)s” in this organization.") % {"raw": raw})
    return int(found[0].pk)


COLUMNS = (
    im.Column(
        "company", "公司", im.text(200), example="北京星河科技有限公司", hint=gettext_lazy("Company or contact.")
    ),
    im.Column("contact_name", "联系人", im.text(60), example="王伟"),
    im.Column("title", "职务", im.text(60), example="采购经理"),
    im.Column(
        "mobile",
        "手机",
        im.text(40),
        example="13800138000",
        hint=gettext_lazy("Format the column as text in Excel: long numbers lose digits."),
    ),
    im.Column("phone", "电话", im.text(40), example="010-88886666"),
    im.Column("email", "邮箱", im.text(254), example="wang@example.cn"),
    im.Column("wechat", "微信", im.text(60)),
    im.Column("credit_code", "统一社会信用代码", im.text(18), example="91110000100017643K"),
    im.Column("province", "省份", im.text(30), example="北京"),
    im.Column("city", "城市", im.text(30), example="北京"),
    im.Column("address", "地址", im.text(300)),
    im.Column("industry", "行业", im.text(60), example="软件"),
    im.Column(
        "channel",
        "来源",
        im.text(40),
        example="展会",
        hint=gettext_lazy("The name of a lead channel, e.g. 展会, 官网."),
    ),
    im.Column(
        "owner_id",
        "负责人",
        _member_id,
        hint=gettext_lazy("Username or full name; blank: by the assignment rules."),
    ),
    im.Column("notes", "备注", im.text(5000)),
    im.Column(
        "allow_duplicate",
        "允许重复",
        im.boolean,
        example="否",
        hint=gettext_lazy("是: import the row even if it repeats a lead or customer."),
    ),
)


def _create(organization: Organization, actor: Actor | None, data: dict[str, Any]) -> models.Model:
    return lead_create(organization=organization, actor=actor, data=data)


LEADS = im.Importer(
    kind="leads",
    title=gettext_lazy("Leads"),
    permission=P.CHANGE_CRM,
    columns=COLUMNS,
    create=_create,
)
