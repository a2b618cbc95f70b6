"""`suanpan import_data KIND FILE --organization ID_OR_NAME --user USERNAME [--report OUT.xlsx]`.

The Excel import from the command line: the same service as the upload page (every row or none), with a
progress bar on stderr. When the file is refused, every problem is printed as "row N column: message" and
the command exits non-zero; `--report` writes the row-by-row report either way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from suanpan.core import importing
from suanpan.core.exceptions import DomainError, PermissionRefused
from suanpan.core.models import ImportBatch, Organization


class Command(BaseCommand):
    help = "Import customers, suppliers or products from an .xlsx file: every row or none, with a report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="what the file holds: " + ", ".join(i.kind for i in importing.importers()))
        parser.add_argument("file", type=Path, help="the .xlsx file (first worksheet, a header row naming columns)")
        parser.add_argument("--organization", required=True, help="organization id or exact name")
        parser.add_argument("--user", required=True, help="username of the member doing the import")
        parser.add_argument("--report", type=Path, help="write the row-by-row report (.xlsx) here")

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        kinds = [i.kind for i in importing.importers()]
        if kind not in kinds:
            raise CommandError(f"kind: {kind!r} is not one of {', '.join(kinds)}")
        organization = self._organization(options["organization"])
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user {options['user']!r}")
        content = self._read(options["file"])

        with tqdm(total=None, unit="row", desc=kind, file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                batch = importing.import_workbook(
                    organization=organization,
                    actor=user,
                    kind=kind,
                    filename=options["file"].name,
                    content=content,
                    progress=progress,
                )
            except PermissionRefused as exc:
                raise CommandError(f"--user: {exc.message}") from None
            except DomainError as exc:
                raise CommandError("; ".join(f"{e.field or 'file'}: {e.message}" for e in exc.errors)) from None

        if options["report"]:
            self._write_report(options["report"], batch)
        if batch.imported:
            self.stdout.write(self.style.SUCCESS(f"imported {batch.row_count} rows (batch #{batch.pk})"))
            return
        for error in batch.errors:
            column = f" {error['field']}" if error["field"] else ""
            self.stdout.write(f"row {error['row']}{column}: {error['message']}")
        raise CommandError(
            f"nothing imported: {len(batch.errors)} problems in {batch.row_count} rows (batch #{batch.pk})"
        )

    def _organization(self, key: str) -> Organization:
        if key.isascii() and key.isdigit():
            found = Organization.objects.filter(pk=int(key)).first()
            if found is not None:
                return found
        by_name = list(Organization.objects.filter(name=key)[:2])
        if len(by_name) > 1:
            raise CommandError(f"--organization: several organizations are called {key!r}; give its id")
        if not by_name:
            raise CommandError(f"--organization: no organization {key!r}")
        return by_name[0]

    def _read(self, path: Path) -> bytes:
        """The file's bytes, at most one past the size limit (the import refuses an oversized file)."""
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist or is not a file")
        try:
            with path.open("rb") as handle:
                return handle.read(settings.SUANPAN_MAX_UPLOAD_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"file: cannot read {path}: {exc.strerror}") from None

    def _write_report(self, path: Path, batch: ImportBatch) -> None:
        try:
            path.write_bytes(importing.report_workbook(batch))
        except OSError as exc:
            raise CommandError(f"--report: cannot write {path}: {exc.strerror}") from None
        self.stderr.write(f"report written to {path}")
