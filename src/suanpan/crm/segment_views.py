"""Segment and tag rule pages: the lists, the forms (the same filter fields for both), the segment page with its
customers (as the member's data scope sees them) and its Excel export for campaigns. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError
from suanpan.core.filters import SearchFilterSet
from suanpan.core.forms import members_of
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.crm import segments
from suanpan.crm.choices import RfmClass
from suanpan.crm.models import Segment, TagRule
from suanpan.crm.rfm import rfm_scores
from suanpan.partners.models import Tag

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000


class FiltersColumn(Column):
    """The saved filters as people read them."""

    def raw(self, obj: object) -> Any:
        organization = obj.organization  # type: ignore[attr-defined]
        return "; ".join(f"{k}: {v}" for k, v in segments.filters_text(organization, obj.filters))  # type: ignore[attr-defined]


class SegmentFilter(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Segment
        fields = ["q"]


class TagRuleFilter(SearchFilterSet):
    search_fields = ("tag__name",)
    is_active = django_filters.BooleanFilter(label=gettext_lazy("Active"))

    class Meta:
        model = TagRule
        fields = ["q", "is_active"]


class SegmentListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.CHANGE_CRM
    title = gettext_lazy("Customer segments")
    filterset_class = SegmentFilter
    default_sort = "name"
    create_url = "crm:segment_create"
    detail_url = "crm:segment_detail"
    export_name = "segments"
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        FiltersColumn("filters", gettext_lazy("Filters")),
        Column("created_by", gettext_lazy("Created by"), phone_hidden=True),
        Column("updated_at", gettext_lazy("Changed"), sort="updated_at", phone_hidden=True),
    )

    def queryset(self) -> QuerySet[Segment]:
        return segments.segment_list(organization=self.organization).select_related("organization")


class TagRuleListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.MANAGE_CRM
    title = gettext_lazy("Tag rules")
    filterset_class = TagRuleFilter
    default_sort = ""
    create_url = "crm:tagrule_create"
    detail_url = "crm:tagrule_edit"
    export_name = "tag-rules"
    template_name = "crm/tagrule_list.html"
    columns = (
        Column("tag", gettext_lazy("Tag"), link=True),
        FiltersColumn("filters", gettext_lazy("Filters")),
        Column("is_active", gettext_lazy("Active")),
        Column("last_run_at", gettext_lazy("Last applied"), phone_hidden=True),
    )

    def queryset(self) -> QuerySet[TagRule]:
        return segments.tag_rule_list(organization=self.organization).select_related("organization")

    def detail_href(self, obj: Any) -> str:
        return reverse("crm:tagrule_edit", args=[obj.pk]) if self.can(P.MANAGE_CRM) else ""


# Forms ----------------------------------------------------------------------------------------------------------------


POOL_CHOICES = [("", gettext_lazy("Any")), ("true", gettext_lazy("In the pool")), ("false", gettext_lazy("Owned"))]


class FilterFields(forms.Form):
    """The segment filters as form fields (keys as `crm.segments.customer_filter` takes them)."""

    province = forms.CharField(label=gettext_lazy("Province"), required=False, max_length=60)
    city = forms.CharField(label=gettext_lazy("City"), required=False, max_length=60)
    industry = forms.CharField(label=gettext_lazy("Industry"), required=False, max_length=60)
    owner_id = forms.ModelChoiceField(queryset=Tag.objects.none(), label=gettext_lazy("Owner"), required=False)
    in_pool = forms.ChoiceField(label=gettext_lazy("Pool (公海)"), choices=POOL_CHOICES, required=False)
    rfm_class = forms.ChoiceField(
        label=gettext_lazy("RFM class"), choices=[("", gettext_lazy("Any")), *RfmClass.choices], required=False
    )
    last_purchase_within_days = forms.IntegerField(
        label=gettext_lazy("Bought within (days)"), required=False, min_value=0, max_value=segments.MAX_DAYS
    )
    no_purchase_for_days = forms.IntegerField(
        label=gettext_lazy("No purchase for (days)"),
        required=False,
        min_value=0,
        max_value=segments.MAX_DAYS,
        help_text=gettext_lazy("Customers who bought before, but not in these days."),
    )
    min_lifetime_value = forms.DecimalField(
        label=gettext_lazy("Lifetime value at least"), required=False, min_value=0, decimal_places=2, max_digits=16
    )
    tag_ids = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(),
        label=gettext_lazy("Tags (all of)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    filter_keys: ClassVar[tuple[str, ...]] = segments.FILTER_KEYS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_id"]
        owner.queryset = members_of(organization)  # type: ignore[attr-defined]
        owner.label_from_instance = lambda user: str(user.get_full_name() or user.get_username())  # type: ignore[attr-defined]
        self.fields["tag_ids"].queryset = Tag.objects.filter(organization=organization).order_by("name")  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field.widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        found: dict[str, Any] = {}
        for key in self.filter_keys:
            value = data.get(key)
            if key == "owner_id":
                value = value.pk if value else None
            elif key == "tag_ids":
                value = [t.pk for t in value] if value else None
            elif key == "min_lifetime_value" and value is not None:
                value = str(value)
            if value not in (None, "", []):
                found[key] = value
        return found

    @classmethod
    def initial_of(cls, filters: dict[str, Any]) -> dict[str, Any]:
        initial = dict(filters)
        if "in_pool" in initial:
            initial["in_pool"] = "true" if initial["in_pool"] else "false"
        return initial


class SegmentForm(FilterFields):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    field_order: ClassVar[list[str]] = ["name"]  # type: ignore[misc]


class TagRuleForm(FilterFields):
    tag_id = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        label=gettext_lazy("Tag"),
        required=False,
        empty_label=gettext_lazy("A new tag (type its name)"),
    )
    tag_name = forms.CharField(label=gettext_lazy("New tag"), required=False, max_length=40)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    field_order: ClassVar[list[str]] = ["tag_id", "tag_name", "is_active"]  # type: ignore[misc]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["tag_id"].queryset = Tag.objects.filter(organization=organization).order_by("name")  # type: ignore[attr-defined]
        self.fields["tag_id"].widget.attrs["class"] = "form-select"


def _apply_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's errors on the form fields they name (`filters.<key>` on the filter's field)."""
    for err in exc.errors:
        field = (err.field or "").removeprefix("filters.")
        form.add_error(field if field in form.fields else None, err.message)


class _FormView(OrgView):
    form_class: ClassVar[type[FilterFields]]
    template_name = "crm/segment_form.html"

    def render_form(
        self, request: HttpRequest, form: forms.Form, obj: Any, title: str, back: str, status: int = 200
    ) -> HttpResponse:
        delete_url = reverse("crm:tagrule_delete", args=[obj.pk]) if isinstance(obj, TagRule) else ""
        hint = (
            _(
                "Every filter given must match; empty ones are ignored. Customers outside your data scope are not "
                "listed."
            )
            if not isinstance(obj, TagRule) and not isinstance(form, TagRuleForm)
            else _("Choose an existing tag or type a new one. A tag with a rule is no longer added or removed by hand.")
        )
        return render(
            request,
            self.template_name,
            {"form": form, "object": obj, "title": title, "cancel_url": back, "delete_url": delete_url, "hint": hint},
            status=status,
        )


class SegmentFormView(_FormView):
    permission = P.CHANGE_CRM

    def _segment(self, pk: int | None) -> Segment | None:
        return segments.segment_get(organization=self.organization, pk=pk) if pk is not None else None

    def _back(self, segment: Segment | None) -> str:
        return reverse("crm:segment_detail", args=[segment.pk]) if segment else reverse("crm:segment_list")

    def _title(self, segment: Segment | None) -> str:
        return _("Edit segment %(s)s") % {"s": segment} if segment else _("New segment")

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        segment = self._segment(pk)
        initial = {"name": segment.name, **SegmentForm.initial_of(segment.filters)} if segment else {}
        form = SegmentForm(initial=initial, organization=self.organization)
        return self.render_form(request, form, segment, self._title(segment), self._back(segment))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        segment = self._segment(pk)
        form = SegmentForm(request.POST, organization=self.organization)
        if form.is_valid():
            data = {"name": form.cleaned_data["name"], "filters": form.filters()}
            try:
                if segment is None:
                    saved = segments.segment_create(organization=self.organization, actor=request.user, data=data)
                else:
                    saved = segments.segment_update(
                        organization=self.organization, actor=request.user, segment_id=segment.pk, data=data
                    )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return redirect(request, reverse("crm:segment_detail", args=[saved.pk]))
        return self.render_form(request, form, segment, self._title(segment), self._back(segment), status=422)


def _segment_rows(view: OrgView, segment: Segment) -> tuple[QuerySet[Any], dict[int, Any]]:
    today = timezone.localdate()
    rfm = rfm_scores(organization=view.organization, today=today)
    customers = segments.customer_filter(
        organization=view.organization, actor=view.request.user, filters=segment.filters, today=today, rfm=rfm
    )
    return customers, rfm


class SegmentDetailView(OrgView):
    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        segment = segments.segment_get(organization=self.organization, pk=pk)
        customers, rfm = _segment_rows(self, segment)
        page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "segment": segment,
            "filters": segments.filters_text(self.organization, segment.filters),
            "page": page,
            "rows": segments.segment_rows(page.object_list, rfm),
            "can_change": self.can(P.CHANGE_CRM),
            "can_export": self.can(P.VIEW_CRM_ANALYTICS),
        }
        return render(request, "crm/segment_detail.html", context)


EXPORT_HEADERS = (
    gettext_lazy("Code"),
    gettext_lazy("Name"),
    gettext_lazy("Contact"),
    gettext_lazy("Mobile"),
    gettext_lazy("Region"),
    gettext_lazy("Owner"),
    gettext_lazy("Tags"),
    gettext_lazy("RFM class"),
    gettext_lazy("Last purchase"),
    gettext_lazy("Lifetime value"),
)


def export_rows(rows: list[segments.SegmentRow]) -> list[list[Any]]:
    return [
        [
            r.customer.code,
            r.customer.name,
            r.contact,
            r.mobile,
            r.region,
            (r.owner.get_full_name() or r.owner.get_username()) if r.owner else "",
            "、".join(r.tags),
            r.rfm_label,
            r.last_purchase,
            r.lifetime_value,
        ]
        for r in rows
    ]


def segment_export(view: OrgView, segment: Segment) -> HttpResponse:
    customers, rfm = _segment_rows(view, segment)
    rows = segments.segment_rows(customers[:EXPORT_LIMIT], rfm)
    content = workbook_bytes(segment.name, [str(h) for h in EXPORT_HEADERS], export_rows(rows))
    return xlsx_response(f"segment-{segment.pk}", content)


class SegmentExportView(OrgView):
    """The segment's customers as Excel, for campaigns (VIEW_CRM_ANALYTICS)."""

    permission = P.VIEW_CRM_ANALYTICS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        segment = segments.segment_get(organization=self.organization, pk=pk)
        return segment_export(self, segment)


class SegmentDeleteView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        segment = segments.segment_get(organization=self.organization, pk=pk)
        segments.segment_delete(organization=self.organization, actor=request.user, segment_id=segment.pk)
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": segment})
        return redirect(request, reverse("crm:segment_list"))


# Tag rules ------------------------------------------------------------------------------------------------------------


class TagRuleFormView(_FormView):
    permission = P.MANAGE_CRM

    def _rule(self, pk: int | None) -> TagRule | None:
        return segments.tag_rule_get(organization=self.organization, pk=pk) if pk is not None else None

    def _title(self, rule: TagRule | None) -> str:
        return _("Edit the rule of tag %(t)s") % {"t": rule.tag} if rule else _("New tag rule")

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rule = self._rule(pk)
        initial = (
            {"tag_id": rule.tag_id, "is_active": rule.is_active, **TagRuleForm.initial_of(rule.filters)}
            if rule
            else {"is_active": True}
        )
        form = TagRuleForm(initial=initial, organization=self.organization)
        return self.render_form(request, form, rule, self._title(rule), reverse("crm:tagrule_list"))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rule = self._rule(pk)
        form = TagRuleForm(request.POST, organization=self.organization)
        if form.is_valid():
            tag = form.cleaned_data["tag_id"]
            data = {
                "tag_id": tag.pk if tag else None,
                "tag_name": form.cleaned_data["tag_name"],
                "is_active": form.cleaned_data["is_active"],
                "filters": form.filters(),
            }
            try:
                if rule is None:
                    saved = segments.tag_rule_create(organization=self.organization, actor=request.user, data=data)
                else:
                    saved = segments.tag_rule_update(
                        organization=self.organization, actor=request.user, rule_id=rule.pk, data=data
                    )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Saved the rule of “%(obj)s”.") % {"obj": saved.tag})
                return redirect(request, reverse("crm:tagrule_list"))
        return self.render_form(request, form, rule, self._title(rule), reverse("crm:tagrule_list"), status=422)


class TagRuleDeleteView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = segments.tag_rule_get(organization=self.organization, pk=pk)
        segments.tag_rule_delete(organization=self.organization, actor=request.user, rule_id=rule.pk)
        messages.success(request, _("Deleted the rule of “%(obj)s”; the tag stays.") % {"obj": rule.tag})
        return redirect(request, reverse("crm:tagrule_list"))


class TagRuleApplyView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest) -> HttpResponse:
        changes = segments.tag_rules_apply(organization=self.organization, actor=request.user)
        messages.success(request, _("Tag rules applied: %(n)d changes.") % {"n": changes})
        return redirect(request, reverse("crm:tagrule_list"))


urlpatterns = [
    path("segments/", SegmentListView.as_view(), name="segment_list"),
    path("segments/new/", SegmentFormView.as_view(), name="segment_create"),
    path("segments/<int:pk>/", SegmentDetailView.as_view(), name="segment_detail"),
    path("segments/<int:pk>/edit/", SegmentFormView.as_view(), name="segment_edit"),
    path("segments/<int:pk>/delete/", SegmentDeleteView.as_view(), name="segment_delete"),
    path("segments/<int:pk>/export/", SegmentExportView.as_view(), name="segment_export"),
    path("tag-rules/", TagRuleListView.as_view(), name="tagrule_list"),
    path("tag-rules/new/", TagRuleFormView.as_view(), name="tagrule_create"),
    path("tag-rules/apply/", TagRuleApplyView.as_view(), name="tagrule_apply"),
    path("tag-rules/<int:pk>/edit/", TagRuleFormView.as_view(), name="tagrule_edit"),
    path("tag-rules/<int:pk>/delete/", TagRuleDeleteView.as_view(), name="tagrule_delete"),
]
