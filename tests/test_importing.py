import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from suanpan.catalog.models import Product
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.core.importing import cell_text, import_workbook, importer_for, report_workbook, template_workbook
from suanpan.core.models import ImportBatch
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db
GOOD_CODE = "91110000100017643K"


def xlsx(rows):
    wb = Workbook()
    ws = wb.worksheets[0]
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(org, actor, kind, rows):
    return import_workbook(organization=org, actor=actor, kind=kind, filename="t.xlsx", content=xlsx(rows))


def test_all_rows_are_imported_when_all_are_good(org, owner):
    batch = run(
        org,
        owner,
        "customers",
        [
            ["名称", "统一社会信用代码", "信用额度", "账期天数", "标签", "类型"],
            ["北京星河科技有限公司", GOOD_CODE, 50000.5, 30, "重点客户，经销商", "公司"],
            [None, None, None, None, None, None],
            ["张三", None, "1,000", None, None, "个人"],
        ],
    )
    assert batch.imported
    assert batch.row_count == 2
    assert batch.errors == []
    first, second = Partner.objects.order_by("code")
    assert (first.code, first.credit_limit, first.payment_terms_days) == ("C00001", Decimal("50000.50"), 30)
    assert sorted(t.name for t in first.tags.all()) == ["经销商", "重点客户"]
    assert (second.kind, second.credit_limit) == ("person", Decimal("1000.00"))


def test_one_bad_row_means_nothing_is_imported_and_every_problem_is_reported(org, owner):
    batch = run(
        org,
        owner,
        "customers",
        [
            ["编码", "名称", "统一社会信用代码", "信用额度", "账期天数"],
            ["K1", "好客户", GOOD_CODE, 100, 30],
            ["K2", "坏代码", "91110000100017643A", 100, 30],
            ["K1", "重复编码", None, "abc", 1.5],
            ["K3", None, None, -5, 30],
        ],
    )
    assert not batch.imported
    assert Partner.objects.count() == 0
    found = {(e["row"], e["field"]) for e in batch.errors}
    assert found == {(3, "统一社会信用代码"), (4, "信用额度"), (4, "账期天数"), (5, "名称")}
    assert ImportBatch.objects.get(pk=batch.pk).imported is False


def test_duplicates_within_the_file_and_against_the_database(org, owner):
    assert run(org, owner, "customers", [["编码", "名称"], ["K1", "已有客户"]]).imported
    batch = run(org, owner, "customers", [["编码", "名称"], ["K2", "新客户"], ["K2", "同文件重复"], ["K1", "库里重复"]])
    assert [(e["row"], e["field"]) for e in batch.errors] == [(3, "编码"), (4, "编码")]
    assert list(Partner.objects.values_list("code", flat=True)) == ["K1"]


def test_english_field_keys_work_as_headers_and_unknown_columns_are_ignored(org, owner):
    batch = run(org, owner, "suppliers", [["name", "bank_account", "Whatever"], ["得力集团", "6222", "x"]])
    assert batch.imported
    assert Partner.objects.get().is_supplier


def test_products_with_references_and_rates(org, owner):
    batch = run(
        org,
        owner,
        "products",
        [
            ["编码", "名称", "单位", "税率", "销售价", "批次管理", "最低库存", "最高库存"],
            ["A4-70", "A4复印纸", "袋", "13%", 25.5, "否", 10, 100],
            ["SV-1", "安装服务", "H", "0.06", "200", "no", None, None],
            ["BAD", "坏商品", "吨吨", "17%", -1, "maybe", 50, 10],
        ],
    )
    assert not batch.imported
    assert {e["field"] for e in batch.errors if e["row"] == 4} == {"单位", "税率", "批次管理"}
    assert Product.objects.count() == 0
    batch = run(
        org,
        owner,
        "products",
        [
            ["编码", "名称", "单位", "税率", "销售价", "最低库存", "最高库存"],
            ["A4-70", "A4复印纸", "袋", "13%", 25.5, 10, 100],
            ["SV-1", "安装服务", "H", "6", "200", None, None],
        ],
    )
    assert batch.imported, batch.errors
    paper = Product.objects.get(code="A4-70")
    assert (paper.unit.code, paper.vat_rate.name, paper.sale_price) == ("BAG", "13%", Decimal("25.500000"))


def test_service_errors_name_the_column(org, owner):
    batch = run(
        org,
        owner,
        "products",
        [["编码", "名称", "单位", "税率", "销售价", "最低库存", "最高库存"], ["P", "纸", "袋", "13%", -1, 50, 10]],
    )
    assert {(e["field"], e["row"]) for e in batch.errors} >= {("销售价", 2), ("最高库存", 2)}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"not a workbook at all", "not an Excel workbook"),
        (b"PK\x03\x04 broken zip", "not an Excel workbook"),
        (xlsx([]), "empty"),
        (xlsx([["名称"]]), "no data rows"),
        (xlsx([["电话"], ["010-1"]]), "名称"),
    ],
)
def test_file_level_problems_are_refused_with_a_message(org, owner, content, fragment):
    with pytest.raises(InvalidInput) as exc:
        import_workbook(organization=org, actor=owner, kind="customers", filename="x.xlsx", content=content)
    assert exc.value.errors[0].field == "file"
    assert fragment in exc.value.errors[0].message
    assert not Partner.objects.exists()
    assert not ImportBatch.objects.exists()


@override_settings(SUANPAN_MAX_UPLOAD_BYTES=1000)
def test_oversized_files_are_refused(org, owner):
    with pytest.raises(InvalidInput) as exc:
        run(org, owner, "customers", [["名称"], *[[f"客户{i}"] for i in range(200)]])
    assert "larger than" in exc.value.errors[0].message


def test_permission_of_the_kind_is_checked(org, member):
    with pytest.raises(PermissionRefused):
        run(org, member("sales"), "suppliers", [["名称"], ["供应商"]])
    assert not ImportBatch.objects.exists()


def test_cells_are_read_as_the_text_excel_shows():
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(25.5) == "25.5"
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(30) == "30"
    assert cell_text(None) == ""
    assert cell_text(" 北京 ") == "北京"


def test_report_and_template_workbooks(org, owner):
    batch = run(org, owner, "customers", [["名称", "信用额度"], ["甲", "abc"], ["乙", 5]])
    ws = load_workbook(io.BytesIO(report_workbook(batch))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("行号", "名称", "信用额度", "错误")
    assert rows[1][0] == 2
    assert rows[1][3].startswith("信用额度: ")
    assert rows[2][3] in (None, "")
    template = load_workbook(io.BytesIO(template_workbook(importer_for("products")))).worksheets[0]
    headers = [c.value for c in template[1]]
    assert headers[:4] == ["编码", "名称", "规格型号", "单位"]


def test_import_pages(org, owner, owner_client, client_as, other_org):
    page = owner_client.get("/imports/customers/new/")
    assert page.status_code == 200
    upload = io.BytesIO(xlsx([["名称", "信用额度"], ["甲", "abc"]]))
    upload.name = "customers.xlsx"
    r = owner_client.post("/imports/customers/new/", {"file": upload})
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    detail = owner_client.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in detail
    assert "信用额度" in detail
    report = owner_client.get(f"/imports/{batch.pk}/report/")
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert owner_client.get("/imports/customers/template/").status_code == 200
    assert "customers.xlsx" in owner_client.get("/imports/").content.decode()

    bad = io.BytesIO(b"garbage")
    bad.name = "bad.xlsx"
    r = owner_client.post("/imports/customers/new/", {"file": bad})
    assert r.status_code == 422
    assert 'data-field="file"' in r.content.decode()

    assert client_as("service").get("/imports/customers/new/").status_code == 403
    assert client_as("sales").get(f"/imports/{batch.pk}/").status_code == 200
    assert client_as("purchasing").get(f"/imports/{batch.pk}/").status_code == 403
    assert owner_client.get("/imports/nonsense/new/").status_code == 404
    theirs = run(other_org, None, "customers", [["名称"], ["别家"]])
    assert owner_client.get(f"/imports/{theirs.pk}/").status_code == 404
    assert owner_client.get(f"/imports/{theirs.pk}/report/").status_code == 404


def test_command_line_import(org, owner, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([["名称"], ["甲"], ["乙"]]))
    call_command("import_data", "customers", str(good), "--organization", str(org.pk), "--user", owner.username)
    assert "imported 2 rows" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["名称", "信用额度"], ["丙", "-1"]]))
    report = tmp_path / "report.xlsx"
    with pytest.raises(CommandError, match="nothing imported"):
        call_command(
            "import_data",
            "customers",
            str(bad),
            "--organization",
            org.name,
            "--user",
            owner.username,
            "--report",
            str(report),
        )
    assert "row 2 信用额度" in capsys.readouterr().out
    assert report.exists()
    assert Partner.objects.count() == 2
    for args, message in (
        (["widgets", str(good)], "kind"),
        (["customers", str(tmp_path / "missing.xlsx")], "does not exist"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("import_data", *args, "--organization", str(org.pk), "--user", owner.username)
    with pytest.raises(CommandError, match="--organization"):
        call_command("import_data", "customers", str(good), "--organization", "无此公司", "--user", owner.username)
    with pytest.raises(CommandError, match="--user"):
        call_command("import_data", "customers", str(good), "--organization", str(org.pk), "--user", "ghost")
