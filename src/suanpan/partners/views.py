from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import (
    Column,
    OrgView,
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    apply_errors,
    redirect,
)
from suanpan.partners import selectors, services
from suanpan.partners.choices import PartnerRole
from suanpan.partners.filters import PartnerFilter, TagFilter
from suanpan.partners.forms import ContactForm, PartnerForm, TagForm
from suanpan.partners.models import Partner, Tag

VIEW_PERM = {PartnerRole.CUSTOMER: P.VIEW_CUSTOMER, PartnerRole.SUPPLIER: P.VIEW_SUPPLIER}
URL_PREFIX = {PartnerRole.CUSTOMER: "partners:customer", PartnerRole.SUPPLIER: "partners:supplier"}

PARTNER_COLUMNS = (
    Column("code", _("Code"), sort="code", link=True),
    Column("name", _("Name"), sort="name", link=True),
    Column("kind", _("Type"), phone_hidden=True),
    Column("phone", _("Phone")),
    Column("province", _("Province"), sort="province", phone_hidden=True),
    Column("city", _("City"), phone_hidden=True),
    Column("owner", _("Owner"), phone_hidden=True),
    Column("tags", _("Tags"), phone_hidden=True),
    Column("credit_limit", _("Credit limit"), sort="credit_limit", numeric=True, phone_hidden=True),
    Column("payment_terms_days", _("Terms (days)"), numeric=True, phone_hidden=True),
    Column("is_active", _("Active"), phone_hidden=True),
)


class PartnerRoleMixin:
    role: ClassVar[PartnerRole]

    @property
    def url_prefix(self) -> str:
        return URL_PREFIX[self.role]


class PartnerListView(PartnerRoleMixin, RecordListView):
    columns = PARTNER_COLUMNS
    filterset_class = PartnerFilter
    default_sort = "code"

    def queryset(self) -> QuerySet[Partner]:
        return selectors.partner_list(organization=self.organization, role=self.role, actor=self.request.user)


class CustomerListView(PartnerListView):
    role = PartnerRole.CUSTOMER
    permission = P.VIEW_CUSTOMER
    change_permission = P.CHANGE_CUSTOMER
    title = _("Customers")
    create_url = "partners:customer_create"
    detail_url = "partners:customer_detail"
    import_kind = "customers"
    export_name = "customers"


class SupplierListView(PartnerListView):
    role = PartnerRole.SUPPLIER
    permission = P.VIEW_SUPPLIER
    change_permission = P.CHANGE_SUPPLIER
    title = _("Suppliers")
    create_url = "partners:supplier_create"
    detail_url = "partners:supplier_detail"
    import_kind = "suppliers"
    export_name = "suppliers"


class PartnerDetailView(PartnerRoleMixin, RecordDetailView):
    template_name = "partners/partner_detail.html"

    def get_object(self, pk: int) -> Partner:
        return selectors.partner_get(organization=self.organization, role=self.role, pk=pk, actor=self.request.user)

    def extra_context(self, obj: Partner) -> dict[str, Any]:
        return {
            "role": self.role,
            "url_prefix": self.url_prefix,
            "contacts": selectors.contact_list(organization=self.organization, partner=obj),
            "contact_form": ContactForm(organization=self.organization),
            "show_360": self.role == PartnerRole.CUSTOMER and self.can(P.VIEW_CRM),
        }


class CustomerDetailView(PartnerDetailView):
    role = PartnerRole.CUSTOMER
    permission = P.VIEW_CUSTOMER
    change_permission = P.CHANGE_CUSTOMER


class SupplierDetailView(PartnerDetailView):
    role = PartnerRole.SUPPLIER
    permission = P.VIEW_SUPPLIER
    change_permission = P.CHANGE_SUPPLIER


class PartnerFormView(PartnerRoleMixin, RecordFormView):
    form_class = PartnerForm

    def get_object(self, pk: int) -> Partner:
        return selectors.partner_get(organization=self.organization, role=self.role, pk=pk, actor=self.request.user)

    def _data(self, form: forms.BaseForm) -> tuple[dict[str, Any], Any]:
        data = dict(form.cleaned_data)
        tags = data.pop("tags", [])
        return data, tags

    def create(self, form: forms.BaseForm) -> Partner:
        data, tags = self._data(form)
        return services.partner_create(
            organization=self.organization, actor=self.request.user, role=self.role, data=data, tags=tags
        )

    def update(self, obj: Partner, form: forms.BaseForm) -> Partner:
        data, tags = self._data(form)
        return services.partner_update(
            organization=self.organization,
            actor=self.request.user,
            role=self.role,
            partner_id=obj.pk,
            data=data,
            tags=tags,
        )

    def success_url(self, obj: Any) -> str:
        return reverse(f"{self.url_prefix}_detail", args=[obj.pk])


class CustomerFormView(PartnerFormView):
    role = PartnerRole.CUSTOMER
    permission = P.CHANGE_CUSTOMER
    title_create = _("New customer")
    title_edit = _("Edit customer")
    cancel_url = "partners:customer_list"


class SupplierFormView(PartnerFormView):
    role = PartnerRole.SUPPLIER
    permission = P.CHANGE_SUPPLIER
    title_create = _("New supplier")
    title_edit = _("Edit supplier")
    cancel_url = "partners:supplier_list"


class PartnerDeleteView(PartnerRoleMixin, RecordDeleteView):
    def get_object(self, pk: int) -> Partner:
        return selectors.partner_get(organization=self.organization, role=self.role, pk=pk, actor=self.request.user)

    def delete(self, obj: Partner) -> None:
        services.partner_delete(
            organization=self.organization, actor=self.request.user, role=self.role, partner_id=obj.pk
        )

    def detail_url(self, obj: Any) -> str:
        return reverse(f"{self.url_prefix}_detail", args=[obj.pk])


class CustomerDeleteView(PartnerDeleteView):
    role = PartnerRole.CUSTOMER
    permission = P.CHANGE_CUSTOMER
    list_url = "partners:customer_list"


class SupplierDeleteView(PartnerDeleteView):
    role = PartnerRole.SUPPLIER
    permission = P.CHANGE_SUPPLIER
    list_url = "partners:supplier_list"


class ContactSaveView(PartnerRoleMixin, OrgView):
    """Add (no contact_id) or change a contact from the partner page; answers the contacts partial."""

    http_method_names: ClassVar[list[str]] = ["get", "post"]  # type: ignore[misc]

    def get(self, request: HttpRequest, pk: int, contact_id: int | None = None) -> HttpResponse:
        partner = selectors.partner_get(organization=self.organization, role=self.role, pk=pk, actor=self.request.user)
        contact = (
            selectors.contact_get(organization=self.organization, partner=partner, pk=contact_id)
            if contact_id
            else None
        )
        form = ContactForm(instance=contact, organization=self.organization)
        return render(
            request,
            "partners/contact_form.html",
            {"form": form, "partner": partner, "contact": contact, "url_prefix": self.url_prefix},
        )

    def post(self, request: HttpRequest, pk: int, contact_id: int | None = None) -> HttpResponse:
        partner = selectors.partner_get(organization=self.organization, role=self.role, pk=pk, actor=self.request.user)
        contact = (
            selectors.contact_get(organization=self.organization, partner=partner, pk=contact_id)
            if contact_id
            else None
        )
        form = ContactForm(request.POST, instance=contact, organization=self.organization)
        if form.is_valid():
            try:
                if contact is None:
                    services.contact_create(
                        organization=self.organization,
                        actor=request.user,
                        role=self.role,
                        partner_id=partner.pk,
                        data=form.cleaned_data,
                    )
                else:
                    services.contact_update(
                        organization=self.organization,
                        actor=request.user,
                        role=self.role,
                        partner_id=partner.pk,
                        contact_id=contact.pk,
                        data=form.cleaned_data,
                    )
            except InvalidInput as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(request, reverse(f"{self.url_prefix}_detail", args=[partner.pk]))
        return render(
            request,
            "partners/contact_form.html",
            {"form": form, "partner": partner, "contact": contact, "url_prefix": self.url_prefix},
            status=422,
        )


class ContactDeleteView(PartnerRoleMixin, OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]

    def post(self, request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
        services.contact_delete(
            organization=self.organization, actor=request.user, role=self.role, partner_id=pk, contact_id=contact_id
        )
        return redirect(request, reverse(f"{self.url_prefix}_detail", args=[pk]))


class CustomerContactSaveView(ContactSaveView):
    role = PartnerRole.CUSTOMER
    permission = P.CHANGE_CUSTOMER


class SupplierContactSaveView(ContactSaveView):
    role = PartnerRole.SUPPLIER
    permission = P.CHANGE_SUPPLIER


class CustomerContactDeleteView(ContactDeleteView):
    role = PartnerRole.CUSTOMER
    permission = P.CHANGE_CUSTOMER


class SupplierContactDeleteView(ContactDeleteView):
    role = PartnerRole.SUPPLIER
    permission = P.CHANGE_SUPPLIER


class TagListView(RecordListView):
    permission = P.VIEW_CUSTOMER
    change_permission = P.CHANGE_CUSTOMER
    title = _("Tags")
    columns = (Column("name", _("Name"), sort="name", link=True), Column("color", _("Colour")))
    filterset_class = TagFilter
    default_sort = "name"
    create_url = "partners:tag_create"
    detail_url = "partners:tag_detail"
    export_name = "tags"

    def queryset(self) -> QuerySet[Tag]:
        return selectors.tag_list(organization=self.organization)


class TagDetailView(RecordDetailView):
    permission = P.VIEW_CUSTOMER
    change_permission = P.CHANGE_CUSTOMER
    model = Tag
    fields = (Column("name", _("Name")), Column("color", _("Colour")))
    edit_url = "partners:tag_edit"
    delete_url = "partners:tag_delete"
    list_url = "partners:tag_list"


class TagFormView(RecordFormView):
    permission = P.CHANGE_CUSTOMER
    service = services.tags
    form_class = TagForm
    title_create = _("New tag")
    title_edit = _("Edit tag")
    cancel_url = "partners:tag_list"
    detail_url = "partners:tag_detail"


class TagDeleteView(RecordDeleteView):
    permission = P.CHANGE_CUSTOMER
    service = services.tags
    list_url = "partners:tag_list"
    detail_url_name = "partners:tag_detail"
