"""`suanpan verify`: run every invariant check per organization; exit 1 on any difference, 0 when clean."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suanpan.core.models import Organization
from suanpan.verify import CHECKS, verify_organization


class Command(BaseCommand):
    help = (
        "Recompute and check the invariants of every organization's data, printing each check and its "
        "differences. Exit code 1 on any difference, 0 when clean."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, metavar="ID", help="check only this organization")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("pk")
        if options["organization"] is not None:
            organizations = organizations.filter(pk=options["organization"])
            if not organizations.exists():
                raise CommandError(f"--organization: there is no organization #{options['organization']}")
        out = self.stdout
        total = 0
        failed_checks = 0
        count = 0
        for org in organizations:
            count += 1
            out.write(f"#{org.pk} {org.name}")
            for result in verify_organization(org):
                if not result.differences:
                    out.write(f"  ok    {result.check}")
                    continue
                failed_checks += 1
                total += len(result.differences)
                out.write(self.style.ERROR(f"  FAIL  {result.check}: {len(result.differences)} difference(s)"))
                for line in result.differences:
                    out.write(f"          - {line}")
        summary = f"{len(CHECKS)} checks on {count} organization(s): "
        if total == 0:
            out.write(self.style.SUCCESS(summary + "clean"))
            return
        out.write(self.style.ERROR(summary + f"{total} difference(s) in {failed_checks} failing check(s)"))
        out.flush()
        sys.exit(1)
