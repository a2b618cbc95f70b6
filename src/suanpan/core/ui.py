"""Generic pages for master data: list (search, filters, sort, pages, Excel), detail, create/edit, delete.

Each app declares a few small subclasses with `permission`, `columns`, `filterset_class`, `form_class` and
the service to call; the views themselves stay thin: parse, call one selector or service, render. Another
organization's row is a 404; a missing permission a 403, the same check the API and services use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import View
from django_filters import FilterSet

from suanpan.core.audit import audit_history
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.filters import filtered_queryset
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import has_perm
from suanpan.core.records import MasterData, get_scoped
from suanpan.core.tenancy import check_perm

T = TypeVar("T")

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000


def configured(value: T | None, name: str) -> T:
    """A class attribute a generic view needs; missing means the subclass was declared wrong."""
    if value is None:
        raise ImproperlyConfigured(f"this view needs `{name}`")
    return value


@dataclass(frozen=True)
class Column:
    """One column of a list page and its Excel export."""

    key: str
    label: str | Promise
    sort: str | None = None
    link: bool = False
    numeric: bool = False
    phone_hidden: bool = False

    def raw(self, obj: object) -> Any:
        value: Any = obj
        for part in self.key.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part)
            if isinstance(value, models.Manager):
                value = ", ".join(str(o) for o in value.all())
        return value

    def text(self, obj: object) -> str:
        value = self.raw(obj)
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, Decimal):
            return number_format(value, force_grouping=True)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return str(value)


class OrgView(LoginRequiredMixin, View):
    """A page inside the current organization, guarded by one permission."""

    permission: ClassVar[str] = ""

    request: HttpRequest
    organization: Organization
    membership: Membership

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        organization = getattr(request, "organization", None)
        if organization is None:
            return render(request, "core/no_organization.html", status=403)
        self.organization = organization
        try:
            self.membership = check_perm(organization=organization, actor=request.user, perm=self.permission)
            return super().dispatch(request, *args, **kwargs)
        except PermissionRefused as exc:
            return render(request, "core/forbidden.html", {"message": exc.message}, status=403)
        except NotFound as exc:
            raise Http404(exc.message) from None

    def can(self, perm: str) -> bool:
        return has_perm(self.membership, perm)


class RecordListView(OrgView):
    title: ClassVar[str | Promise] = ""
    columns: ClassVar[Sequence[Column]] = ()
    filterset_class: ClassVar[type[FilterSet]]
    default_sort: ClassVar[str] = ""
    create_url: ClassVar[str] = ""
    change_permission: ClassVar[str] = ""
    detail_url: ClassVar[str] = ""
    import_kind: ClassVar[str] = ""
    export_name: ClassVar[str] = "export"
    template_name: ClassVar[str] = "core/list.html"

    def queryset(self) -> models.QuerySet[Any]:
        raise NotImplementedError

    def sort_keys(self) -> dict[str, str]:
        return {c.sort: c.sort for c in self.columns if c.sort}

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET or None, queryset=self.queryset(), request=request)
        try:
            qs = filtered_queryset(filterset) if filterset.is_bound else filterset.queryset
        except InvalidInput:
            qs = filterset.queryset.none()  # the filter bar shows what is wrong
        sort = request.GET.get("sort", self.default_sort)
        if sort.lstrip("-") in self.sort_keys():
            qs = qs.order_by(sort, "pk")
        else:
            sort = ""
        if request.GET.get("export") == "xlsx":
            rows = ([c.raw(o) for c in self.columns] for o in qs[:EXPORT_LIMIT].iterator(chunk_size=1000))
            headers = [str(c.label) for c in self.columns]
            return xlsx_response(self.export_name, workbook_bytes(str(self.title), headers, rows))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context = {
            "view": self,
            "title": self.title,
            "filterset": filterset,
            "page": page,
            "rows": [
                {"obj": obj, "href": self.detail_href(obj), "cells": [(c, c.text(obj)) for c in self.columns]}
                for obj in page.object_list
            ],
            "columns": self.columns,
            "sort": sort,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "can_change": self.can(self.change_permission) if self.change_permission else False,
        }
        template = "core/partials/list_results.html" if request.htmx else self.template_name  # type: ignore[attr-defined]
        return render(request, template, context)

    def detail_href(self, obj: models.Model) -> str:
        return reverse(self.detail_url, args=[obj.pk]) if self.detail_url else ""


class DocumentListView(OrgView):
    """A list of documents with the generic list page's search, filters, sort, pages and Excel export (documents
    are made by their own forms, not by the master-data create/edit/delete pages)."""

    title: ClassVar[Any] = ""
    columns: ClassVar[Sequence[Column]] = ()
    default_sort: ClassVar[str] = "-date"
    create_url: ClassVar[str] = ""
    change_permission: ClassVar[str] = ""
    detail_url: ClassVar[str] = ""
    import_kind: ClassVar[str] = ""
    export_name: ClassVar[str] = "export"
    template_name: ClassVar[str] = "core/list.html"

    get = RecordListView.get
    sort_keys = RecordListView.sort_keys
    detail_href = RecordListView.detail_href


class RecordDetailView(OrgView):
    """A record's fields, its edit/delete actions and its audit history."""

    template_name: ClassVar[str] = "core/detail.html"
    change_permission: ClassVar[str] = ""
    model: ClassVar[type[models.Model] | None] = None
    fields: ClassVar[Sequence[Column]] = ()
    edit_url: ClassVar[str] = ""
    delete_url: ClassVar[str] = ""
    list_url: ClassVar[str] = ""

    def get_object(self, pk: int) -> models.Model:
        return get_scoped(configured(self.model, "model"), organization=self.organization, pk=pk)

    def extra_context(self, obj: Any) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        context = {
            "object": obj,
            "view": self,
            "fields": [(c.label, c.text(obj)) for c in self.fields],
            "history": audit_history(organization=self.organization, obj=obj)[:50],
            "can_change": self.can(self.change_permission) if self.change_permission else False,
            **self.extra_context(obj),
        }
        return render(request, self.template_name, context)


def apply_errors(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a service's field errors on the form fields they name (others on the form itself)."""
    for err in exc.errors:
        field = err.field if err.field in form.fields else None
        form.add_error(field, err.message)


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful post: a normal redirect, or HX-Redirect for HTMX requests."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class RecordFormView(OrgView):
    """Create (no pk) or edit (pk) one record through its service (a `MasterData` unless overridden)."""

    service: ClassVar[MasterData[Any] | None] = None
    detail_url: ClassVar[str] = ""

    form_class: ClassVar[type[forms.BaseForm]]
    template_name: ClassVar[str] = "core/form.html"
    title_create: ClassVar[str | Promise] = ""
    title_edit: ClassVar[str | Promise] = ""
    cancel_url: ClassVar[str] = ""

    def make_form(self, data: Any = None, files: Any = None, instance: Any = None) -> forms.BaseForm:
        form_class: Callable[..., forms.BaseForm] = self.form_class
        return form_class(data=data, files=files, instance=instance, organization=self.organization)

    def get_object(self, pk: int) -> models.Model:
        found: models.Model = get_scoped(
            configured(self.service, "service").model, organization=self.organization, pk=pk
        )
        return found

    def create(self, form: forms.BaseForm) -> models.Model:
        saved: models.Model = configured(self.service, "service").create(
            organization=self.organization, actor=self.request.user, data=form.cleaned_data
        )
        return saved

    def update(self, obj: Any, form: forms.BaseForm) -> models.Model:
        saved: models.Model = configured(self.service, "service").update(
            organization=self.organization, actor=self.request.user, pk=obj.pk, data=form.cleaned_data
        )
        return saved

    def success_url(self, obj: models.Model) -> str:
        return reverse(self.detail_url, args=[obj.pk])

    def render_form(self, form: forms.BaseForm, obj: Any, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "object": obj,
            "title": self.title_edit if obj else self.title_create,
            "cancel_url": self.success_url(obj) if obj else reverse(self.cancel_url),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk) if pk else None
        return self.render_form(self.make_form(instance=obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk) if pk else None
        form = self.make_form(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            try:
                saved = self.update(obj, form) if obj else self.create(form)
            except InvalidInput as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return redirect(request, self.success_url(saved))
        return self.render_form(form, obj, status=422)


class RecordDeleteView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    service: ClassVar[MasterData[Any] | None] = None
    list_url: ClassVar[str] = ""
    detail_url_name: ClassVar[str] = ""

    def get_object(self, pk: int) -> models.Model:
        found: models.Model = get_scoped(
            configured(self.service, "service").model, organization=self.organization, pk=pk
        )
        return found

    def delete(self, obj: Any) -> None:
        configured(self.service, "service").delete(organization=self.organization, actor=self.request.user, pk=obj.pk)

    def detail_url(self, obj: models.Model) -> str:
        return reverse(self.detail_url_name, args=[obj.pk])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        try:
            self.delete(obj)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request, self.detail_url(obj))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": obj})
        return redirect(request, reverse(self.list_url))


def record_urls(prefix: str, name: str, *, list_view: Any, detail: Any, form: Any, delete: Any) -> list[Any]:
    """The five URLs of a master-data resource: list, new, detail, edit, delete."""
    from django.urls import path

    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", form.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", form.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]
