"""Excel import of customers and suppliers: every column, the service's own checks, all or none, pages, CLI."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from suanpan.core.exceptions import PermissionRefused
from suanpan.core.importing import import_workbook, importer_for, template_workbook
from suanpan.core.models import AuditEvent, ImportBatch
from suanpan.core.services import membership_add
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner, Tag
from suanpan.partners.services import partner_create, tag_create

pytestmark = pytest.mark.django_db
GOOD_CODE = "91110000100017643K"
ALL_HEADERS = [
    "编码",
    "名称",
    "简称",
    "类型",
    "统一社会信用代码",
    "电话",
    "邮箱",
    "省份",
    "城市",
    "地址",
    "负责人",
    "标签",
    "信用额度",
    "账期天数",
    "开户银行",
    "银行账号",
    "备注",
]


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


def run(org, actor, rows, kind="customers"):
    return import_workbook(organization=org, actor=actor, kind=kind, filename="p.xlsx", content=xlsx(rows))


def errors(batch):
    return [(e["row"], e["field"], e["message"]) for e in batch.errors]


def test_every_column_is_imported(org, owner, make_user):
    rep = make_user("wang", first_name="王芳")
    membership_add(organization=org, actor=None, user=rep, roles=["sales"])
    tag_create(organization=org, actor=owner, data={"name": "经销商"})
    row = [
        "K001",
        "北京星河科技有限公司",
        "星河",
        "公司",
        GOOD_CODE.lower(),
        "010-88886666",
        "info@example.cn",
        "北京",
        "北京市",
        "朝阳区建国路88号",
        "wang",
        "重点客户，经销商、华北",
        50000.5,
        45,
        "工商银行",
        "6222000011112222",
        "老客户",
    ]
    batch = run(org, owner, [ALL_HEADERS, row, ["", "张三", "", "个人", "", "", "", "", "", "", "王芳", "", "1,000"]])
    assert (batch.imported, batch.row_count, batch.errors) == (True, 2, [])
    first = Partner.objects.get(code="K001")
    assert (first.is_customer, first.is_supplier, first.kind, first.short_name) == (True, False, "company", "星河")
    assert (first.credit_code, first.phone, first.email) == (GOOD_CODE, "010-88886666", "info@example.cn")
    assert (first.province, first.city, first.address) == ("北京", "北京市", "朝阳区建国路88号")
    assert (first.owner, first.credit_limit, first.payment_terms_days) == (rep, Decimal("50000.50"), 45)
    assert (first.bank_name, first.bank_account, first.notes) == ("工商银行", "6222000011112222", "老客户")
    assert sorted(first.tags.values_list("name", flat=True)) == ["华北", "经销商", "重点客户"]
    assert Tag.objects.filter(organization=org).count() == 3
    second = Partner.objects.get(name="张三")
    assert (second.code, second.kind, second.owner, second.credit_limit) == (
        "C00001",
        "person",
        rep,
        Decimal("1000.00"),
    )
    assert second.payment_terms_days == 30
    assert AuditEvent.objects.filter(organization=org, object_type="partners.partner").count() == 2


def test_suppliers_are_created_as_suppliers(org, owner):
    batch = run(org, owner, [["name", "bank_account"], ["得力集团", "6222"]], kind="suppliers")
    assert batch.imported
    supplier = Partner.objects.get()
    assert (supplier.code, supplier.is_supplier, supplier.is_customer) == ("S00001", True, False)


def test_bad_values_are_reported_by_row_and_column_and_nothing_is_saved(org, owner, other_org):
    batch = run(
        org,
        owner,
        [
            ALL_HEADERS,
            ["K1", "好客户", "", "公司", GOOD_CODE],
            ["K2", "坏代码", "", "", "91110000100017643A"],
            ["K3", "短代码", "", "", "9111000010001764"],
            ["K4", "坏类型", "", "集团", "", "abc", "not-an-email"],
            ["K5", "外人", "", "", "", "", "", "", "", "", "other-boss"],
            ["K6", "坏数字", "", "", "", "", "", "", "", "", "", "", "abc", 1.5],
            ["K7", "负额度", "", "", "", "", "", "", "", "", "", "", -5, 9999],
            ["K8", None],
        ],
    )
    assert batch.imported is False
    assert errors(batch) == [
        (3, "统一社会信用代码", "The check character of this unified social credit code is wrong (expected K)."),
        (4, "统一社会信用代码", "A unified social credit code has 18 characters; this one has 16."),
        (5, "类型", "Use one of: 公司、个人."),
        (6, "负责人", "No member “other-boss” in this organization."),
        (7, "信用额度", "“abc” is not a number."),
        (7, "账期天数", "“1.5” is not a whole number."),
        (8, "信用额度", "Ensure this value is greater than or equal to 0."),
        (8, "账期天数", "Ensure this value is less than or equal to 3650."),
        (8, "", "The credit limit cannot be negative."),
        (9, "名称", "This field is required."),
    ]
    assert not Partner.objects.exists()
    assert not Tag.objects.exists()


def test_phone_and_email_are_checked_by_the_service(org, owner):
    batch = run(org, owner, [["名称", "电话", "邮箱"], ["甲", "call me", "not-an-email"]])
    assert errors(batch) == [
        (2, "电话", "Enter a phone number using digits, spaces, +, - or brackets."),
        (2, "邮箱", "Enter a valid email address."),
    ]


def test_duplicate_codes_in_the_file_and_against_the_database(org, owner):
    partner_create(organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"code": "K1", "name": "老客户"})
    batch = run(org, owner, [["编码", "名称"], ["K2", "新客户"], ["K2", "同文件重复"], ["K1", "库里重复"]])
    assert errors(batch) == [
        (3, "编码", "Another partner already has this code."),
        (4, "编码", "Another partner already has this code."),
    ]
    assert list(Partner.objects.values_list("code", flat=True)) == ["K1"]


def test_a_refused_import_takes_no_numbers(org, owner):
    refused = run(org, owner, [["名称", "信用额度"], ["甲", 100], ["乙", "abc"]])
    assert not refused.imported
    batch = run(org, owner, [["名称"], ["丙"]])
    assert batch.imported
    assert list(Partner.objects.values_list("code", flat=True)) == ["C00001"]


def test_tag_names_are_checked_in_their_column(org, owner):
    batch = run(org, owner, [["名称", "标签"], ["甲", "好，" + "很" * 41]])
    assert errors(batch) == [(2, "标签", f"“{'很' * 41}” is longer than 40 characters.")]
    assert not Tag.objects.exists()


def test_the_owner_is_found_by_username_or_full_name_among_members_only(org, owner, make_user):
    for username in ("li1", "li2"):
        membership_add(organization=org, actor=None, user=make_user(username, first_name="李明"), roles=["sales"])
    make_user("outsider")
    batch = run(org, owner, [["名称", "负责人"], ["甲", "李明"], ["乙", "outsider"], ["丙", "boss"], ["丁", "老板"]])
    assert errors(batch) == [
        (2, "负责人", "Several members are called “李明”; use the username."),
        (3, "负责人", "No member “outsider” in this organization."),
    ]


def test_each_kind_needs_its_own_change_permission(org, member):
    sales = member("sales")
    assert run(org, sales, [["名称"], ["客户甲"]]).imported
    with pytest.raises(PermissionRefused):
        run(org, sales, [["名称"], ["供应商甲"]], kind="suppliers")
    purchasing = member("purchasing")
    assert run(org, purchasing, [["名称"], ["供应商乙"]], kind="suppliers").imported
    with pytest.raises(PermissionRefused):
        run(org, purchasing, [["名称"], ["客户乙"]])
    assert sorted(Partner.objects.values_list("name", flat=True)) == ["供应商乙", "客户甲"]


def test_the_templates_list_every_column_and_their_example_imports(org, owner):
    for kind in ("customers", "suppliers"):
        sheet = load_workbook(io.BytesIO(template_workbook(importer_for(kind)))).worksheets[0]
        assert [c.value for c in sheet[1]] == ALL_HEADERS
        batch = import_workbook(
            organization=org, actor=owner, kind=kind, filename="t.xlsx", content=template_workbook(importer_for(kind))
        )
        assert errors(batch) == ([] if kind == "customers" else [(2, "编码", "Another partner already has this code.")])
    example = Partner.objects.get()
    assert (example.code, example.credit_code, example.credit_limit) == ("C10001", GOOD_CODE, Decimal("50000.00"))


# Pages and command line ---------------------------------------------------------------------------------------


def upload(rows, name="customers.xlsx"):
    file = io.BytesIO(xlsx(rows))
    file.name = name
    return {"file": file}


def test_upload_of_customers(org, owner_client):
    response = owner_client.post("/imports/customers/new/", upload([["名称", "信用额度"], ["甲", 100], ["乙", -1]]))
    batch = ImportBatch.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/imports/{batch.pk}/")
    detail = owner_client.get(response["Location"]).content.decode()
    assert "<td>信用额度</td><td>Ensure this value is greater than or equal to 0.</td>" in detail
    assert not Partner.objects.exists()
    response = owner_client.post("/imports/customers/new/", upload([["名称", "信用额度"], ["甲", 100], ["乙", 1]]))
    assert Partner.objects.count() == 2
    assert 'data-imported="true"' in owner_client.get(response["Location"]).content.decode()


def test_a_role_without_the_change_permission_gets_403_and_writes_nothing(org, client_as):
    service = client_as("service")
    assert service.get("/imports/customers/new/").status_code == 403
    assert service.get("/imports/customers/template/").status_code == 403
    assert service.post("/imports/customers/new/", upload([["名称"], ["甲"]])).status_code == 403
    purchasing = client_as("purchasing")
    assert purchasing.post("/imports/customers/new/", upload([["名称"], ["乙"]])).status_code == 403
    assert purchasing.get("/imports/suppliers/new/").status_code == 200
    assert not Partner.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_customers_batch_is_hidden_from_other_organizations_and_other_roles(org, owner, other_org, client_as):
    batch = run(org, owner, [["名称"], ["甲"]])
    assert client_as("sales").get(f"/imports/{batch.pk}/").status_code == 200
    assert client_as("purchasing").get(f"/imports/{batch.pk}/").status_code == 403
    other = Client()
    other.force_login(other_org.memberships.get().user)
    assert other.get(f"/imports/{batch.pk}/").status_code == 404
    assert other.get(f"/imports/{batch.pk}/report/").status_code == 404


def test_customers_from_the_command_line(org, owner, tmp_path, capsys):
    path = tmp_path / "客户.xlsx"
    path.write_bytes(xlsx([["名称", "信用额度"], ["甲", 100], ["乙", "abc"]]))
    with pytest.raises(CommandError, match="nothing imported: 1 problems in 2 rows"):
        call_command("import_data", "customers", str(path), "--organization", org.name, "--user", owner.username)
    assert capsys.readouterr().out == "row 3 信用额度: “abc” is not a number.\n"
    assert not Partner.objects.exists()
    path.write_bytes(xlsx([["名称", "信用额度"], ["甲", 100], ["乙", 0.5]]))
    call_command("import_data", "customers", str(path), "--organization", str(org.pk), "--user", owner.username)
    assert dict(Partner.objects.values_list("name", "credit_limit")) == {"甲": Decimal("100.00"), "乙": Decimal("0.50")}
