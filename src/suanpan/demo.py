"""The demo organization 演示贸易有限公司: one user per role and realistic master data, all through services.

Everything is written by the real services, acting as the member whose job it is (customers by their sales
rep, suppliers and products by purchasing, warehouses by the administrator), so the audit trail, the
permission checks and the numbering are those of a real install. Customer and supplier codes are left blank
and numbered by `core.numbering` (C00001…, S00001…).

Idempotent: every record is looked up by its natural key first (username, organization name, partner name,
category/product/warehouse code, tag name) and only what is missing is created, so running `suanpan demo`
twice changes nothing. Random details come from generators seeded per record, so every install gets the same
data and a record added later does not shift the others.

The companies are fictional; their 统一社会信用代码 are well formed (a real region code, an organization code
with its GB 11714 check character, and the GB 32100 check character) but belong to nobody.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.choices import TaxpayerType
from suanpan.core.models import Organization
from suanpan.core.services import membership_add
from suanpan.core.validators import USCC_ALPHABET, credit_code_check_char
from suanpan.demo_books import load_books
from suanpan.demo_crm import load_crm
from suanpan.demo_sales import load_sales
from suanpan.demo_stock import load_opening_stock, load_stock
from suanpan.inventory import services as inventory
from suanpan.inventory.models import Warehouse
from suanpan.onboarding import organization_open
from suanpan.partners import services as partners
from suanpan.partners.choices import PartnerKind, PartnerRole, TagColor
from suanpan.partners.models import Partner, Tag

DEMO_ORG_NAME = "演示贸易有限公司"
DEMO_URL = "http://127.0.0.1:8000"
SEED = "suanpan-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[str, ...]
    role_label: str

    @property
    def password(self) -> str:
        return f"demo-{self.username}"


# Full names go into `first_name`, the project's convention for Chinese names: Django's get_full_name()
# would print "建国 王" from separate first/last names.
USERS = (
    DemoUser("owner", "王建国", ("owner",), "老板"),
    DemoUser("admin", "赵敏", ("admin",), "管理员"),
    DemoUser("sales", "李娜", ("sales",), "销售"),
    DemoUser("sales2", "张伟", ("sales",), "销售"),
    DemoUser("service", "刘洋", ("service",), "客服"),
    DemoUser("marketing", "陈静", ("marketing",), "市场"),
    DemoUser("purchasing", "杨帆", ("purchasing",), "采购"),
    DemoUser("warehouse", "黄磊", ("warehouse",), "仓管"),
    DemoUser("finance", "周婷", ("finance",), "财务"),
)

# city (as it begins a company name) → province, city, telephone area code, (district, street, region code)…
CITIES: dict[str, tuple[str, str, str, tuple[tuple[str, str, str], ...]]] = {
    "北京": ("北京", "北京市", "010", (("朝阳区", "建国路", "110105"), ("海淀区", "中关村大街", "110108"))),
    "上海": ("上海", "上海市", "021", (("浦东新区", "张江路", "310115"), ("徐汇区", "漕溪北路", "310104"))),
    "广州": ("广东", "广州市", "020", (("天河区", "天河路", "440106"), ("越秀区", "环市东路", "440104"))),
    "深圳": ("广东", "深圳市", "0755", (("南山区", "科技园南路", "440305"), ("福田区", "深南大道", "440304"))),
    "东莞": ("广东", "东莞市", "0769", (("南城街道", "鸿福路", "441900"),)),
    "杭州": ("浙江", "杭州市", "0571", (("西湖区", "文三路", "330106"), ("滨江区", "江南大道", "330108"))),
    "宁波": ("浙江", "宁波市", "0574", (("鄞州区", "天童南路", "330212"),)),
    "南京": ("江苏", "南京市", "025", (("鼓楼区", "中山北路", "320106"), ("秦淮区", "太平南路", "320104"))),
    "苏州": ("江苏", "苏州市", "0512", (("工业园区", "星湖街", "320571"), ("姑苏区", "人民路", "320508"))),
    "成都": ("四川", "成都市", "028", (("武侯区", "天府大道", "510107"), ("青羊区", "人民中路", "510105"))),
    "武汉": ("湖北", "武汉市", "027", (("洪山区", "珞喻路", "420111"), ("江汉区", "解放大道", "420103"))),
    "青岛": ("山东", "青岛市", "0532", (("市南区", "香港中路", "370202"), ("崂山区", "海尔路", "370212"))),
    "厦门": ("福建", "厦门市", "0592", (("思明区", "湖滨南路", "350203"),)),
    "郑州": ("河南", "郑州市", "0371", (("金水区", "花园路", "410105"),)),
    "长沙": ("湖南", "长沙市", "0731", (("岳麓区", "麓谷大道", "430104"),)),
    "西安": ("陕西", "西安市", "029", (("雁塔区", "高新路", "610113"),)),
    "天津": ("天津", "天津市", "022", (("和平区", "南京路", "120101"),)),
    "重庆": ("重庆", "重庆市", "023", (("渝中区", "民族路", "500103"),)),
}
CUSTOMERS = (
    "北京星河科技有限公司",
    "北京华远办公设备有限公司",
    "北京博雅教育咨询有限公司",
    "上海东方文具贸易有限公司",
    "上海浦江电子商务有限公司",
    "上海陆家嘴物业管理有限公司",
    "广州天宇商贸有限公司",
    "广州白云印务有限公司",
    "深圳前海智能科技有限公司",
    "深圳福田会展服务有限公司",
    "东莞鸿福五金制品有限公司",
    "杭州云端网络科技有限公司",
    "杭州西子酒店管理有限公司",
    "宁波甬江外贸有限公司",
    "南京金陵办公用品有限公司",
    "南京秦淮文化传媒有限公司",
    "苏州恒通贸易有限公司",
    "苏州园林旅游发展有限公司",
    "成都锦城文化用品有限公司",
    "成都宽窄文创有限公司",
    "武汉光谷信息技术有限公司",
    "武汉长江物流有限公司",
    "青岛海湾商贸有限公司",
    "青岛崂山饮品经销有限公司",
    "厦门鹭岛电子有限公司",
    "厦门海沧国际货运代理有限公司",
    "郑州中原建材有限公司",
    "郑州绿城餐饮管理有限公司",
    "长沙湘江医疗器械有限公司",
    "长沙麓谷软件有限公司",
    "西安古城旅行社有限公司",
    "西安雁塔创业服务有限公司",
    "天津滨海物流有限公司",
    "天津津门食品贸易有限公司",
    "重庆山城餐饮管理有限公司",
    "重庆两江汽车配件有限公司",
)
# Walk-in and small private customers (个人客户): no credit code, a mobile number, cash terms.
PERSON_CUSTOMERS = (("刘德明", "上海"), ("孙晓燕", "上海"), ("吴志强", "杭州"), ("郑丽华", "南京"))
# name, short name, province, city, address, area code, region code, bank
# fmt: off
SUPPLIERS = (
    ("宁波海曙文具制造有限公司", "海曙文具", "浙江", "宁波市", "海曙区望春工业园区聚才路",
     "0574", "330203", "中国工商银行宁波海曙支行"),
    ("上海金钱文化用品有限公司", "金钱文化", "上海", "上海市", "奉贤区金钱公路",
     "021", "310120", "中国银行上海奉贤支行"),
    ("深圳坪山办公科技有限公司", "坪山办公", "广东", "深圳市", "坪山区锦绣中路",
     "0755", "440310", "招商银行深圳坪山支行"),
    ("东莞虎门纸业有限公司", "虎门纸业", "广东", "东莞市", "虎门镇连升路",
     "0769", "441900", "东莞农村商业银行虎门支行"),
    ("日照临港浆纸有限公司", "临港浆纸", "山东", "日照市", "东港区临港路",
     "0633", "371102", "中国农业银行日照分行"),
    ("苏州吴中打印耗材有限公司", "吴中耗材", "江苏", "苏州市", "吴中区木渎镇金枫南路",
     "0512", "320506", "苏州银行吴中支行"),
    ("珠海香洲耗材科技有限公司", "香洲耗材", "广东", "珠海市", "香洲区前山工业区",
     "0756", "440402", "交通银行珠海分行"),
    ("北京上地电脑配件有限公司", "上地配件", "北京", "北京市", "海淀区上地信息路",
     "010", "110108", "中国建设银行北京上地支行"),
    ("杭州西湖龙井茶业有限公司", "西湖龙井", "浙江", "杭州市", "西湖区龙井路",
     "0571", "330106", "杭州银行西湖支行"),
    ("千岛湖山泉饮品有限公司", "千岛湖山泉", "浙江", "杭州市", "淳安县千岛湖镇新安大街",
     "0571", "330127", "浙江农商银行淳安支行"),
    ("普洱思茅咖啡贸易有限公司", "思茅咖啡", "云南", "普洱市", "思茅区振兴大道",
     "0879", "530802", "富滇银行普洱分行"),
    ("成都荷花池文具批发有限公司", "荷花池文具", "四川", "成都市", "金牛区荷花池大成市场",
     "028", "510106", "成都银行金牛支行"),
)
# fmt: on
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
    "秀英", "晓东", "建华", "海燕", "志刚", "玉兰", "文博", "思远", "雨桐", "子涵", "浩然", "欣怡", "俊杰",
)  # fmt: skip
CUSTOMER_TITLES = ("采购经理", "行政主管", "财务经理", "总经理", "办公室主任", "后勤主管")
TAGS = (
    ("重点客户", TagColor.RED),
    ("经销商", TagColor.BLUE),
    ("新客户", TagColor.GREEN),
    ("长期合作", TagColor.CYAN),
    ("潜力客户", TagColor.YELLOW),
)
# code, name, parent code
CATEGORIES = (
    ("01", "办公用品", None),
    ("0101", "纸张本册", "01"),
    ("0102", "书写工具", "01"),
    ("0103", "文件管理", "01"),
    ("0104", "桌面文具", "01"),
    ("02", "电子产品", None),
    ("0201", "打印耗材", "02"),
    ("0202", "电脑配件", "02"),
    ("0203", "办公电器", "02"),
    ("03", "食品饮料", None),
    ("0301", "饮用水", "03"),
    ("0302", "茶叶咖啡", "03"),
    ("0303", "粮油副食", "03"),
    ("04", "清洁日用", None),
    ("05", "服务", None),
)
SERVICE_CATEGORY = "05"
# code, name, specification, unit code, category code, purchase price, sale price (both incl. VAT), VAT rate,
# batch-tracked (goods with an expiry date: food, drinks, toner and ink). Tea leaves, rice and edible oil are
# farm produce at 9%; transport services 9%; other services 6%; goods 13%. New products go at the end, so
# that the barcodes (numbered by position) of the others never change.
PRODUCTS = (
    ("A4-70", "A4复印纸", "70g 500张/包 8包/箱", "BOX", "0101", "128.00", "168.00", "13%", False),
    ("A4-80", "A4复印纸", "80g 500张/包 5包/箱", "BOX", "0101", "105.00", "139.00", "13%", False),
    ("A3-80", "A3复印纸", "80g 500张/包 4包/箱", "BOX", "0101", "165.00", "218.00", "13%", False),
    ("NB-B5", "胶套本", "B5 60页", "PCS", "0101", "2.10", "3.50", "13%", False),
    ("NB-A5", "皮面笔记本", "A5 100页", "PCS", "0101", "8.00", "15.00", "13%", False),
    ("PS-76", "便利贴", "76×76mm 100张", "PCS", "0101", "1.20", "2.50", "13%", False),
    ("TP-80", "热敏收银纸", "80×80mm", "PCS", "0101", "1.80", "3.20", "13%", False),
    ("GP-05B", "中性笔", "0.5mm 黑色", "PCS", "0102", "0.95", "1.60", "13%", False),
    ("GP-05R", "中性笔", "0.5mm 红色", "PCS", "0102", "0.95", "1.60", "13%", False),
    ("GP-REF", "中性笔芯", "0.5mm 黑色 20支/盒", "SET", "0102", "6.50", "10.00", "13%", False),
    ("BP-07", "圆珠笔", "0.7mm 蓝色", "PCS", "0102", "0.60", "1.00", "13%", False),
    ("MK-WB", "白板笔", "黑色 可擦", "PCS", "0102", "1.50", "2.80", "13%", False),
    ("HL-6C", "荧光笔", "6色套装", "SET", "0102", "7.20", "12.80", "13%", False),
    ("PC-2B", "铅笔", "2B 12支/盒", "SET", "0102", "4.50", "8.00", "13%", False),
    ("FD-A4", "文件夹", "A4 双夹", "PCS", "0103", "3.80", "6.50", "13%", False),
    ("AB-55", "档案盒", "A4 55mm", "PCS", "0103", "4.20", "7.50", "13%", False),
    ("BC-25", "长尾夹", "25mm 12只/盒", "SET", "0103", "3.00", "5.50", "13%", False),
    ("FB-A4", "拉链文件袋", "A4 透明", "PCS", "0103", "1.50", "3.00", "13%", False),
    ("ST-12", "订书机", "12号 标准型", "PCS", "0104", "11.00", "19.90", "13%", False),
    ("SP-12", "订书钉", "12号 1000枚/盒", "SET", "0104", "1.10", "2.00", "13%", False),
    ("SC-17", "剪刀", "170mm 不锈钢", "PCS", "0104", "4.00", "7.50", "13%", False),
    ("TP-18", "透明胶带", "18mm×30m", "PCS", "0104", "1.00", "2.00", "13%", False),
    ("CA-12", "计算器", "12位 太阳能", "PCS", "0104", "18.00", "32.00", "13%", False),
    ("TN-88A", "硒鼓", "HP 88A 兼容", "PCS", "0201", "68.00", "120.00", "13%", True),
    ("TN-12A", "硒鼓", "HP 12A 兼容", "PCS", "0201", "65.00", "115.00", "13%", True),
    ("INK-845", "墨盒", "佳能 PG-845 黑色", "PCS", "0201", "85.00", "129.00", "13%", True),
    ("INK-846", "墨盒", "佳能 CL-846 彩色", "PCS", "0201", "95.00", "139.00", "13%", True),
    ("RB-630", "色带", "LQ-630K 适用", "PCS", "0201", "12.00", "25.00", "13%", False),
    ("MS-W1", "无线鼠标", "2.4G 静音", "PCS", "0202", "35.00", "59.00", "13%", False),
    ("KB-K1", "有线键盘", "USB 104键", "PCS", "0202", "45.00", "79.00", "13%", False),
    ("UD-64", "U盘", "64GB USB3.0", "PCS", "0202", "28.00", "49.00", "13%", False),
    ("HD-1T", "移动硬盘", "1TB USB3.0", "PCS", "0202", "260.00", "369.00", "13%", False),
    ("CB-HD", "HDMI线", "1.5米", "PCS", "0202", "8.00", "18.00", "13%", False),
    ("NC-C5", "超五类网线", "按米销售", "M", "0202", "0.90", "1.80", "13%", False),
    ("PW-6", "插线板", "6位 3米", "PCS", "0202", "29.00", "49.00", "13%", False),
    ("SH-05", "碎纸机", "5级保密 12L", "PCS", "0203", "320.00", "499.00", "13%", False),
    ("PH-01", "办公电话机", "来电显示", "PCS", "0203", "45.00", "79.00", "13%", False),
    ("WT-550", "矿泉水", "550ml×24瓶", "BOX", "0301", "18.00", "28.00", "13%", True),
    ("WT-19L", "桶装饮用水", "18.9L", "BTL", "0301", "12.00", "20.00", "13%", True),
    ("TEA-LJ", "龙井茶", "明前 250g 礼盒", "SET", "0302", "120.00", "198.00", "9%", True),
    ("TEA-PE", "普洱茶", "357g 饼茶", "PCS", "0302", "85.00", "138.00", "9%", True),
    ("CF-12", "速溶咖啡", "1+2原味 100条/袋", "BAG", "0302", "68.00", "99.00", "13%", True),
    ("CF-BN", "咖啡豆", "中度烘焙", "KG", "0302", "95.00", "148.00", "13%", True),
    ("RC-5", "东北大米", "5kg/袋", "BAG", "0303", "32.00", "45.00", "9%", True),
    ("OL-5", "花生油", "5L 压榨一级", "BTL", "0303", "88.00", "119.00", "9%", True),
    ("TS-10", "抽纸", "3层 100抽×10包", "BAG", "04", "15.00", "22.90", "13%", False),
    ("HS-500", "洗手液", "500ml", "BTL", "04", "8.00", "14.90", "13%", False),
    ("TB-50", "垃圾袋", "50×60cm 50只/卷", "PCS", "04", "3.00", "5.50", "13%", False),
    ("SV-INS", "办公设备安装服务", "按小时计费", "H", "05", "0", "150.00", "6%", False),
    ("SV-MNT", "打印机维护保养", "年度合同", "SET", "05", "0", "1200.00", "6%", False),
    ("SV-DLV", "同城物流配送", "按吨计费", "T", "05", "0", "260.00", "9%", False),
)
# code, name, is store, address, phone
WAREHOUSES = (
    ("WH01", "上海总仓", False, "上海市闵行区莘庄工业区春东路88号", "021-64001234"),
    ("ST01", "南京路门店", True, "上海市黄浦区南京东路299号", "021-63501234"),
)


def rng_for(key: str) -> random.Random:
    """A generator seeded by the record's key: the same details on every install, whatever else exists."""
    return random.Random(f"{SEED}:{key}")  # noqa: S311 - reproducible demo data, not secrets


def organization_code_check_char(first8: str) -> str:
    """The 9th character of a 组织机构代码 (GB 11714) from its first 8: digits 0-9, letters A=10…Z=35."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def organization_code(rng: random.Random) -> str:
    """A 9-character 组织机构代码: 8 characters of the credit-code alphabet and their check character."""
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(8))
    return body + organization_code_check_char(body)


def credit_code(rng: random.Random, region: str, *, kind: str = "91") -> str:
    """A well-formed 统一社会信用代码: registry+type (91 = 工商, 企业), region, organization code, check."""
    body = kind + region + organization_code(rng)
    return body + credit_code_check_char(body)


def ean13(first12: str) -> str:
    """An EAN-13 barcode with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def landline(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(2000_0000, 8999_9999)}"


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(1000_0000, 9999_9999)}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _company_short_name(name: str) -> str:
    core = name[2:].removesuffix("有限公司")
    return core[:4]


def _users() -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username,
                password=spec.password,
                first_name=spec.full_name,
                email=f"{spec.username}@demo.suanpan.local",
            )
        users[spec.username] = user
    return users


def _organization(owner: User) -> Organization:
    org = Organization.objects.filter(name=DEMO_ORG_NAME).order_by("pk").first()
    if org is not None:
        return org
    return organization_open(
        owner=owner,
        data={
            "name": DEMO_ORG_NAME,
            "credit_code": credit_code(rng_for("organization"), "310101"),
            "taxpayer_type": TaxpayerType.GENERAL,
            "address": "上海市黄浦区南京东路299号",
            "phone": "021-63501234",
        },
    )


def _memberships(org: Organization, users: dict[str, User]) -> None:
    for spec in USERS:
        membership_add(organization=org, actor=None, user=users[spec.username], roles=list(spec.roles))


def _tags(org: Organization, users: dict[str, User]) -> None:
    existing = set(Tag.objects.filter(organization=org).values_list("name", flat=True))
    for name, color in TAGS:
        if name not in existing:
            partners.tag_create(organization=org, actor=users["marketing"], data={"name": name, "color": color})


def _customers(org: Organization, users: dict[str, User]) -> None:
    reps = (users["sales"], users["sales2"])
    existing = set(Partner.objects.filter(organization=org).values_list("name", flat=True))
    for index, name in enumerate(CUSTOMERS):
        if name in existing:
            continue
        rng = rng_for(f"customer:{name}")
        province, city, area, districts = CITIES[name[:2]]
        district, street, region = rng.choice(districts)
        rep = reps[index % 2]
        tags = rng.sample([t for t, _ in TAGS if t != "新客户"], k=rng.choice((0, 1, 1, 2)))
        if index >= len(CUSTOMERS) - 6:
            tags.append("新客户")
        # No credit (0) means cash in advance: such customers get no payment terms either.
        terms = rng.choice((0, 15, 30, 30, 45, 60))
        credit_limit = Decimal(rng.choice(("20000.00", "50000.00", "100000.00", "200000.00")) if terms else "0")
        customer = partners.partner_create(
            organization=org,
            actor=rep,
            role=PartnerRole.CUSTOMER,
            data={
                "name": name,
                "short_name": _company_short_name(name),
                "credit_code": credit_code(rng, region),
                "phone": landline(rng, area),
                "email": f"info{index + 1:02d}@customer{index + 1:02d}.example.cn",
                "province": province,
                "city": city,
                "address": f"{city}{district}{street}{rng.randint(1, 399)}号",
                "owner": rep,
                "credit_limit": credit_limit,
                "payment_terms_days": terms,
            },
            tags=tags,
        )
        for number in range(rng.choice((1, 1, 2, 3))):
            partners.contact_create(
                organization=org,
                actor=rep,
                role=PartnerRole.CUSTOMER,
                partner_id=customer.pk,
                data={
                    "name": person_name(rng),
                    "title": rng.choice(CUSTOMER_TITLES),
                    "mobile": mobile(rng),
                    "phone": landline(rng, area) if rng.random() < 0.5 else "",
                    "wechat": f"wxid_{rng.randint(100000, 999999)}",
                    "is_primary": number == 0,
                },
            )
    for index, (name, city_key) in enumerate(PERSON_CUSTOMERS):
        if name in existing:
            continue
        rng = rng_for(f"person:{name}")
        province, city, _area, districts = CITIES[city_key]
        district, street, _region = rng.choice(districts)
        home = f"{street}{rng.randint(1, 399)}号{rng.randint(1, 12)}栋{rng.randint(101, 1802)}室"
        rep = reps[index % 2]
        partners.partner_create(
            organization=org,
            actor=rep,
            role=PartnerRole.CUSTOMER,
            data={
                "kind": PartnerKind.PERSON,
                "name": name,
                "phone": mobile(rng),
                "province": province,
                "city": city,
                "address": f"{city}{district}{home}",
                "owner": rep,
                "payment_terms_days": 0,
            },
            tags=["新客户"],
        )


def _suppliers(org: Organization, users: dict[str, User]) -> None:
    buyer = users["purchasing"]
    existing = set(Partner.objects.filter(organization=org).values_list("name", flat=True))
    for name, short_name, province, city, street, area, region, bank in SUPPLIERS:
        if name in existing:
            continue
        rng = rng_for(f"supplier:{name}")
        supplier = partners.partner_create(
            organization=org,
            actor=buyer,
            role=PartnerRole.SUPPLIER,
            data={
                "name": name,
                "short_name": short_name,
                "credit_code": credit_code(rng, region),
                "phone": landline(rng, area),
                "province": province,
                "city": city,
                "address": f"{city}{street}{rng.randint(1, 599)}号",
                "payment_terms_days": rng.choice((30, 45, 60)),
                "bank_name": bank,
                "bank_account": "".join(str(rng.randint(0, 9)) for _ in range(19)),
            },
        )
        for number, title in enumerate(("销售经理", "财务")[: rng.choice((1, 2))]):
            partners.contact_create(
                organization=org,
                actor=buyer,
                role=PartnerRole.SUPPLIER,
                partner_id=supplier.pk,
                data={
                    "name": person_name(rng),
                    "title": title,
                    "mobile": mobile(rng),
                    "phone": landline(rng, area),
                    "is_primary": number == 0,
                },
            )


def _catalog(org: Organization, users: dict[str, User]) -> None:
    buyer = users["purchasing"]
    by_code: dict[str, Category] = {c.code: c for c in Category.objects.filter(organization=org)}
    for code, name, parent in CATEGORIES:
        if code not in by_code:
            by_code[code] = catalog.category_create(
                organization=org,
                actor=buyer,
                data={"code": code, "name": name, "parent": by_code[parent] if parent else None},
            )
    units = {u.code: u for u in Unit.objects.filter(organization=org)}
    rates = {r.name: r for r in VatRate.objects.filter(organization=org)}
    existing = set(Product.objects.filter(organization=org).values_list("code", flat=True))
    for position, (code, name, spec, unit, category, cost, sale, vat, batches) in enumerate(PRODUCTS, start=1):
        if code in existing:
            continue
        rng = rng_for(f"product:{code}")
        stocked = category != SERVICE_CATEGORY
        minimum = Decimal(rng.choice((10, 20, 50, 100)) * (10 if unit == "M" else 1)) if stocked else Decimal(0)
        catalog.product_create(
            organization=org,
            actor=buyer,
            data={
                "code": code,
                "name": name,
                "specification": spec,
                "unit": units[unit],
                "category": by_code[category],
                "barcode": ean13(f"6901234{position:05d}") if stocked else "",
                "purchase_price": Decimal(cost),
                "sale_price": Decimal(sale),
                "vat_rate": rates[vat],
                "is_stocked": stocked,
                "is_batch_tracked": batches,
                "min_stock": minimum,
                "max_stock": minimum * rng.choice((5, 8, 10)),
            },
        )


def _warehouses(org: Organization, users: dict[str, User]) -> None:
    existing = set(Warehouse.objects.filter(organization=org).values_list("code", flat=True))
    for code, name, is_store, address, phone in WAREHOUSES:
        if code not in existing:
            inventory.warehouse_create(
                organization=org,
                actor=users["admin"],
                data={
                    "code": code,
                    "name": name,
                    "is_store": is_store,
                    "address": address,
                    "phone": phone,
                    "manager": users["warehouse"],
                },
            )


def load_demo() -> Organization:
    """Create the demo organization, or complete it with whatever is missing. Returns it."""
    with transaction.atomic():
        users = _users()
        org = _organization(users["owner"])
        _memberships(org, users)
        _tags(org, users)
        _customers(org, users)
        _suppliers(org, users)
        _catalog(org, users)
        _warehouses(org, users)
        load_books(org, users, before_accept=lambda: load_opening_stock(org, users))
        load_stock(org, users)
        load_sales(org, users)
        load_crm(org, users)
    return org
