"""Excel import of opening balances (registered in AccountingConfig.ready), through core's import machinery.

Every row goes through `opening.opening_balances_save` (one row per call, each under the import's savepoint):
the whole file is imported or, if any row has a problem, nothing — and the batch report names every row and
column at fault. The template (`opening_template_workbook`) lists the organization's leaf accounts with their
current opening balances; the year-to-date columns appear only when the books start after January.
"""

from __future__ import annotations

import io
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from suanpan.accounting import opening
from suanpan.accounting.choices import Side
from suanpan.accounting.models import Account, OpeningBalance
from suanpan.core import importing as im
from suanpan.core.exceptions import FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.types import Actor

DEBIT_WORD, CREDIT_WORD = "借", "贷"


def _partner_model() -> type[models.Model]:
    return cast(type[models.Model], OpeningBalance._meta.get_field("partner").related_model)


def _partner(ctx: im.Context, raw: str) -> Any:
    return im.reference(_partner_model(), "code", "name")(ctx, raw)


COLUMNS = (
    im.Column(
        "account",
        "科目编码",
        im.reference(Account, "code"),
        required=True,
        example="1122",
        hint=gettext_lazy("Code of a leaf account (one without sub-accounts)."),
    ),
    im.Column("name", "科目名称", im.text(200), hint=gettext_lazy("For reading only; the code decides.")),
    im.Column(
        "direction",
        "方向",
        im.choice({DEBIT_WORD: Side.DEBIT, CREDIT_WORD: Side.CREDIT}),
        example=DEBIT_WORD,
        hint=gettext_lazy("借 (debit) or 贷 (credit): the side of the balance; blank means the account's own side."),
    ),
    im.Column(
        "balance",
        "期初余额",
        im.decimal,
        example="11300.00",
        hint=gettext_lazy("Amount at the start of the books, at most 2 decimal places; blank or 0 clears it."),
    ),
    im.Column(
        "partner",
        "客户/供应商编码",
        _partner,
        hint=gettext_lazy("Code (or name) of the customer or supplier; required for accounts kept by partner."),
    ),
    im.Column(
        "ytd_debit",
        "本年累计借方",
        im.decimal,
        hint=gettext_lazy("Debits so far this year before the books start (only when they start after January)."),
    ),
    im.Column(
        "ytd_credit",
        "本年累计贷方",
        im.decimal,
        hint=gettext_lazy("Credits so far this year before the books start (only when they start after January)."),
    ),
)


def _field(name: str | None) -> str | None:
    """`rows.1.balance` (the service's name for the field) → `balance` (the column's key)."""
    return name.split(".", 2)[2] if name and name.startswith("rows.") and name.count(".") >= 2 else name


def _create(organization: Organization, actor: Actor | None, data: dict[str, Any]) -> models.Model:
    account: Account = data["account"]
    amount = data.get("balance") or 0
    side = data.get("direction") or account.normal_balance
    row = {
        "account": account,
        "partner": data.get("partner"),
        "balance": amount if side == Side.DEBIT else -amount,
        "ytd_debit": data.get("ytd_debit"),
        "ytd_credit": data.get("ytd_credit"),
    }
    try:
        opening.opening_balances_save(organization=organization, actor=actor, rows=[row])
    except InvalidInput as exc:
        raise InvalidInput([FieldError(_field(e.field), e.message) for e in exc.errors]) from None
    return opening.books_get(organization=organization)


OPENING_BALANCES = im.Importer(
    kind="opening_balances",
    title=gettext_lazy("Opening balances"),
    permission=P.MANAGE_ACCOUNTS,
    columns=COLUMNS,
    create=_create,
)


def opening_template_workbook(*, organization: Organization) -> bytes:
    """The import template filled with the chart's leaf accounts and their current opening balances."""
    books = opening.books_get(organization=organization)
    mid_year = books.start is not None and books.start.month > 1
    columns = [c for c in COLUMNS if mid_year or not c.key.startswith("ytd_")]
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = str(_("Opening balances"))[:31]
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.fill = im.HEADER_FILL
        cell.font = Font(bold=True, color="C00000" if cell.value == "科目编码" else "000000")
    for row in opening.opening_grid(organization=organization):
        if not row.leaf:
            continue
        direction = DEBIT_WORD if row.account.normal_balance == Side.DEBIT else CREDIT_WORD
        base = {"account": row.account.code, "name": row.account.name, "direction": direction}
        lines: list[dict[str, Any]] = []
        if row.by_partner:
            for p in row.partners:
                shown = p.balance if row.account.normal_balance == Side.DEBIT else -p.balance
                partner_code = getattr(p.partner, "code", "")
                lines.append(
                    {
                        **base,
                        "balance": shown,
                        "partner": partner_code,
                        "ytd_debit": p.ytd_debit,
                        "ytd_credit": p.ytd_credit,
                    }
                )
        if not lines:
            lines.append(
                {
                    **base,
                    "balance": row.shown if row.balance else None,
                    "ytd_debit": row.ytd_debit or None,
                    "ytd_credit": row.ytd_credit or None,
                }
            )
        for line in lines:
            sheet.append([line.get(c.key) for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
