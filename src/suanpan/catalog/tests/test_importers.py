"""Excel import of products: references by code or name, exact prices, rates, flags, all or none, pages."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from openpyxl import Workbook, load_workbook

from suanpan.catalog.models import Product, Unit, VatRate
from suanpan.catalog.services import category_create, product_create, unit_create
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.core.importing import import_workbook, importer_for, template_workbook
from suanpan.core.models import ImportBatch

pytestmark = pytest.mark.django_db
HEADERS = [
    "编码",
    "名称",
    "规格型号",
    "单位",
    "分类",
    "条码",
    "销售价",
    "采购价",
    "税率",
    "批次管理",
    "最低库存",
    "最高库存",
]
HEADERS += ["库存商品", "备注"]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(org, actor, rows):
    return import_workbook(organization=org, actor=actor, kind="products", filename="p.xlsx", content=xlsx(rows))


def errors(batch):
    return [(e["row"], e["field"], e["message"]) for e in batch.errors]


def test_every_column_is_imported_with_exact_prices(org, owner):
    category_create(organization=org, actor=owner, data={"code": "01", "name": "办公用品"})
    batch = run(
        org,
        owner,
        [
            HEADERS,
            ["A4-70", "A4复印纸", "70g", "袋", "办公用品", "6900000000017", 19.99, 0.1 + 0.2, "13%", "是", 10, 100.5],
            ["PEN", "签字笔", "", "pcs", "01", "", "2.5", "1,234.567891", 0.13, "否", None, None, "否", "备注"],
            ["SV-1", "安装服务", "", "H", "", "", "200", "", "6", "", "", "", "", ""],
        ],
    )
    assert (batch.imported, batch.row_count, batch.errors) == (True, 3, [])
    paper, pen, service = (Product.objects.get(code=c) for c in ("A4-70", "PEN", "SV-1"))
    assert (paper.name, paper.specification, paper.unit.code, paper.category.code) == ("A4复印纸", "70g", "BAG", "01")
    assert (paper.barcode, paper.sale_price, paper.purchase_price) == (
        "6900000000017",
        Decimal("19.99"),
        Decimal("0.3"),
    )
    assert (paper.vat_rate.name, paper.is_batch_tracked, paper.is_stocked) == ("13%", True, True)
    assert (paper.min_stock, paper.max_stock) == (Decimal("10"), Decimal("100.5"))
    assert str(paper.sale_price) == "19.990000"
    assert (pen.unit.code, pen.category.name, pen.sale_price, pen.purchase_price) == (
        "PCS",
        "办公用品",
        Decimal("2.5"),
        Decimal("1234.567891"),
    )
    assert (pen.vat_rate.name, pen.is_batch_tracked, pen.is_stocked, pen.notes) == ("13%", False, False, "备注")
    assert (service.unit.name, service.category, service.vat_rate.name, service.purchase_price) == (
        "小时",
        None,
        "6%",
        Decimal("0"),
    )


def test_bad_values_are_reported_by_row_and_column_and_nothing_is_saved(org, owner, other_org):
    unit_create(organization=org, actor=owner, data={"code": "GE", "name": "个"})
    theirs = get_user_model().objects.get(username="other-boss")
    category_create(organization=other_org, actor=theirs, data={"code": "99", "name": "别家分类"})
    batch = run(
        org,
        owner,
        [
            HEADERS,
            ["OK", "好商品", "", "袋", "", "", 1, 1, "13%"],
            ["P1", "负价格", "", "袋", "", "", -1, "-0.01", "13%"],
            ["P2", "坏引用", "", "吨吨", "99", "", "", "", "17%", "maybe"],
            ["P3", "重名单位", "", "个", "", "", "abc", "", "NaN"],
            ["P4", "上下限", "", "袋", "", "", "", "", "13%", "", 50, 10],
            [None, None, "只有规格", None, "", "", "", "", None],
            ["X" * 41, "长编码", "", "袋", "", "", "", "", "13%"],
        ],
    )
    assert batch.imported is False
    assert errors(batch) == [
        (3, "销售价", "Ensure this value is greater than or equal to 0."),
        (3, "采购价", "Ensure this value is greater than or equal to 0."),
        (3, "", "The sale price cannot be negative."),
        (3, "", "The purchase price cannot be negative."),
        (4, "单位", "No unit “吨吨” in this organization."),
        (4, "分类", "No category “99” in this organization."),
        (4, "税率", "No VAT rate “17%”; use e.g. 13%."),
        (4, "批次管理", "Write 是 or 否 (yes or no)."),
        (5, "单位", "Several unit rows match “个”; use the code."),
        (5, "销售价", "“abc” is not a number."),
        (5, "税率", "No VAT rate “NaN”; use e.g. 13%."),
        (6, "最高库存", "The maximum stock must not be below the minimum stock."),
        (7, "编码", "This field is required."),
        (7, "名称", "This field is required."),
        (7, "单位", "This field is required."),
        (7, "税率", "This field is required."),
        (8, "编码", "At most 40 characters (this cell has 41)."),
    ]
    assert not Product.objects.exists()


def test_duplicate_codes_in_the_file_and_against_the_database(org, owner):
    unit = Unit.objects.get(organization=org, code="PCS")
    rate = VatRate.objects.get(organization=org, name="13%")
    product_create(organization=org, actor=owner, data={"code": "P1", "name": "老商品", "unit": unit, "vat_rate": rate})
    batch = run(
        org,
        owner,
        [
            ["编码", "名称", "单位", "税率"],
            ["P2", "新", "个", "13%"],
            ["P2", "重复", "个", "13%"],
            ["P1", "库里", "个", "13%"],
        ],
    )
    assert errors(batch) == [
        (3, "编码", "Another product already has this code."),
        (4, "编码", "Another product already has this code."),
    ]
    assert list(Product.objects.values_list("code", flat=True)) == ["P1"]


def test_a_missing_required_column_refuses_the_file(org, owner):
    with pytest.raises(InvalidInput) as exc:
        run(org, owner, [["编码", "名称"], ["P1", "纸"]])
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("file", "The header row lacks the column(s): 单位、税率.")
    ]
    assert not ImportBatch.objects.exists()


def test_products_need_the_change_product_permission(org, member):
    rows = [["编码", "名称", "单位", "税率"], ["P1", "纸", "个", "13%"]]
    with pytest.raises(PermissionRefused):
        run(org, member("sales"), rows)
    assert run(org, member("warehouse"), rows).imported
    assert list(Product.objects.values_list("code", flat=True)) == ["P1"]


def test_the_template_lists_every_column_and_its_example_imports(org, owner):
    content = template_workbook(importer_for("products"))
    assert [c.value for c in load_workbook(io.BytesIO(content)).worksheets[0][1]] == HEADERS
    batch = import_workbook(organization=org, actor=owner, kind="products", filename="t.xlsx", content=content)
    assert batch.errors == []
    example = Product.objects.get()
    assert (example.code, example.unit.code, example.sale_price, example.vat_rate.name) == (
        "A4-70",
        "BAG",
        Decimal("25"),
        "13%",
    )


def upload(rows):
    file = io.BytesIO(xlsx(rows))
    file.name = "products.xlsx"
    return {"file": file}


def test_upload_of_products_and_403_for_a_role_without_the_permission(org, owner_client, client_as):
    rows = [["编码", "名称", "单位", "税率", "销售价"], ["P1", "纸", "个", "13%", "-1"]]
    response = owner_client.post("/imports/products/new/", upload(rows))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    detail = owner_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "<td>销售价</td><td>Ensure this value is greater than or equal to 0.</td>" in detail
    sales = client_as("sales")
    assert sales.get("/imports/products/new/").status_code == 403
    assert sales.post("/imports/products/new/", upload([rows[0], ["P2", "纸", "个", "13%", "1"]])).status_code == 403
    assert sales.get(f"/imports/{batch.pk}/").status_code == 403
    assert client_as("warehouse").get(f"/imports/{batch.pk}/report/").status_code == 200
    assert not Product.objects.exists()
    assert ImportBatch.objects.count() == 1
