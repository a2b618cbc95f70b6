"""The import engine, its pages and its command, on a test-only kind that invites members through the real
`member_invite` service (core may not import the domain apps; their importers are tested in their apps)."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook, load_workbook

from suanpan.core import importing
from suanpan.core.exceptions import InvalidInput, NotFound, PermissionRefused
from suanpan.core.importing import (
    CellError,
    Column,
    Context,
    Importer,
    boolean,
    cell_text,
    choice,
    decimal,
    fraction,
    import_workbook,
    integer,
    names,
    read_sheet,
    report_workbook,
    template_workbook,
    text,
)
from suanpan.core.models import ImportBatch, Membership
from suanpan.core.permissions import P
from suanpan.core.services import member_invite

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = ["用户名", "姓名", "密码", "角色"]


def _invite(organization, actor, data):
    return member_invite(
        organization=organization,
        actor=actor,
        username=data.get("username", ""),
        full_name=data.get("full_name", ""),
        password=data.get("password", ""),
        roles=data.get("roles", ["sales"]),
    )


MEMBERS = Importer(
    kind="members",
    title="成员",
    permission=P.MANAGE_ORGANIZATION,
    columns=(
        Column("username", "用户名", text(150), required=True, example="zhangsan"),
        Column("full_name", "姓名", text(150), example="张三"),
        Column("password", "密码", text(128), example="secret-123", hint="At least 8 characters."),
        Column("roles", "角色", names(20), example="sales、service"),
    ),
    create=_invite,
)


@pytest.fixture(autouse=True)
def members_kind(monkeypatch):
    monkeypatch.setitem(importing._REGISTRY, "members", MEMBERS)


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (their msgids), in services and in pages, so that tests can compare them exactly."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def xlsx(rows, title=None):
    wb = Workbook()
    ws = wb.worksheets[0]
    if title:
        ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(org, actor, rows, **kwargs):
    return import_workbook(
        organization=org, actor=actor, kind="members", filename="m.xlsx", content=xlsx(rows), **kwargs
    )


def usernames():
    return sorted(User.objects.values_list("username", flat=True))


def refused(org, actor, content):
    with pytest.raises(InvalidInput) as exc:
        import_workbook(organization=org, actor=actor, kind="members", filename="x.xlsx", content=content)
    return [(e.field, e.message) for e in exc.value.errors]


# All or none -------------------------------------------------------------------------------------------------


def test_all_good_rows_are_imported_through_the_service(org, owner):
    progress = []
    batch = run(
        org,
        owner,
        [HEADER, ["zhangsan", "张三", "secret-123", "sales、service"], ["lisi", "李四", "secret-456", None]],
        progress=lambda done, total: progress.append((done, total)),
    )
    assert (batch.imported, batch.row_count, batch.errors, batch.kind) == (True, 2, [], "members")
    assert (batch.actor, batch.filename, batch.headers) == (owner, "m.xlsx", HEADER)
    assert batch.rows == [
        [2, "zhangsan", "张三", "secret-123", "sales、service"],
        [3, "lisi", "李四", "secret-456", ""],
    ]
    assert progress == [(0, 2), (1, 2), (2, 2)]
    member = Membership.objects.get(organization=org, user__username="zhangsan")
    assert (member.user.first_name, member.roles) == ("张三", ["sales", "service"])
    assert Membership.objects.get(organization=org, user__username="lisi").roles == ["sales"]


def test_one_bad_row_means_nothing_is_imported_and_the_batch_says_why(org, owner):
    before = usernames()
    batch = run(
        org,
        owner,
        [HEADER, ["zhangsan", "张三", "secret-123"], ["lisi", "李四", "short"], ["wangwu", "王五", "secret-789"]],
    )
    assert batch.imported is False
    assert batch.errors == [
        {"row": 3, "field": "密码", "message": "A new account needs a password of at least 8 characters."}
    ]
    assert usernames() == before
    assert Membership.objects.filter(organization=org).count() == 1
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert (stored.imported, stored.errors, stored.row_count) == (False, batch.errors, 3)


def test_every_problem_of_every_row_is_reported(org, owner):
    batch = run(org, owner, [HEADER, [None, "无名", "secret-123"], ["x" * 151, None, None, "sales," + "r" * 21]])
    assert batch.errors == [
        {"row": 2, "field": "用户名", "message": "This field is required."},
        {"row": 3, "field": "用户名", "message": "At most 150 characters (this cell has 151)."},
        {"row": 3, "field": "角色", "message": f"“{'r' * 21}” is longer than 20 characters."},
    ]


def test_a_duplicate_inside_the_file_is_caught_by_the_row_before_it(org, owner):
    batch = run(org, owner, [HEADER, ["zhangsan", "", "secret-123"], ["zhangsan", "", "secret-123"]])
    assert batch.errors == [{"row": 3, "field": "用户名", "message": "This user is already a member."}]
    assert "zhangsan" not in usernames()


def test_a_duplicate_of_a_stored_row_is_refused(org, owner):
    run(org, owner, [HEADER, ["zhangsan", "", "secret-123"]])
    batch = run(org, owner, [HEADER, ["lisi", "", "secret-123"], ["zhangsan", "", ""], ["boss", "", ""]])
    assert [(e["row"], e["field"], e["message"]) for e in batch.errors] == [
        (3, "用户名", "This user is already a member."),
        (4, "用户名", "This user is already a member."),
    ]
    assert "lisi" not in usernames()


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(org, owner):
    batch = run(org, owner, [HEADER, [None, None], ["zhangsan", "", "secret-123"], [], ["  ", ""], ["lisi", "", "bad"]])
    assert batch.row_count == 2
    assert [r[0] for r in batch.rows] == [3, 6]
    assert [(e["row"], e["field"]) for e in batch.errors] == [(6, "密码")]


# The header row ----------------------------------------------------------------------------------------------


def test_field_keys_marked_headers_any_order_and_unknown_columns(org, owner):
    batch = run(
        org,
        owner,
        [["Password", "备注", "用户名*", "full name"], ["secret-123", "ignored", "zhangsan", "张三"]],
    )
    assert batch.imported
    assert User.objects.get(username="zhangsan").first_name == "张三"


def test_the_header_row_may_sit_below_title_rows(org, owner):
    batch = run(org, owner, [["成员名单"], [], HEADER, ["zhangsan", "", "short"]])
    assert batch.headers == HEADER
    assert batch.errors[0]["row"] == 4


def test_a_missing_required_column_refuses_the_file(org, owner):
    assert refused(org, owner, xlsx([["姓名", "密码"], ["张三", "secret-123"]])) == [
        ("file", "The header row lacks the column(s): 用户名.")
    ]
    assert not ImportBatch.objects.exists()


def test_a_column_given_twice_refuses_the_file(org, owner):
    assert refused(org, owner, xlsx([["用户名", "姓名", "username"], ["a", "b", "c"]])) == [
        ("file", "The column 用户名 appears twice (columns A and C).")
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "The first worksheet is empty."),
        ([HEADER], "The file has a header row but no data rows."),
        (
            [["客户", "电话"], ["张三", "010"]],
            "No header row found: the first row must hold the column names of the template, e.g. 用户名、姓名、密码.",
        ),
    ],
)
def test_sheets_without_data_are_refused(org, owner, rows, message):
    assert refused(org, owner, xlsx(rows)) == [("file", message)]
    assert not ImportBatch.objects.exists()


# Bad files ----------------------------------------------------------------------------------------------------

NOT_XLSX = "This is not an Excel workbook (.xlsx) or it is damaged."


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _damaged_sheet():
    good = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, ["zhangsan", "", "secret-123"]])))
    files = {name: good.read(name) for name in good.namelist()}
    files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet1.xml"][:200]
    return _zip(files)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", NOT_XLSX),
        (b"username,password\nzhangsan,secret-123\n", NOT_XLSX),
        (b"PK\x03\x04 a broken zip", NOT_XLSX),
        (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), NOT_XLSX),
        (xlsx([HEADER])[:-100], NOT_XLSX),
        (_damaged_sheet(), NOT_XLSX),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "This is an old .xls workbook or a password-protected one; save it as an Excel workbook (.xlsx) "
            "without a password and upload it again.",
        ),
    ],
    ids=["empty", "csv", "broken-zip", "docx", "truncated", "damaged-sheet", "xls"],
)
def test_damaged_and_foreign_files_are_refused_with_a_message(org, owner, content, message):
    before = usernames()
    assert refused(org, owner, content) == [("file", message)]
    assert usernames() == before
    assert not ImportBatch.objects.exists()


@override_settings(SUANPAN_MAX_UPLOAD_BYTES=4096)
def test_an_oversized_file_is_refused_before_it_is_read(org, owner):
    content = xlsx([HEADER, *[[f"user{i}", f"成员{i}", "secret-123"] for i in range(400)]])
    assert len(content) > 4096
    assert refused(org, owner, content) == [("file", "The file is larger than 4 KB; split it into smaller files.")]
    assert not User.objects.filter(username="user0").exists()


def test_a_zip_bomb_is_refused_before_it_unpacks(org, owner, monkeypatch):
    monkeypatch.setattr(importing, "UNPACK_FACTOR", 1)
    with override_settings(SUANPAN_MAX_UPLOAD_BYTES=10 * 1024):
        assert refused(org, owner, xlsx([HEADER, ["zhangsan", "", "secret-123"]])) == [
            ("file", "The workbook unpacks to more than 10 KB; split it into smaller files.")
        ]


def test_too_many_rows_are_refused(org, owner, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [HEADER, *[[f"user{i}", "", "secret-123"] for i in range(4)]]
    assert refused(org, owner, xlsx(rows)) == [("file", "At most 3 rows per file; split it into smaller files.")]
    assert run(org, owner, rows[:4]).imported


def test_a_sheet_with_a_wrong_declared_size_is_read_whole(org, owner):
    """Some programs declare <dimension ref="A1"/>; read-only openpyxl would then see one cell only."""
    good = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, ["zhangsan", "张三", "secret-123"]])))
    files = {name: good.read(name) for name in good.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"].decode()
    assert '<dimension ref="A1:D2" />' in sheet
    files["xl/worksheets/sheet1.xml"] = sheet.replace('<dimension ref="A1:D2" />', '<dimension ref="A1" />').encode()
    batch = import_workbook(organization=org, actor=owner, kind="members", filename="d.xlsx", content=_zip(files))
    assert batch.imported
    assert User.objects.get(username="zhangsan").first_name == "张三"


# Permission and kind ------------------------------------------------------------------------------------------


def test_the_kinds_permission_is_checked_before_the_file_is_read(org, member):
    with pytest.raises(PermissionRefused):
        import_workbook(organization=org, actor=member("sales"), kind="members", filename="x", content=b"junk")
    assert not ImportBatch.objects.exists()


def test_an_unknown_kind_is_not_found(org, owner):
    with pytest.raises(NotFound):
        import_workbook(organization=org, actor=owner, kind="widgets", filename="x", content=b"")


# Cells: text as Excel shows it, numbers exact ------------------------------------------------------------------


def test_cells_are_read_as_the_text_excel_shows():
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(19.99) == "19.99"
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(1.5e16) == "15000000000000000"
    assert cell_text(6222000011112222) == "6222000011112222"
    assert cell_text(Decimal("25.50")) == "25.50"
    assert cell_text(True) == "是"
    assert cell_text(None) == ""
    assert cell_text(" 北京\x00 ") == "北京"


def test_numbers_in_a_real_workbook_become_exact_decimals_never_floats():
    content = xlsx([["金额"], [0.1 + 0.2], [19.99], [123456.789], [1e-7], [30], ["1,234.50"]])
    sheet = read_sheet(content, Importer("t", "t", "", (Column("amount", "金额", decimal),), lambda *a: None))
    values = [decimal(None, cells[0]) for _number, cells in sheet.rows]
    assert values == [
        Decimal("0.3"),
        Decimal("19.99"),
        Decimal("123456.789"),
        Decimal("0.0000001"),
        Decimal("30"),
        Decimal("1234.50"),
    ]
    assert all(type(v) is Decimal for v in values)
    assert [str(v) for v in values] == ["0.3", "19.99", "123456.789", "1E-7", "30", "1234.50"]


@pytest.mark.parametrize(
    ("parser", "raw", "value"),
    [
        (decimal, "", None),
        (decimal, "¥1,234.50", Decimal("1234.50")),
        (decimal, "-5", Decimal("-5")),
        (decimal, "１２", Decimal("12")),
        (integer, "30", 30),
        (integer, "30.0", 30),
        (integer, "", None),
        (fraction, "13%", Decimal("0.13")),
        (fraction, "13", Decimal("0.13")),
        (fraction, "0.13", Decimal("0.13")),
        (fraction, "0", Decimal("0")),
        (boolean, "是", True),
        (boolean, "Yes", True),
        (boolean, "1", True),
        (boolean, "TRUE", True),
        (boolean, "否", False),
        (boolean, "no", False),
        (boolean, "0", False),
        (boolean, "false", False),
        (boolean, "", None),
        (names(10), "重点客户，经销商、华北,  ,经销商;南方", ["重点客户", "经销商", "华北", "南方"]),
        (names(10), "", None),
        (choice({"公司": "company", "个人": "person"}), "个人", "person"),
        (choice({"公司": "company", "个人": "person"}), "Company", "company"),
    ],
)
def test_parsers_read_what_people_type(parser, raw, value):
    assert parser(None, raw) == value


@pytest.mark.parametrize(
    ("parser", "raw", "message"),
    [
        (decimal, "abc", "“abc” is not a number."),
        (decimal, "NaN", "“NaN” is not a number."),
        (decimal, "Infinity", "“Infinity” is not a number."),
        (decimal, "1e999999999", "“1e999999999” is too large."),
        (integer, "1.5", "“1.5” is not a whole number."),
        (integer, "30天", "“30天” is not a number."),
        (boolean, "maybe", "Write 是 or 否 (yes or no)."),
        (choice({"公司": "company", "个人": "person"}), "集团", "Use one of: 公司、个人."),
        (text(3), "abcd", "At most 3 characters (this cell has 4)."),
        (fraction, "sNaN%", "“sNaN” is not a number."),
    ],
)
def test_parsers_refuse_wrong_types_with_a_message(parser, raw, message):
    with translation.override("en"), pytest.raises(CellError) as exc:
        parser(Context(organization=None), raw)
    assert str(exc.value) == message


# Report and template ------------------------------------------------------------------------------------------


def test_the_report_holds_every_row_with_its_errors_and_can_be_uploaded_again(org, owner):
    wb = Workbook()
    for row in [HEADER, ["zhangsan", "张三", "secret-123"], ["=1+1", None, "short"], ["lisi"]]:
        wb.active.append(row)
    wb.active["A3"].data_type = "s"  # text that looks like a formula, as a user can type it
    source = io.BytesIO()
    wb.save(source)
    batch = import_workbook(organization=org, actor=owner, kind="members", filename="m.xlsx", content=source.getvalue())
    assert not batch.imported
    ws = load_workbook(io.BytesIO(report_workbook(batch))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows == [
        ("行号", "用户名", "姓名", "密码", "角色", "错误"),
        (2, "zhangsan", "张三", "secret-123", None, None),
        (3, "=1+1", None, "short", None, "密码: A new account needs a password of at least 8 characters."),
        (4, "lisi", None, None, None, "密码: A new account needs a password of at least 8 characters."),
    ]
    assert ws["B3"].data_type == "s"  # the user's "=1+1" stays text, never a formula
    assert ws["A3"].fill.fgColor.rgb == "00F8D7DA"
    assert ws["D3"].fill.fgColor.rgb == "00F1AEB5"
    assert ws["A2"].fill.fgColor.rgb == "00000000"

    ws["B3"] = "wangwu"
    ws["D3"] = ws["D4"] = "secret-456"
    fixed = io.BytesIO()
    ws.parent.save(fixed)
    again = import_workbook(
        organization=org, actor=owner, kind="members", filename="report.xlsx", content=fixed.getvalue()
    )
    assert (again.imported, again.row_count) == (True, 3)
    assert {"zhangsan", "wangwu", "lisi"} <= set(usernames())


def test_the_template_has_the_headers_an_example_and_the_column_notes():
    wb = load_workbook(io.BytesIO(template_workbook(MEMBERS)))
    sheet, notes = wb.worksheets
    assert sheet.title == "成员"
    assert [c.value for c in sheet[1]] == HEADER
    assert [c.value for c in sheet[2]] == ["zhangsan", "张三", "secret-123", "sales、service"]
    assert sheet["A1"].font.b
    assert sheet["A1"].font.color.rgb == "00C00000"
    assert notes.title == "说明"
    assert [c.value for c in notes[2]] == ["用户名", "username", "是", None]
    assert [c.value for c in notes[4]] == ["密码", "password", None, "At least 8 characters."]


def test_the_template_itself_imports(org, owner):
    batch = import_workbook(
        organization=org, actor=owner, kind="members", filename="t.xlsx", content=template_workbook(MEMBERS)
    )
    assert batch.imported
    assert Membership.objects.get(organization=org, user__username="zhangsan").roles == ["sales", "service"]


# Pages --------------------------------------------------------------------------------------------------------


def upload(rows=None, content=None, name="members.xlsx"):
    file = io.BytesIO(content if content is not None else xlsx(rows))
    file.name = name
    return {"file": file}


def test_upload_page_imports_and_shows_the_result(org, owner_client):
    page = owner_client.get("/imports/members/new/")
    assert page.status_code == 200
    assert 'id="import-columns"' in page.content.decode()
    response = owner_client.post("/imports/members/new/", upload([HEADER, ["zhangsan", "张三", "secret-123"]]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{batch.pk}/"
    assert batch.imported
    detail = owner_client.get(response["Location"]).content.decode()
    assert 'data-imported="true"' in detail
    assert "import-errors" not in detail
    listing = owner_client.get("/imports/").content.decode()
    assert "members.xlsx" in listing
    assert f'href="/imports/{batch.pk}/"' in listing


def test_upload_page_shows_every_row_and_column_problem(org, owner_client):
    response = owner_client.post(
        "/imports/members/new/", upload([[*HEADER, "备注"], ["zhangsan", "张三", "short", None, "x"], [None, "无名"]])
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    detail = owner_client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'data-imported="false"' in detail
    assert "<td>密码</td><td>A new account needs a password of at least 8 characters.</td>" in detail
    assert '<td class="sp-num">3</td><td>用户名</td><td>This field is required.</td>' in detail
    assert 'id="ignored-columns"' in detail
    assert "zhangsan" not in usernames()
    report = owner_client.get(f"/imports/{batch.pk}/report/")
    assert report["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(report.content)).worksheets[0]["G2"].value.startswith("密码: ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        (upload(content=b"not a workbook", name="x.xlsx"), NOT_XLSX),
        (upload([HEADER]), "The file has a header row but no data rows."),
        (upload([["姓名"], ["张三"]]), "The header row lacks the column(s): 用户名."),
    ],
)
def test_a_refused_file_is_a_field_error_on_the_form(org, owner_client, data, message):
    response = owner_client.post("/imports/members/new/", data)
    assert response.status_code == 422
    assert f'<div class="invalid-feedback d-block" data-field="file">{message}</div>' in response.content.decode()
    assert not ImportBatch.objects.exists()


@override_settings(SUANPAN_MAX_UPLOAD_BYTES=2048)
def test_an_oversized_upload_is_a_field_error(org, owner_client):
    content = xlsx([HEADER, *[[f"user{i}", "", "secret-123"] for i in range(300)]])
    response = owner_client.post("/imports/members/new/", upload(content=content))
    assert response.status_code == 422
    assert "The file is larger than 2 KB; split it into smaller files." in response.content.decode()
    assert not User.objects.filter(username="user0").exists()


def test_template_download(org, owner_client):
    response = owner_client.get("/imports/members/template/")
    assert response.status_code == 200
    assert "members-template" in response["Content-Disposition"]
    assert [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]] == HEADER


def test_pages_need_the_kinds_permission(org, owner, client_as):
    batch = run(org, owner, [HEADER, ["zhangsan", "", "secret-123"]])
    sales = client_as("sales")
    for url in ("/imports/members/new/", "/imports/members/template/", f"/imports/{batch.pk}/report/"):
        assert sales.get(url).status_code == 403
    assert sales.get(f"/imports/{batch.pk}/").status_code == 403
    response = sales.post("/imports/members/new/", upload([HEADER, ["lisi", "", "secret-123"]]))
    assert response.status_code == 403
    assert "lisi" not in usernames()
    assert ImportBatch.objects.count() == 1
    assert "members" not in sales.get("/imports/").content.decode().split('id="import-batches"')[1]


def test_another_organizations_batch_is_not_found(org, other_org, owner_client):
    theirs = run(other_org, User.objects.get(username="other-boss"), [HEADER, ["zhangsan", "", "secret-123"]])
    assert theirs.imported
    assert owner_client.get(f"/imports/{theirs.pk}/").status_code == 404
    assert owner_client.get(f"/imports/{theirs.pk}/report/").status_code == 404
    assert "m.xlsx" not in owner_client.get("/imports/").content.decode()


def test_an_unknown_kind_is_a_404_page(org, owner_client):
    assert owner_client.get("/imports/widgets/new/").status_code == 404
    assert owner_client.get("/imports/widgets/template/").status_code == 404


# Command line -------------------------------------------------------------------------------------------------


def command(*args):
    call_command("import_data", *[str(a) for a in args])


def test_command_imports_with_a_progress_bar(org, owner, tmp_path, capsys):
    path = tmp_path / "members.xlsx"
    path.write_bytes(xlsx([HEADER, ["zhangsan", "", "secret-123"], ["lisi", "", "secret-456"]]))
    command("members", path, "--organization", org.pk, "--user", owner.username)
    out, err = capsys.readouterr()
    batch = ImportBatch.objects.get()
    assert out == f"imported 2 rows (batch #{batch.pk})\n"
    assert "2/2" in err
    assert (batch.actor, batch.filename) == (owner, "members.xlsx")
    assert {"zhangsan", "lisi"} <= set(usernames())


def test_command_refuses_with_every_problem_a_report_and_nothing_written(org, owner, tmp_path, capsys):
    path = tmp_path / "members.xlsx"
    path.write_bytes(xlsx([HEADER, ["zhangsan", "", "short"], [None, "x", "secret-123"]]))
    report = tmp_path / "report.xlsx"
    with pytest.raises(CommandError) as exc:
        command("members", path, "--organization", org.name, "--user", owner.username, "--report", report)
    batch = ImportBatch.objects.get()
    assert str(exc.value) == f"nothing imported: 2 problems in 2 rows (batch #{batch.pk})"
    out, err = capsys.readouterr()
    assert out == (
        "row 2 密码: A new account needs a password of at least 8 characters.\nrow 3 用户名: This field is required.\n"
    )
    assert f"report written to {report}" in err
    assert load_workbook(report).worksheets[0]["F2"].value.startswith("密码: ")
    assert "zhangsan" not in usernames()


def test_command_refuses_a_bad_file_with_its_message(org, owner, tmp_path):
    path = tmp_path / "members.xlsx"
    path.write_bytes(b"junk")
    with pytest.raises(CommandError, match=r"^file: This is not an Excel workbook \(\.xlsx\) or it is damaged\.$"):
        command("members", path, "--organization", org.pk, "--user", owner.username)
    assert not ImportBatch.objects.exists()


def test_command_arguments_are_checked(org, other_org, owner, member, tmp_path):
    path = tmp_path / "members.xlsx"
    path.write_bytes(xlsx([HEADER, ["zhangsan", "", "secret-123"]]))
    cases = [
        (("widgets", path, "--organization", org.pk, "--user", owner.username), "kind: 'widgets' is not one of"),
        (("members", tmp_path / "nope.xlsx", "--organization", org.pk, "--user", owner.username), "does not exist"),
        (("members", tmp_path, "--organization", org.pk, "--user", owner.username), "is not a file"),
        (("members", path, "--organization", "无此公司", "--user", owner.username), "--organization: no organization"),
        (("members", path, "--organization", "999999", "--user", owner.username), "--organization: no organization"),
        (("members", path, "--organization", org.pk, "--user", "ghost"), "--user: no active user 'ghost'"),
        (
            ("members", path, "--organization", other_org.pk, "--user", owner.username),
            "--user: You are not a member of this organization.",
        ),
        (
            ("members", path, "--organization", org.pk, "--user", member("sales").username),
            "--user: You do not have permission to do this (core.manage_organization).",
        ),
    ]
    for args, message in cases:
        with pytest.raises(CommandError) as exc:
            command(*args)
        assert message in str(exc.value), (args, str(exc.value))
    assert "zhangsan" not in usernames()
    assert not ImportBatch.objects.exists()
