"""Pages of the Excel import: upload, the batches, a batch's per-row report, downloads of report and template.

Each page about one kind checks that kind's change permission (the same check the import service makes);
another organization's batch is a 404.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core import importing
from suanpan.core.excel import xlsx_response
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import ImportBatch
from suanpan.core.tenancy import check_perm
from suanpan.core.ui import OrgView, apply_errors, redirect

LIST_LIMIT = 100
ERRORS_SHOWN = 500  # a page of every error of 10,000 bad rows is useless; the report holds them all


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )


class ImportListView(OrgView):
    """The organization's import batches, for the kinds the member may import."""

    def get(self, request: HttpRequest) -> HttpResponse:
        kinds = [i for i in importing.importers() if self.can(i.permission)]
        titles = {i.kind: i.title for i in kinds}
        batches = ImportBatch.objects.filter(organization=self.organization, kind__in=titles).select_related("actor")
        rows = [{"batch": b, "title": titles[b.kind]} for b in batches[:LIST_LIMIT]]
        return render(request, "core/import_list.html", {"kinds": kinds, "rows": rows})


class ImportKindView(OrgView):
    """Base for pages about one kind: an unknown kind is a 404, then the kind's own permission is checked."""

    def importer(self, kind: str) -> importing.Importer:
        try:
            importer = importing.importer_for(kind)
        except NotFound:
            raise Http404 from None
        check_perm(organization=self.organization, actor=self.request.user, perm=importer.permission)
        return importer


class ImportNewView(ImportKindView):
    def _render(self, importer: importing.Importer, form: UploadForm, status: int = 200) -> HttpResponse:
        context = {"importer": importer, "form": form, "max_rows": importing.MAX_ROWS}
        return render(self.request, "core/import_new.html", context, status=status)

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        return self._render(self.importer(kind), UploadForm())

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        importer = self.importer(kind)  # the permission, before the file is read
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # At most one byte past the limit: the service refuses the oversized file with its message.
            content = upload.read(settings.SUANPAN_MAX_UPLOAD_BYTES + 1)
            try:
                batch = importing.import_workbook(
                    organization=self.organization,
                    actor=request.user,
                    kind=kind,
                    filename=upload.name or "",
                    content=content,
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                if batch.imported:
                    messages.success(request, _("Imported %(n)d rows.") % {"n": batch.row_count})
                else:
                    messages.error(request, _("Nothing was imported: %(n)d problems found.") % {"n": len(batch.errors)})
                return redirect(request, reverse("import_detail", args=[batch.pk]))
        return self._render(importer, form, status=422)


class ImportDetailView(ImportKindView):
    def batch(self, pk: int) -> tuple[ImportBatch, importing.Importer]:
        batch = ImportBatch.objects.filter(organization=self.organization, pk=pk).select_related("actor").first()
        if batch is None:
            raise Http404
        return batch, self.importer(batch.kind)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch, importer = self.batch(pk)
        context = {
            "batch": batch,
            "importer": importer,
            "errors": batch.errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(batch.errors) - ERRORS_SHOWN),
            "error_rows": len({e["row"] for e in batch.errors}),
            "ignored": [h for h in batch.headers if h and importer.column_for(h) is None],
        }
        return render(request, "core/import_detail.html", context)


class ImportReportView(ImportDetailView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch, _importer = self.batch(pk)
        return xlsx_response(f"import-report-{batch.pk}", importing.report_workbook(batch))


class ImportTemplateView(ImportKindView):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        importer = self.importer(kind)
        return xlsx_response(f"{kind}-template", importing.template_workbook(importer))
