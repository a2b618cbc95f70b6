"""`suanpan verify`: check every invariant; exit 1 on any difference."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suanpan.core.models import Organization
from suanpan.verify import CHECKS, verify


class Command(BaseCommand):
    help = "Recompute and check the invariants of every organization's data; exit code 1 on any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, help="Only this organization (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = Organization.objects.order_by("pk")
        if options["organization"] is not None:
            orgs = orgs.filter(pk=options["organization"])
            if not orgs.exists():
                raise CommandError(f"--organization: no organization #{options['organization']}")
        report = verify(orgs)
        self.stdout.write(f"{len(CHECKS)} checks on {orgs.count()} organization(s)")
        if not report:
            self.stdout.write(self.style.SUCCESS("clean"))
            return
        for org_name, checks in report.items():
            self.stdout.write(self.style.ERROR(org_name))
            for check_name, lines in checks.items():
                self.stdout.write(f"  {check_name}:")
                for line in lines:
                    self.stdout.write(f"    - {line}")
        self.stdout.flush()
        sys.exit(1)
