"""Excel import of master data: every row is checked, then all rows are imported or none.

An importer names its columns (the Chinese header of the template, or the field key) and the service that
creates one record; apps register theirs from `AppConfig.ready()`. `import_workbook`:

1. checks the kind's change permission, then the file's size, before reading anything;
2. reads the first worksheet as text (`read_sheet`): a damaged or non-xlsx file, a zip bomb, too many rows
   or a missing required column is refused as a whole with an `InvalidInput` on the field ``file``;
3. parses every cell (no float ever reaches a value: numbers are read as the text Excel shows, then
   `Decimal`), and calls the app's real service for every row under its own savepoint, all inside one
   durable transaction — so a code repeated inside the file is caught by the unique check of the row
   before it;
4. rolls the whole transaction back if any row has an error, and records the batch (rows read, errors,
   imported or not) outside it, so the report can be downloaded either way. Nothing is half-imported.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.models import ImportBatch, Organization
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor

logger = logging.getLogger(__name__)
# openpyxl warns about styles, validations and extensions it does not read; none of them matter for an import.
# (A module-level filter: `warnings.catch_warnings` around each read would not be thread-safe.)
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")

MAX_ROWS = 10_000  # data rows per file
MAX_COLUMNS = 100
MAX_SHEET_ROW = 1_048_576  # Excel's last row: a row number beyond it only comes from a forged file
HEADER_SCAN_ROWS = 10  # the header row may sit below a few title rows
UNPACK_FACTOR = 20  # an xlsx unpacks to a few times its size; far more is a zip bomb
MAX_INTEGER_DIGITS = 20  # more digits than any field holds; also bounds int() of a forged "1E+999999999"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx

ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
ERROR_CELL_FILL = PatternFill("solid", fgColor="F1AEB5")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
REPORT_ERROR_HEADER = "错误"
REPORT_ROW_HEADER = "行号"


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is shown to the user."""


@dataclass
class Context:
    """What a cell parser may use: the organization, and a cache that lives for one import."""

    organization: Organization
    cache: dict[tuple[str, str], Any] = field(default_factory=dict)


Parser = Callable[[Context, str], Any]


@dataclass(frozen=True)
class Column:
    """One column of an import: the field key, the template's header, how to read a cell."""

    key: str
    header: str
    parse: Parser
    required: bool = False
    example: str = ""
    hint: str | Promise = ""


def _normalise_header(text: str) -> str:
    """`编码*`, `编码（必填）`, ` Short name ` and `short_name` all compare equal to their column."""
    text = re.sub(r"[（(]\s*必填\s*[)）]", "", text.strip().lower())
    return re.sub(r"[\s_\-*＊]+", "", text)


@dataclass(frozen=True)
class Importer:
    kind: str
    title: str | Promise
    permission: str
    columns: tuple[Column, ...]
    create: Callable[[Organization, Actor | None, dict[str, Any]], models.Model]

    def column_for(self, header: str) -> Column | None:
        wanted = _normalise_header(header)
        if not wanted:
            return None
        for column in self.columns:
            if wanted in (_normalise_header(column.header), _normalise_header(column.key)):
                return column
        return None

    def header_of(self, key: str | None) -> str:
        """The header a service's field error is shown under ("" for an error about the whole row)."""
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

_CONTROL_CHARACTERS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def cell_text(value: object) -> str:
    """A cell as the text it shows. Numbers keep Excel's own 15 significant digits, so no binary noise:
    0.1 + 0.2 reads as "0.3", never as 0.30000000000000004."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "is_integer"):  # a floating-point cell (the name `float` is banned in this code base)
        text = format(value, ".15g")
        if "e" in text and "n" not in text:  # 1e-07 → 0.0000001; nan/inf stay as they are and are refused
            text = format(Decimal(text), "f")
        return text
    if hasattr(value, "isoformat") and hasattr(value, "year"):  # a date or a date and time
        return str(value.isoformat())[:10]
    return str(value).translate(_CONTROL_CHARACTERS).strip()


def text(max_length: int) -> Parser:
    def parse(_ctx: Context, raw: str) -> str:
        if len(raw) > max_length:
            raise CellError(_("At most %(n)d characters (this cell has %(len)d).") % {"n": max_length, "len": len(raw)})
        return raw

    return parse


_NUMBER_NOISE = dict.fromkeys(map(ord, ",，¥￥ \u3000"))


def _number(raw: str) -> Decimal:
    """Digits as written ("1,234.50", "¥25", "１２"), exactly; never through a float."""
    try:
        value = Decimal(raw.translate(_NUMBER_NOISE))
    except InvalidOperation:
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw}) from None
    if not value.is_finite():
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw})
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise CellError(_("“%(raw)s” is too large.") % {"raw": raw})
    return value


def decimal(_ctx: Context, raw: str) -> Decimal | None:
    return _number(raw) if raw else None


def integer(_ctx: Context, raw: str) -> int | None:
    if not raw:
        return None
    value = _number(raw)
    if value != value.to_integral_value():
        raise CellError(_("“%(raw)s” is not a whole number.") % {"raw": raw})
    return int(value)


def fraction(_ctx: Context, raw: str) -> Decimal | None:
    """A rate as "13%", "13" or "0.13" (a percentage-formatted cell reads as 0.13) → Decimal("0.13")."""
    if not raw:
        return None
    percent = raw.rstrip().endswith(("%", "％"))
    value = _number(raw.rstrip().rstrip("%％"))
    return value / 100 if percent or value > 1 else value


TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗"})


def boolean(_ctx: Context, raw: str) -> bool | None:
    """是/否, yes/no, true/false, 1/0; a blank cell keeps the field's default."""
    word = raw.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write 是 or 否 (yes or no)."))


def choice(mapping: dict[str, str]) -> Parser:
    """Labels or values of a choice field, e.g. {'公司': 'company', '个人': 'person'}."""
    accepted = {k.lower(): v for k, v in mapping.items()} | {v.lower(): v for v in mapping.values()}

    def parse(_ctx: Context, raw: str) -> str | None:
        if not raw:
            return None
        try:
            return accepted[raw.strip().lower()]
        except KeyError:
            raise CellError(_("Use one of: %(choices)s.") % {"choices": "、".join(mapping)}) from None

    return parse


def reference(model: type[models.Model], *lookups: str) -> Parser:
    """A row of this organization found by the first of `lookups` that matches exactly one (e.g. code, name)."""

    def parse(ctx: Context, raw: str) -> models.Model | None:
        if not raw:
            return None
        key = (model._meta.label, raw)
        if key in ctx.cache:
            found: models.Model = ctx.cache[key]
            return found
        rows = model._default_manager.filter(organization=ctx.organization)
        what = model._meta.verbose_name
        for lookup in lookups:
            matches = list(rows.filter(**{lookup: raw})[:2])
            if len(matches) == 1:
                ctx.cache[key] = matches[0]
                return matches[0]
            if matches:
                raise CellError(_("Several %(what)s rows match “%(raw)s”; use the code.") % {"what": what, "raw": raw})
        raise CellError(_("No %(what)s “%(raw)s” in this organization.") % {"what": what, "raw": raw})

    return parse


def names(max_length: int) -> Parser:
    """A list such as tags: "重点客户，经销商、华北" (separated by , ， 、 ; or ；)."""

    def parse(_ctx: Context, raw: str) -> list[str] | None:
        if not raw:
            return None
        parts = [part.strip() for part in re.split(r"[,，、;；]", raw)]
        found = list(dict.fromkeys(p for p in parts if p))
        too_long = [p for p in found if len(p) > max_length]
        if too_long:
            raise CellError(_("“%(name)s” is longer than %(n)d characters.") % {"name": too_long[0], "n": max_length})
        return found

    return parse


# Reading ----------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class Sheet:
    """The header row and the data rows (with their Excel row numbers) of the first worksheet, as text."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


def file_error(message: str) -> InvalidInput:
    return InvalidInput.single("file", message)


def _unreadable() -> InvalidInput:
    return file_error(_("This is not an Excel workbook (.xlsx) or it is damaged."))


def _check_archive(content: bytes) -> None:
    """Refuse .xls and encrypted files with their own message, and zip bombs before anything unpacks them."""
    if content.startswith(OLE_MAGIC):
        raise file_error(
            _(
                "This is an old .xls workbook or a password-protected one; save it as an Excel workbook (.xlsx) "
                "without a password and upload it again."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # zipfile raises several kinds of errors for a file that is not a zip archive
        raise _unreadable() from None
    limit = settings.SUANPAN_MAX_UPLOAD_BYTES * UNPACK_FACTOR
    if unpacked > limit:
        raise file_error(
            _("The workbook unpacks to more than %(size)s; split it into smaller files.") % {"size": _size(limit)}
        )


def _header_score(importer: Importer, cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if cell and importer.column_for(cell) is not None)


def _read_rows(workbook: Workbook, importer: Importer) -> Sheet:
    if not workbook.worksheets:
        raise file_error(_("The workbook has no worksheet."))
    worksheet = workbook.worksheets[0]
    # Read-only sheets trust the size the file declares, which some programs write wrong: read what is there.
    worksheet.reset_dimensions()
    found: list[tuple[int, list[str]]] = []
    limit = MAX_ROWS + HEADER_SCAN_ROWS
    for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1):
        if number > MAX_SHEET_ROW:
            raise _unreadable()
        if values.count(None) == len(values):
            continue
        cells = [cell_text(v) for v in values]
        if not any(cells):
            continue
        found.append((number, cells))
        if len(found) > limit:
            raise file_error(_("At most %(n)d rows per file; split it into smaller files.") % {"n": MAX_ROWS})
    if not found:
        raise file_error(_("The first worksheet is empty."))

    # The header row: the one naming the most columns among the first few (title rows may sit above it).
    scores = [_header_score(importer, cells) for _number, cells in found[:HEADER_SCAN_ROWS]]
    best = scores.index(max(scores))
    if scores[best] == 0:
        raise file_error(
            _("No header row found: the first row must hold the column names of the template, e.g. %(cols)s.")
            % {"cols": "、".join(c.header for c in importer.columns[:3])}
        )
    header_row, header_cells = found[best]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    if len(header_cells) > MAX_COLUMNS:
        raise file_error(_("At most %(n)d columns per file.") % {"n": MAX_COLUMNS})
    width = len(header_cells)
    sheet = Sheet(headers=header_cells, header_row=header_row)
    for number, cells in found[best + 1 :]:
        row = cells[:width] + [""] * (width - len(cells))
        if any(row):
            sheet.rows.append((number, row))
    if len(sheet.rows) > MAX_ROWS:
        raise file_error(_("At most %(n)d rows per file; split it into smaller files.") % {"n": MAX_ROWS})
    return sheet


def read_sheet(content: bytes, importer: Importer) -> Sheet:
    """The first worksheet as text: its header row, and its data rows with blank rows dropped."""
    _check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        try:
            return _read_rows(workbook, importer)
        finally:
            workbook.close()
    except InvalidInput:
        raise
    except Exception:  # openpyxl and the XML parser raise many kinds of errors for a damaged file
        logger.info("unreadable workbook", exc_info=True)
        raise _unreadable() from None


def map_columns(importer: Importer, headers: Sequence[str]) -> dict[int, Column]:
    """Which column of the sheet feeds which field; unknown columns are ignored (e.g. a report's 错误)."""
    mapping: dict[int, Column] = {}
    problems: list[FieldError] = []
    for index, header in enumerate(headers):
        column = importer.column_for(header)
        if column is None:
            continue
        twice = [i for i, c in mapping.items() if c == column]
        if twice:
            problems.append(
                FieldError(
                    "file",
                    _("The column %(col)s appears twice (columns %(a)s and %(b)s).")
                    % {"col": column.header, "a": get_column_letter(twice[0] + 1), "b": get_column_letter(index + 1)},
                )
            )
            continue
        mapping[index] = column
    missing = [c.header for c in importer.columns if c.required and c not in mapping.values()]
    if missing:
        problems.append(
            FieldError("file", _("The header row lacks the column(s): %(cols)s.") % {"cols": "、".join(missing)})
        )
    if problems:
        raise InvalidInput(problems)
    return mapping


# Importing --------------------------------------------------------------------------------------------------


def _parse_row(
    context: Context, mapping: dict[int, Column], number: int, cells: Sequence[str]
) -> tuple[dict[str, Any], list[RowError]]:
    data: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, column in mapping.items():
        raw = cells[index] if index < len(cells) else ""
        if column.required and not raw:
            errors.append(RowError(number, column.header, _("This field is required.")))
            continue
        try:
            value = column.parse(context, raw)
        except CellError as exc:
            errors.append(RowError(number, column.header, str(exc)))
            continue
        if value is not None:
            data[column.key] = value
    return data, errors


def _create_row(
    importer: Importer, context: Context, actor: Actor | None, number: int, data: dict[str, Any]
) -> list[RowError]:
    try:
        with transaction.atomic():
            importer.create(context.organization, actor, data)
    except DomainError as exc:  # InvalidInput lists every field at fault
        return [RowError(number, importer.header_of(e.field), e.message) for e in exc.errors]
    except DatabaseError:  # e.g. a value PostgreSQL refuses that validation let through
        logger.warning("import row %d refused by the database", number, exc_info=True)
        return [RowError(number, "", _("The database refused this row; check its values."))]
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
    """Import every row or none, and record the batch.

    A problem with the file as a whole raises InvalidInput on the field ``file`` and records nothing; row
    problems are in the returned batch's `errors` (row, column header, message) with `imported=False`.
    `actor=None` only for set-up commands run by the operator. `progress(done, total)` is called per row.
    """
    importer = importer_for(kind)
    if actor is not None:
        check_perm(organization=organization, actor=actor, perm=importer.permission)
    limit = settings.SUANPAN_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise file_error(_("The file is larger than %(size)s; split it into smaller files.") % {"size": _size(limit)})
    sheet = read_sheet(content, importer)
    mapping = map_columns(importer, sheet.headers)
    if not sheet.rows:
        raise file_error(_("The file has a header row but no data rows."))

    context = Context(organization)
    errors: list[RowError] = []
    total = len(sheet.rows)
    if progress is not None:
        progress(0, total)
    with transaction.atomic(durable=True):
        for done, (number, cells) in enumerate(sheet.rows, start=1):
            data, row_errors = _parse_row(context, mapping, number, cells)
            errors.extend(row_errors or _create_row(importer, context, actor, number, data))
            if progress is not None:
                progress(done, total)
        if errors:
            transaction.set_rollback(True)

    return ImportBatch.objects.create(
        organization=organization,
        kind=kind,
        filename=filename[:200],
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        headers=sheet.headers,
        rows=[[number, *cells] for number, cells in sheet.rows],
        errors=[e.as_dict() for e in errors],
        imported=not errors,
        row_count=total,
    )


# Workbooks for the user -------------------------------------------------------------------------------------


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_text(sheet: Any, row: int, column: int, value: object) -> Any:
    """A cell that holds exactly this value; text starting with "=" stays text, never a formula."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def template_workbook(importer: Importer) -> bytes:
    """The headers (required ones in bold red), one example row, and a sheet explaining every column."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = str(importer.title)[:31]
    for index, column in enumerate(importer.columns, start=1):
        cell = _write_text(sheet, 1, index, column.header)
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        _write_text(sheet, 2, index, column.example or None)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.append([_("Column"), _("Field key"), _("Required"), _("How to fill in")])
    for cell in notes[1]:
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True)
    for column in importer.columns:
        notes.append([column.header, column.key, "是" if column.required else "", str(column.hint)])
    notes.append([])
    notes.append([_("Only the first worksheet is imported; the header row names the columns, in any order.")])
    notes.append([_("If any row has a problem, nothing is imported; the report names every row and column.")])
    for letter, width in zip("ABCD", (18, 20, 8, 70), strict=True):
        notes.column_dimensions[letter].width = width
    return _save(workbook)


def report_workbook(batch: ImportBatch) -> bytes:
    """The rows as read, each with its errors ("字段: 信息"); rows with errors highlighted, their bad cells more.

    The report can be corrected and uploaded again: its 行号 and 错误 columns are ignored by the import.
    """
    by_row: dict[int, list[dict[str, Any]]] = {}
    for error in batch.errors:
        by_row.setdefault(int(error["row"]), []).append(error)
    column_of = {header: index for index, header in reversed(list(enumerate(batch.headers, start=2)))}
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "导入报告"
    headers = [REPORT_ROW_HEADER, *batch.headers, REPORT_ERROR_HEADER]
    for index, header in enumerate(headers, start=1):
        cell = _write_text(sheet, 1, index, header)
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True)
    error_column = len(headers)
    for offset, (number, *cells) in enumerate(batch.rows, start=2):
        errors = by_row.get(int(number), [])
        values = [number, *cells, "\n".join(_error_text(e) for e in errors)]
        for index, value in enumerate(values, start=1):
            cell = _write_text(sheet, offset, index, value if value != "" else None)
            if errors:
                cell.fill = ERROR_FILL
        for error in errors:
            bad = column_of.get(error["field"])
            if bad is not None:
                sheet.cell(row=offset, column=bad).fill = ERROR_CELL_FILL
        if errors:
            sheet.cell(row=offset, column=error_column).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[get_column_letter(error_column)].width = 60
    sheet.freeze_panes = "B2"
    return _save(workbook)


def _error_text(error: dict[str, Any]) -> str:
    return f"{error['field']}: {error['message']}" if error["field"] else str(error["message"])
