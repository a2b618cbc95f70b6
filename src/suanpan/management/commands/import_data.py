"""`suanpan import_data KIND FILE --organization ID --user NAME`: the Excel import from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from suanpan.core import importing
from suanpan.core.exceptions import DomainError
from suanpan.core.models import Organization


class Command(BaseCommand):
    help = "Import customers, suppliers or products from an .xlsx file: every row or none, with a report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="customers, suppliers or products")
        parser.add_argument("file", type=Path, help="the .xlsx file (first worksheet, header row first)")
        parser.add_argument("--organization", required=True, help="organization id or exact name")
        parser.add_argument("--user", required=True, help="username of the member doing the import")
        parser.add_argument("--report", type=Path, help="write the row-by-row report (.xlsx) here")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [i.kind for i in importing.importers()]
        if options["kind"] not in kinds:
            raise CommandError(f"kind: use one of {', '.join(kinds)}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist")
        org_key = options["organization"]
        org = Organization.objects.filter(pk=int(org_key)).first() if org_key.isdigit() else None
        org = org or Organization.objects.filter(name=org_key).first()
        if org is None:
            raise CommandError(f"--organization: no organization {org_key!r}")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user: no user {options['user']!r}")

        with tqdm(total=0, unit="row", desc=f"{options['kind']}", file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                batch = importing.import_workbook(
                    organization=org,
                    actor=user,
                    kind=options["kind"],
                    filename=path.name,
                    content=path.read_bytes(),
                    progress=progress,
                )
            except DomainError as exc:
                raise CommandError("; ".join(f"{e.field or 'file'}: {e.message}" for e in exc.errors)) from None

        if options["report"]:
            options["report"].write_bytes(importing.report_workbook(batch))
        if batch.imported:
            self.stdout.write(self.style.SUCCESS(f"imported {batch.row_count} rows (batch #{batch.pk})"))
            return
        for error in batch.errors:
            self.stdout.write(f"row {error['row']} {error['field']}: {error['message']}")
        raise CommandError(f"nothing imported: {len(batch.errors)} problems in {batch.row_count} rows")
