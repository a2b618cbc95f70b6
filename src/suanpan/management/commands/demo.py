"""`suanpan demo`: create (or complete) the demo organization and print where to log in and as whom."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suanpan.catalog.models import Product
from suanpan.demo import DEMO_URL, USERS, load_demo
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner


class Command(BaseCommand):
    help = "Create (or complete) the demo organization 演示贸易有限公司 with one user per role. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=DEMO_URL, help=f"where the app is served (printed; default {DEMO_URL})")

    def handle(self, *args: Any, **options: Any) -> None:
        org = load_demo()
        partners = Partner.objects.filter(organization=org)
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo organization ready: {org.name} (#{org.pk})"))
        out.write(
            f"  {partners.filter(is_customer=True).count()} customers, "
            f"{partners.filter(is_supplier=True).count()} suppliers, "
            f"{Product.objects.filter(organization=org).count()} products, "
            f"{Warehouse.objects.filter(organization=org).count()} warehouses"
        )
        out.write("")
        out.write(f"Open {options['url']} and log in as one of:")
        out.write("")
        out.write(f"  {'username':<12}{'password':<18}{'roles':<12}name")
        out.write(f"  {'-' * 11:<12}{'-' * 17:<18}{'-' * 11:<12}{'-' * 6}")
        for user in USERS:
            roles = ",".join(user.roles)
            out.write(f"  {user.username:<12}{user.password:<18}{roles:<12}{user.full_name}（{user.role_label}）")
        out.write("")
