"""Excel import of customers and suppliers (registered in PartnersConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core import importing as im
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.types import Actor
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create


def _user(_org: Organization, raw: str) -> User | None:
    if not raw:
        return None
    user = User.objects.filter(username=raw).first()
    if user is None:
        raise im.CellError(_("No user “%(raw)s”.") % {"raw": raw})
    return user


COLUMNS = (
    im.Column("code", "编码", im.text(30), example="C00101"),
    im.Column("name", "名称", im.text(200), required=True, example="北京星河科技有限公司"),
    im.Column("short_name", "简称", im.text(60), example="星河科技"),
    im.Column("kind", "类型", im.choice({"公司": "company", "个人": "person"}), example="公司"),
    im.Column("credit_code", "统一社会信用代码", im.text(18), example="91110000100017643K"),
    im.Column("phone", "电话", im.text(40), example="010-88886666"),
    im.Column("email", "邮箱", im.text(254), example="info@example.cn"),
    im.Column("province", "省份", im.text(30), example="北京"),
    im.Column("city", "城市", im.text(30), example="北京市"),
    im.Column("address", "地址", im.text(300), example="朝阳区建国路88号"),
    im.Column("owner", "负责人", _user, example="sales"),
    im.Column("tags", "标签", im.names, example="重点客户，经销商"),
    im.Column("credit_limit", "信用额度", im.decimal, example="50000"),
    im.Column("payment_terms_days", "账期天数", im.integer, example="30"),
    im.Column("bank_name", "开户银行", im.text(100), example="中国工商银行北京分行"),
    im.Column("bank_account", "银行账号", im.text(40), example="6222000011112222"),
    im.Column("notes", "备注", im.text(2000)),
)


def _creator(role: PartnerRole) -> Any:
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
