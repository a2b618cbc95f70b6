"""Pages of the Excel import: upload, the batch's per-row report, downloads of the report and the template."""

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
from suanpan.core.permissions import has_perm
from suanpan.core.tenancy import check_perm
from suanpan.core.ui import OrgView, apply_errors, redirect


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )


class ImportListView(OrgView):
    """The organization's import batches, for the kinds the member may import."""

    def get(self, request: HttpRequest) -> HttpResponse:
        kinds = [i for i in importing.importers() if has_perm(self.membership, i.permission)]
        batches = ImportBatch.objects.filter(
            organization=self.organization, kind__in=[i.kind for i in kinds]
        ).select_related("actor")[:100]
        return render(request, "core/import_list.html", {"kinds": kinds, "batches": batches})


class ImportKindView(OrgView):
    """Base for pages about one kind: checks the kind's own permission."""

    def importer(self, kind: str) -> importing.Importer:
        try:
            importer = importing.importer_for(kind)
        except NotFound:
            raise Http404 from None
        check_perm(organization=self.organization, actor=self.request.user, perm=importer.permission)
        return importer


class ImportNewView(ImportKindView):
    def _render(self, importer: importing.Importer, form: UploadForm, status: int = 200) -> HttpResponse:
        return render(self.request, "core/import_new.html", {"importer": importer, "form": form}, status=status)

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        return self._render(self.importer(kind), UploadForm())

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        importer = self.importer(kind)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # Read at most one byte past the limit: the service refuses the oversized file with its message.
            content = upload.read(settings.SUANPAN_MAX_UPLOAD_BYTES + 1)
            try:
                batch = importing.import_workbook(
                    organization=self.organization,
                    actor=request.user,
                    kind=kind,
                    filename=upload.name,
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
    def batch(self, pk: int) -> ImportBatch:
        batch = ImportBatch.objects.filter(organization=self.organization, pk=pk).select_related("actor").first()
        if batch is None:
            raise Http404
        self.importer(batch.kind)
        return batch

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.batch(pk)
        return render(
            request, "core/import_detail.html", {"batch": batch, "importer": importing.importer_for(batch.kind)}
        )


class ImportReportView(ImportDetailView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.batch(pk)
        return xlsx_response(f"import-report-{batch.pk}", importing.report_workbook(batch))


class ImportTemplateView(ImportKindView):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        importer = self.importer(kind)
        return xlsx_response(f"{kind}-template", importing.template_workbook(importer))
