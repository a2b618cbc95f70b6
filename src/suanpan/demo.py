"""The demo organization 演示贸易有限公司: one user per role and realistic master data, all through services.

Idempotent: every record is looked up by its code or username first, so running `suanpan demo` twice
changes nothing. Random choices come from a seeded generator, so every install gets the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.models import Organization
from suanpan.core.services import membership_add
from suanpan.core.validators import credit_code_check_char
from suanpan.inventory import services as inventory
from suanpan.inventory.models import Warehouse
from suanpan.onboarding import organization_open
from suanpan.partners import services as partners
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner

DEMO_ORG_NAME = "演示贸易有限公司"


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    roles: tuple[str, ...]

    @property
    def password(self) -> str:
        return f"demo-{self.username}"


USERS = (
    DemoUser("owner", "王", "建国", ("owner",)),
    DemoUser("admin", "赵", "敏", ("admin",)),
    DemoUser("sales", "李", "娜", ("sales",)),
    DemoUser("sales2", "张", "伟", ("sales",)),
    DemoUser("service", "刘", "洋", ("service",)),
    DemoUser("marketing", "陈", "静", ("marketing",)),
    DemoUser("purchasing", "杨", "帆", ("purchasing",)),
    DemoUser("warehouse", "黄", "磊", ("warehouse",)),
    DemoUser("finance", "周", "婷", ("finance",)),
)

# (province, city, district/street prefix, area code, region code for the credit code)
PLACES = (
    ("北京", "北京市", "朝阳区建国路", "010", "110105"),
    ("北京", "北京市", "海淀区中关村大街", "010", "110108"),
    ("上海", "上海市", "浦东新区张江路", "021", "310115"),
    ("上海", "上海市", "徐汇区漕溪北路", "021", "310104"),
    ("广东", "广州市", "天河区天河路", "020", "440106"),
    ("广东", "深圳市", "南山区科技园", "0755", "440305"),
    ("浙江", "杭州市", "西湖区文三路", "0571", "330106"),
    ("江苏", "南京市", "鼓楼区中山北路", "025", "320106"),
    ("江苏", "苏州市", "工业园区星湖街", "0512", "320571"),
    ("四川", "成都市", "高新区天府大道", "028", "510107"),
    ("湖北", "武汉市", "洪山区珞喻路", "027", "420111"),
    ("山东", "青岛市", "市南区香港中路", "0532", "370202"),
)
CUSTOMER_NAMES = (
    "北京星河科技有限公司",
    "北京华联办公设备有限公司",
    "上海东方文具贸易有限公司",
    "上海浦江电子商务有限公司",
    "广州天宇商贸有限公司",
    "深圳前海智能科技有限公司",
    "杭州云端网络科技有限公司",
    "南京金陵办公用品有限公司",
    "苏州工业园区恒通贸易有限公司",
    "成都锦城文化用品有限公司",
    "武汉光谷信息技术有限公司",
    "青岛海信商贸有限公司",
    "北京博雅教育咨询有限公司",
    "上海新华书店连锁有限公司",
    "广州白云印务有限公司",
    "深圳华强电子市场经营部",
    "杭州西子酒店管理有限公司",
    "南京鼓楼医院后勤服务中心",
    "苏州科达软件有限公司",
    "成都天府软件园服务有限公司",
    "武汉长江物流有限公司",
    "青岛啤酒贸易有限公司",
    "北京中关村创业大街运营有限公司",
    "上海陆家嘴物业管理有限公司",
    "广州珠江实业有限公司",
    "深圳南山区实验学校",
    "杭州阿里巴巴文化用品经销部",
    "南京苏宁易购合作商",
    "苏州园林旅游发展有限公司",
    "成都宽窄巷子文创有限公司",
    "武汉东湖高新孵化器有限公司",
    "青岛崂山矿泉水经销有限公司",
    "北京朝阳区社区服务中心",
    "上海静安区商务楼宇管理有限公司",
    "广州越秀区教育培训中心",
    "深圳福田会展服务有限公司",
)
PERSON_CUSTOMERS = ("刘德明", "孙晓燕", "吴志强", "郑丽华")
SUPPLIERS = (
    ("得力集团有限公司", "浙江", "宁波市", "宁海县得力工业园", "0574", "330226", "中国工商银行宁海支行"),
    ("晨光文具股份有限公司", "上海", "上海市", "奉贤区金钱公路", "021", "310120", "中国银行上海奉贤支行"),
    ("齐心集团股份有限公司", "广东", "深圳市", "坪山区齐心科技园", "0755", "440310", "招商银行深圳坪山支行"),
    ("惠普贸易（上海）有限公司", "上海", "上海市", "静安区南京西路", "021", "310106", "花旗银行上海分行"),
    ("联想（北京）有限公司", "北京", "北京市", "海淀区上地西路", "010", "110108", "中国建设银行北京上地支行"),
    ("亚太森博（山东）浆纸有限公司", "山东", "日照市", "东港区临港路", "0633", "371102", "中国农业银行日照分行"),
    ("理光（中国）投资有限公司", "上海", "上海市", "黄浦区淮海中路", "021", "310101", "交通银行上海黄浦支行"),
    ("广州白云纸业有限公司", "广东", "广州市", "白云区机场路", "020", "440111", "广州农商银行白云支行"),
    ("杭州西湖龙井茶业有限公司", "浙江", "杭州市", "西湖区龙井路", "0571", "330106", "杭州银行西湖支行"),
    ("农夫山泉股份有限公司", "浙江", "杭州市", "西湖区葛衙庄", "0571", "330106", "中国工商银行杭州分行"),
    ("苏州得尔达办公设备有限公司", "江苏", "苏州市", "吴中区木渎镇", "0512", "320506", "苏州银行吴中支行"),
    ("成都蜀都文具批发有限公司", "四川", "成都市", "金牛区荷花池", "028", "510106", "成都银行金牛支行"),
)
CONTACT_NAMES = ("王经理", "李主任", "张会计", "刘采购", "陈总", "杨助理", "赵工", "孙经理", "周主管", "吴老师")
CATEGORIES = (
    ("01", "办公用品", None),
    ("0101", "纸张本册", "01"),
    ("0102", "书写工具", "01"),
    ("0103", "文件管理", "01"),
    ("02", "办公设备", None),
    ("0201", "打印耗材", "02"),
    ("0202", "电脑配件", "02"),
    ("03", "食品饮料", None),
    ("04", "服务", None),
)
# code, name, specification, unit code, category code, purchase price, sale price, VAT name, batch-tracked
PRODUCTS = (
    ("A4-70", "A4复印纸", "70g 500张/包", "BAG", "0101", "18.50", "25.00", "13%", False),
    ("A4-80", "A4复印纸", "80g 500张/包", "BAG", "0101", "22.00", "29.80", "13%", False),
    ("A3-80", "A3复印纸", "80g 500张/包", "BAG", "0101", "43.00", "58.00", "13%", False),
    ("NB-B5", "胶套本", "B5 60页", "PCS", "0101", "2.10", "3.50", "13%", False),
    ("NB-A5", "皮面笔记本", "A5 100页", "PCS", "0101", "8.00", "15.00", "13%", False),
    ("PS-76", "便利贴", "76×76mm 100张", "PCS", "0101", "1.20", "2.50", "13%", False),
    ("GP-05", "中性笔", "0.5mm 黑色", "BOX", "0102", "12.00", "19.00", "13%", False),
    ("GP-05R", "中性笔", "0.5mm 红色", "BOX", "0102", "12.00", "19.00", "13%", False),
    ("BP-07", "圆珠笔", "0.7mm 蓝色", "BOX", "0102", "8.00", "14.00", "13%", False),
    ("MK-01", "白板笔", "黑色 10支/盒", "BOX", "0102", "9.50", "16.00", "13%", False),
    ("HL-06", "荧光笔", "6色套装", "SET", "0102", "7.20", "12.80", "13%", False),
    ("PC-2B", "铅笔", "2B 12支/盒", "BOX", "0102", "4.50", "8.00", "13%", False),
    ("FD-A4", "文件夹", "A4 双夹", "PCS", "0103", "3.80", "6.50", "13%", False),
    ("AB-3", "档案盒", "A4 3寸", "PCS", "0103", "4.20", "7.50", "13%", False),
    ("BC-25", "长尾夹", "25mm 12只/盒", "BOX", "0103", "3.00", "5.50", "13%", False),
    ("ST-12", "订书机", "12号 标准型", "PCS", "0103", "11.00", "19.90", "13%", False),
    ("SP-12", "订书钉", "12号 1000枚/盒", "BOX", "0103", "1.10", "2.00", "13%", False),
    ("TN-88A", "硒鼓", "HP 88A 兼容", "PCS", "0201", "68.00", "120.00", "13%", True),
    ("TN-12A", "硒鼓", "HP 12A 原装", "PCS", "0201", "320.00", "420.00", "13%", True),
    ("INK-BK", "墨盒", "佳能 PG-845 黑色", "PCS", "0201", "85.00", "129.00", "13%", True),
    ("INK-CL", "墨盒", "佳能 CL-846 彩色", "PCS", "0201", "95.00", "139.00", "13%", True),
    ("RB-01", "色带", "爱普生 LQ-630K", "PCS", "0201", "12.00", "25.00", "13%", False),
    ("MS-W1", "无线鼠标", "联想 M21", "PCS", "0202", "35.00", "59.00", "13%", False),
    ("KB-K1", "有线键盘", "联想 K4800", "PCS", "0202", "45.00", "79.00", "13%", False),
    ("UD-64", "U盘", "64GB USB3.0", "PCS", "0202", "28.00", "49.00", "13%", False),
    ("HD-1T", "移动硬盘", "1TB USB3.0", "PCS", "0202", "260.00", "369.00", "13%", False),
    ("CB-HD", "HDMI线", "1.5米", "PCS", "0202", "8.00", "18.00", "13%", False),
    ("PW-6", "插线板", "6位 3米", "PCS", "0202", "29.00", "49.00", "13%", False),
    ("WT-550", "矿泉水", "550ml×24瓶/箱", "BOX", "03", "18.00", "28.00", "9%", True),
    ("WT-5L", "桶装水", "18.9L", "PC", "03", "12.00", "20.00", "9%", True),
    ("TEA-LJ", "龙井茶", "250g 礼盒", "BOX", "03", "120.00", "198.00", "9%", True),
    ("CF-01", "速溶咖啡", "雀巢 1+2 100条", "BOX", "03", "68.00", "99.00", "13%", True),
    ("SV-INS", "办公设备安装服务", "按次", "H", "04", "0", "200.00", "6%", False),
    ("SV-MNT", "打印机维护保养", "按年", "SET", "04", "0", "1200.00", "6%", False),
)
TAGS = ("重点客户", "经销商", "新客户", "政府事业单位", "长期合作")


def credit_code(rng: random.Random, region: str) -> str:
    """A well-formed 统一社会信用代码 for a company (91 = 工商 + 企业) with a correct check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_char(body)


def ean13(first12: str) -> str:
    """An EAN-13 barcode (China's GS1 prefix 690) with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def phone(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(5000_0000, 8999_9999)}"


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(1000_0000, 9999_9999)}"


def _users(org: Organization) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username,
                password=spec.password,
                first_name=spec.last_name + spec.first_name,
                email=f"{spec.username}@demo.suanpan.local",
            )
        membership_add(organization=org, actor=None, user=user, roles=list(spec.roles))
        users[spec.username] = user
    return users


def _partners(org: Organization, users: dict[str, User], rng: random.Random) -> None:
    reps = [users["sales"], users["sales2"]]
    existing = set(Partner.objects.filter(organization=org).values_list("code", flat=True))
    for i, name in enumerate(CUSTOMER_NAMES, start=1):
        code = f"C{i:05d}"
        local = [p for p in PLACES if name.startswith((p[0], p[1][:2]))]
        place = rng.choice(local or PLACES)
        if code in existing:
            continue
        customer = partners.partner_create(
            organization=org,
            actor=None,
            role=PartnerRole.CUSTOMER,
            data={
                "code": code,
                "name": name,
                "short_name": name[2:6],
                "credit_code": credit_code(rng, place[4]),
                "phone": phone(rng, place[3]),
                "email": f"contact{i}@example.cn",
                "province": place[0],
                "city": place[1],
                "address": f"{place[2]}{rng.randint(1, 300)}号",
                "owner": reps[i % 2],
                "credit_limit": Decimal(rng.choice(["20000", "50000", "100000", "200000", "0"])),
                "payment_terms_days": rng.choice([0, 15, 30, 30, 45, 60]),
            },
            tags=rng.sample(TAGS, k=rng.randint(0, 2)),
        )
        for j in range(rng.randint(1, 2)):
            partners.contact_create(
                organization=org,
                actor=None,
                role=PartnerRole.CUSTOMER,
                partner_id=customer.pk,
                data={
                    "name": rng.choice(CONTACT_NAMES),
                    "title": rng.choice(["采购经理", "行政主管", "财务", "总经理"]),
                    "mobile": mobile(rng),
                    "wechat": f"wx_{rng.randint(100000, 999999)}",
                    "is_primary": j == 0,
                },
            )
    for k, person in enumerate(PERSON_CUSTOMERS, start=len(CUSTOMER_NAMES) + 1):
        code = f"C{k:05d}"
        if code in existing:
            continue
        place = rng.choice(PLACES)
        partners.partner_create(
            organization=org,
            actor=None,
            role=PartnerRole.CUSTOMER,
            data={
                "code": code,
                "kind": "person",
                "name": person,
                "phone": mobile(rng),
                "province": place[0],
                "city": place[1],
                "owner": reps[k % 2],
                "payment_terms_days": 0,
            },
            tags=["新客户"],
        )
    for i, (name, province, city, street, area, region, bank) in enumerate(SUPPLIERS, start=1):
        code = f"S{i:05d}"
        if code in existing:
            continue
        supplier = partners.partner_create(
            organization=org,
            actor=None,
            role=PartnerRole.SUPPLIER,
            data={
                "code": code,
                "name": name,
                "short_name": name[:4],
                "credit_code": credit_code(rng, region),
                "phone": phone(rng, area),
                "province": province,
                "city": city,
                "address": f"{street}{rng.randint(1, 500)}号",
                "payment_terms_days": rng.choice([30, 45, 60]),
                "bank_name": bank,
                "bank_account": f"6222{rng.randint(10**14, 10**15 - 1)}",
            },
        )
        partners.contact_create(
            organization=org,
            actor=None,
            role=PartnerRole.SUPPLIER,
            partner_id=supplier.pk,
            data={"name": rng.choice(CONTACT_NAMES), "title": "销售代表", "mobile": mobile(rng), "is_primary": True},
        )


def _catalog(org: Organization) -> None:
    by_code: dict[str, Category] = {c.code: c for c in Category.objects.filter(organization=org)}
    for code, name, parent in CATEGORIES:
        if code not in by_code:
            by_code[code] = catalog.category_create(
                organization=org, actor=None, data={"code": code, "name": name, "parent": by_code.get(parent or "")}
            )
    units = {u.code: u for u in Unit.objects.filter(organization=org)}
    rates = {r.name: r for r in VatRate.objects.filter(organization=org)}
    existing = set(Product.objects.filter(organization=org).values_list("code", flat=True))
    for index, (code, name, spec, unit, cat, cost, sale, vat, batches) in enumerate(PRODUCTS, start=1):
        if code in existing:
            continue
        stocked = cat != "04"
        catalog.product_create(
            organization=org,
            actor=None,
            data={
                "code": code,
                "name": name,
                "specification": spec,
                "unit": units[unit],
                "category": by_code[cat],
                "barcode": ean13(f"690{index:09d}"),
                "purchase_price": Decimal(cost),
                "sale_price": Decimal(sale),
                "vat_rate": rates[vat],
                "is_stocked": stocked,
                "is_batch_tracked": batches,
                "min_stock": Decimal("20") if stocked else Decimal("0"),
                "max_stock": Decimal("200") if stocked else Decimal("0"),
            },
        )


def _warehouses(org: Organization, users: dict[str, User]) -> None:
    existing = set(Warehouse.objects.filter(organization=org).values_list("code", flat=True))
    for code, name, is_store, address in (
        ("WH01", "上海总仓", False, "上海市闵行区莘庄工业区春东路88号"),
        ("ST01", "南京路门店", True, "上海市黄浦区南京东路299号"),
    ):
        if code not in existing:
            inventory.warehouse_create(
                organization=org,
                actor=None,
                data={
                    "code": code,
                    "name": name,
                    "is_store": is_store,
                    "address": address,
                    "phone": "021-64001234",
                    "manager": users["warehouse"],
                },
            )


def load_demo() -> Organization:
    """Create (or complete) the demo organization. Returns it."""
    rng = random.Random(20261126)  # noqa: S311 - reproducible demo data, not secrets
    with transaction.atomic():
        owner_spec = USERS[0]
        owner = User.objects.filter(username=owner_spec.username).first()
        if owner is None:
            owner = User.objects.create_user(
                username=owner_spec.username,
                password=owner_spec.password,
                first_name=owner_spec.last_name + owner_spec.first_name,
            )
        org = Organization.objects.filter(name=DEMO_ORG_NAME).first()
        if org is None:
            org = organization_open(
                owner=owner,
                data={
                    "name": DEMO_ORG_NAME,
                    "credit_code": credit_code(random.Random(1), "310101"),  # noqa: S311
                    "address": "上海市黄浦区南京东路299号",
                    "phone": "021-63501234",
                },
            )
        users = _users(org)
        _partners(org, users, rng)
        _catalog(org)
        _warehouses(org, users)
    return org
