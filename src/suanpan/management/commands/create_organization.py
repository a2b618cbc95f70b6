"""`suanpan create_organization NAME --owner USERNAME`: open a company for real use (not demo data)."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from suanpan.core.choices import TaxpayerType
from suanpan.core.exceptions import DomainError
from suanpan.onboarding import organization_open


class Command(BaseCommand):
    help = "Create an organization (tenant) with its owner; the owner account is created if it does not exist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Company name, e.g. 北京某某贸易有限公司")
        parser.add_argument("--owner", required=True, help="Username of the owner (created if missing)")
        parser.add_argument("--credit-code", default="", help="统一社会信用代码 (18 characters)")
        parser.add_argument("--taxpayer-type", choices=TaxpayerType.values, default=TaxpayerType.GENERAL)
        parser.add_argument("--password", default="", help="Password for a new owner account (asked if omitted)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["owner"].strip()
        with transaction.atomic():
            owner = User.objects.filter(username=username).first()
            if owner is None:
                password = options["password"] or getpass.getpass(f"Password for new user {username}: ")
                if len(password) < 8:
                    raise CommandError("--password: at least 8 characters")
                owner = User.objects.create_user(username=username, password=password)
            data = {
                "name": options["name"].strip(),
                "credit_code": options["credit_code"].strip().upper(),
                "taxpayer_type": options["taxpayer_type"],
            }
            try:
                org = organization_open(owner=owner, data=data)
            except DomainError as exc:
                details = "; ".join(f"{e.field or 'organization'}: {e.message}" for e in exc.errors)
                raise CommandError(details) from None
        self.stdout.write(self.style.SUCCESS(f"Organization #{org.pk} {org.name} opened; owner: {owner.username}"))
