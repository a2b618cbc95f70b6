"""Excel import of customers and suppliers (registered in PartnersConfig.ready).

One column list serves both: the kind decides the role the partner is created with, and so the permission
checked (change customers / change suppliers). Every row goes through `partner_create`, the same service
the forms and the API use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core import importing as im
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import P
from suanpan.core.types import Actor
from suanpan.partners.choices import PartnerKind, PartnerRole
from suanpan.partners.models import Tag
from suanpan.partners.services import partner_create

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length or 40


def _member(ctx: im.Context, raw: str) -> User | None:
    """A member of this organization, by username or by full name (users of other organizations stay unseen)."""
    if not raw:
        return None
    if ("members", "") not in ctx.cache:
        ctx.cache["members", ""] = [
            m.user
            for m in Membership.objects.filter(organization=ctx.organization, is_active=True).select_related("user")
        ]
    members: list[User] = ctx.cache["members", ""]
    found = [u for u in members if u.get_username() == raw] or [u for u in members if u.get_full_name() == raw]
    if len(found) > 1:
        raise im.CellError(_("Several members are called “%(raw)s”; use the username.") % {"raw": raw})
    if not found:
        raise im.CellError(_("No member “%(raw)s” in this organization.") % {"raw": raw})
    return found[0]


COLUMNS = (
    im.Column("code", "编码", im.text(30), example="C10001", hint=gettext_lazy("Left blank: numbered automatically.")),
    im.Column("name", "名称", im.text(200), required=True, example="北京星河科技有限公司"),
    im.Column("short_name", "简称", im.text(60), example="星河科技"),
    im.Column(
        "kind",
        "类型",
        im.choice({"公司": PartnerKind.COMPANY, "个人": PartnerKind.PERSON}),
        example="公司",
        hint=gettext_lazy("公司 (company) or 个人 (person); blank means company."),
    ),
    im.Column(
        "credit_code",
        "统一社会信用代码",
        im.text(18),
        example="91110000100017643K",
        hint=gettext_lazy("18 characters; the check character is verified."),
    ),
    im.Column("phone", "电话", im.text(40), example="010-88886666"),
    im.Column("email", "邮箱", im.text(254), example="info@example.cn"),
    im.Column("province", "省份", im.text(30), example="北京"),
    im.Column("city", "城市", im.text(30), example="北京市"),
    im.Column("address", "地址", im.text(300), example="朝阳区建国路88号"),
    im.Column(
        "owner",
        "负责人",
        _member,
        hint=gettext_lazy("Username or full name of a member of this organization."),
    ),
    im.Column(
        "tags",
        "标签",
        im.names(TAG_MAX_LENGTH),
        example="重点客户，经销商",
        hint=gettext_lazy("Separated by commas or 、; new tags are created."),
    ),
    im.Column(
        "credit_limit",
        "信用额度",
        im.decimal,
        example="50000",
        hint=gettext_lazy("Amount in yuan, not negative; 0 means no credit."),
    ),
    im.Column(
        "payment_terms_days",
        "账期天数",
        im.integer,
        example="30",
        hint=gettext_lazy("Whole days, 0 to 3650; blank means 30."),
    ),
    im.Column("bank_name", "开户银行", im.text(100), example="中国工商银行北京分行"),
    im.Column(
        "bank_account",
        "银行账号",
        im.text(40),
        example="6222000011112222",
        hint=gettext_lazy("Format the column as text in Excel: long numbers lose digits."),
    ),
    im.Column("notes", "备注", im.text(2000)),
)


def _creator(role: PartnerRole) -> Callable[[Organization, Actor | None, dict[str, Any]], models.Model]:
    def create(organization: Organization, actor: Actor | None, data: dict[str, Any]) -> models.Model:
        data = dict(data)
        tags = data.pop("tags", None)
        return partner_create(organization=organization, actor=actor, role=role, data=data, tags=tags)

    return create


CUSTOMERS = im.Importer(
    kind="customers",
    title=gettext_lazy("Customers"),
    permission=P.CHANGE_CUSTOMER,
    columns=COLUMNS,
    create=_creator(PartnerRole.CUSTOMER),
)
SUPPLIERS = im.Importer(
    kind="suppliers",
    title=gettext_lazy("Suppliers"),
    permission=P.CHANGE_SUPPLIER,
    columns=COLUMNS,
    create=_creator(PartnerRole.SUPPLIER),
)
