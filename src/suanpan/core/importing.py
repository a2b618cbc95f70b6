"""Excel import of master data: every row is checked, then all rows are imported or none.

An importer names its columns (the Chinese header of the template, or the field key) and the service that
creates one record. `import_workbook` reads the file, parses every cell, calls the service for every row in
one transaction under a savepoint each, collects each row's field errors, and rolls the whole transaction back
if any row failed. The batch (rows read, errors, imported or not) is kept either way, so the report can be
downloaded. Nothing is half-imported.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound
from suanpan.core.models import ImportBatch, Organization
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor

MAX_ROWS = 10_000
ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")

Parser = Callable[[Organization, str], Any]


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is shown to the user."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Parser
    required: bool = False
    example: str = ""


@dataclass(frozen=True)
class Importer:
    kind: str
    title: str | Promise
    permission: str
    columns: tuple[Column, ...]
    create: Callable[[Organization, Actor | None, dict[str, Any]], models.Model]

    def column_for(self, header: str) -> Column | None:
        wanted = header.strip().lower()
        for column in self.columns:
            if wanted in (column.header.lower(), column.key.lower()):
                return column
        return None

    def header_of(self, key: str | None) -> str:
        for column in self.columns:
            if column.key == key:
                return column.header
        return key or ""


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    """Called from an app's AppConfig.ready(): registration only."""
    _REGISTRY[importer.kind] = importer


def importer_for(kind: str) -> Importer:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise NotFound(_("There is no import of “%(kind)s”.") % {"kind": kind}) from None


def importers() -> list[Importer]:
    return list(_REGISTRY.values())


# Cell parsers -----------------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell as the text it shows. Numbers keep Excel's own 15 significant digits, so no binary noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "is_integer"):  # a floating-point cell
        text = format(value, ".15g")
        return format(Decimal(text), "f") if "e" in text else text
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value).strip()


def text(max_length: int) -> Parser:
    def parse(_org: Organization, raw: str) -> str:
        if len(raw) > max_length:
            raise CellError(_("At most %(n)d characters.") % {"n": max_length})
        return raw

    return parse


def decimal(_org: Organization, raw: str) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", "").replace("¥", "").replace("￥", "").strip())
    except InvalidOperation:
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw}) from None
    if not value.is_finite():
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw})
    return value


def integer(_org: Organization, raw: str) -> int | None:
    value = decimal(_org, raw)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise CellError(_("“%(raw)s” is not a whole number.") % {"raw": raw})
    return int(value)


TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "n", "no", "false", "0", ""}


def boolean(_org: Organization, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write 是 or 否 (yes or no)."))


def choice(mapping: dict[str, str]) -> Parser:
    """Labels or values of a choice field, e.g. {'公司': 'company', '个人': 'person'}."""
    accepted = {k.lower(): v for k, v in mapping.items()} | {v.lower(): v for v in mapping.values()}

    def parse(_org: Organization, raw: str) -> str | None:
        if not raw:
            return None
        try:
            return accepted[raw.strip().lower()]
        except KeyError:
            raise CellError(_("Use one of: %(choices)s.") % {"choices": "、".join(mapping)}) from None

    return parse


def reference(model: type[models.Model], *lookups: str) -> Parser:
    """A row of this organization found by one of `lookups` (e.g. code, then name)."""

    def parse(org: Organization, raw: str) -> models.Model | None:
        if not raw:
            return None
        manager = model._default_manager.filter(organization=org)
        for lookup in lookups:
            found = list(manager.filter(**{lookup: raw})[:2])
            if len(found) == 1:
                return found[0]
        raise CellError(_("No %(what)s “%(raw)s”.") % {"what": model._meta.verbose_name, "raw": raw})

    return parse


def names(_org: Organization, raw: str) -> list[str]:
    for sep in "，、;；":
        raw = raw.replace(sep, ",")
    return [part.strip() for part in raw.split(",") if part.strip()]


# Reading and importing --------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_sheet(content: bytes) -> Sheet:
    """The first worksheet as text: header row and data rows (with their Excel row numbers), blank rows dropped."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise InvalidInput.single("file", _("This is not an Excel workbook (.xlsx) or it is damaged.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise InvalidInput.single("file", _("The first worksheet is empty."))
        result = Sheet(headers=[cell_text(h) for h in header_row])
        for number, values in enumerate(rows, start=2):
            cells = [cell_text(v) for v in values]
            if not any(cells):
                continue
            if len(result.rows) >= MAX_ROWS:
                raise InvalidInput.single("file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
            result.rows.append((number, cells))
        return result
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise InvalidInput.single("file", _("This is not an Excel workbook (.xlsx) or it is damaged.")) from None
    finally:
        workbook.close()


def _map_columns(importer: Importer, headers: Sequence[str]) -> dict[int, Column]:
    mapping: dict[int, Column] = {}
    for index, header in enumerate(headers):
        column = importer.column_for(header) if header else None
        if column is not None and column not in mapping.values():
            mapping[index] = column
    missing = [c.header for c in importer.columns if c.required and c not in mapping.values()]
    if missing:
        raise InvalidInput.single(
            "file", _("The header row lacks the column(s): %(cols)s.") % {"cols": "、".join(missing)}
        )
    return mapping


def _import_row(
    importer: Importer, organization: Organization, actor: Actor | None, number: int, data: dict[str, Any]
) -> list[RowError]:
    try:
        with transaction.atomic():
            importer.create(organization, actor, data)
    except InvalidInput as exc:
        return [RowError(number, importer.header_of(e.field), e.message) for e in exc.errors]
    except DomainError as exc:
        return [RowError(number, importer.header_of(exc.field), exc.message)]
    return []


def import_workbook(
    *,
    organization: Organization,
    actor: Actor | None,
    kind: str,
    filename: str,
    content: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> ImportBatch:
    """Import every row or none. File-level problems raise InvalidInput (field "file"); row problems are in
    the returned batch's `errors` with `imported=False`."""
    importer = importer_for(kind)
    if actor is not None:
        check_perm(organization=organization, actor=actor, perm=importer.permission)
    limit = settings.SUANPAN_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise InvalidInput.single(
            "file", _("The file is larger than %(mb)s MB; split it into smaller files.") % {"mb": limit // 2**20}
        )
    sheet = read_sheet(content)
    mapping = _map_columns(importer, sheet.headers)
    if not sheet.rows:
        raise InvalidInput.single("file", _("The file has a header row but no data rows."))

    errors: list[RowError] = []
    with transaction.atomic():
        for done, (number, cells) in enumerate(sheet.rows, start=1):
            data: dict[str, Any] = {}
            row_errors: list[RowError] = []
            for index, column in mapping.items():
                raw = cells[index] if index < len(cells) else ""
                if column.required and not raw:
                    row_errors.append(RowError(number, column.header, _("This field is required.")))
                    continue
                try:
                    value = column.parse(organization, raw)
                except CellError as exc:
                    row_errors.append(RowError(number, column.header, str(exc)))
                    continue
                if value is not None:
                    data[column.key] = value
            errors.extend(row_errors or _import_row(importer, organization, actor, number, data))
            if progress is not None:
                progress(done, len(sheet.rows))
        if errors:
            transaction.set_rollback(True)

    return ImportBatch.objects.create(
        organization=organization,
        kind=kind,
        filename=filename[:200],
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        headers=sheet.headers,
        rows=[[number, *cells] for number, cells in sheet.rows],
        errors=[{"row": e.row, "field": e.field, "message": e.message} for e in errors],
        imported=not errors,
        row_count=len(sheet.rows),
    )


# Workbooks for the user -------------------------------------------------------------------------------------


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(importer: Importer) -> bytes:
    """Headers (required ones marked) and one example row."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = str(importer.title)[:31]
    sheet.append([c.header for c in importer.columns])
    sheet.append([c.example for c in importer.columns])
    for index, column in enumerate(importer.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 2 + 4)
    return _save(workbook)


def report_workbook(batch: ImportBatch) -> bytes:
    """The rows as read, each with its errors; rows with errors highlighted."""
    by_row: dict[int, list[str]] = {}
    for error in batch.errors:
        by_row.setdefault(int(error["row"]), []).append(f"{error['field']}: {error['message']}")
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "导入报告"
    sheet.append(["行号", *batch.headers, "错误"])
    for cell in sheet[1]:
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True)
    for number, *cells in batch.rows:
        messages = by_row.get(int(number), [])
        sheet.append([number, *cells, "；".join(messages)])
        if messages:
            for cell in sheet[sheet.max_row]:
                cell.fill = ERROR_FILL
    sheet.column_dimensions[get_column_letter(len(batch.headers) + 2)].width = 60
    return _save(workbook)
