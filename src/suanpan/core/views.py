from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from suanpan.core import services
from suanpan.core.choices import DataScope, Role
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.middleware import SESSION_ORG_KEY
from suanpan.core.models import ApiToken, Membership, Organization
from suanpan.core.permissions import P
from suanpan.core.ui import OrgView, apply_errors, redirect


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Choose the organization to work in; only one the user is an active member of."""
    try:
        org_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise Http404 from None
    if not any(m.organization_id == org_id for m in request.memberships):  # type: ignore[attr-defined]
        raise Http404
    request.session[SESSION_ORG_KEY] = org_id
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    return HttpResponseRedirect(next_url)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))


class TokenListView(OrgView):
    """Every member may create personal tokens; a token acts with the member's own roles."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(TokenForm())

    def _render(self, form: TokenForm, secret: str = "", status: int = 200) -> HttpResponse:
        tokens = ApiToken.objects.filter(membership=self.membership)
        return render(
            self.request, "core/tokens.html", {"form": form, "tokens": tokens, "secret": secret}, status=status
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = services.api_token_create(
                    organization=self.organization, actor=request.user, name=form.cleaned_data["name"]
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                return self._render(TokenForm(), secret=secret)
        return self._render(form, status=422)


class TokenRevokeView(OrgView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        services.api_token_revoke(organization=self.organization, actor=request.user, token_id=pk)
        messages.success(request, _("Token revoked."))
        return redirect(request, reverse("token_list"))


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organization
        fields = [
            "name",
            "credit_code",
            "taxpayer_type",
            "allow_negative_stock",
            "allow_self_review",
            "address",
            "phone",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs["class"] = css

    def _post_clean(self) -> None:
        return


class OrganizationSettingsView(OrgView):
    permission = P.MANAGE_ORGANIZATION

    def get(self, request: HttpRequest) -> HttpResponse:
        form = OrganizationForm(instance=self.organization)
        return self._render(form)

    def _render(self, form: OrganizationForm, status: int = 200) -> HttpResponse:
        members = self.organization.memberships.select_related("user").order_by("user__username")
        return render(self.request, "core/organization.html", {"form": form, "members": members}, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrganizationForm(request.POST, instance=self.organization)
        if form.is_valid():
            try:
                services.organization_update(organization=self.organization, actor=request.user, data=form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(request, reverse("organization_settings"))
        return self._render(form, status=422)


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)


class MemberInviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("First password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Only for a new account; an existing user keeps their password."),
    )
    roles = _roles_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "roles":
                field.widget.attrs["class"] = "form-control"


class MembershipForm(forms.Form):
    roles = _roles_field()
    data_scope = forms.ChoiceField(
        label=_("Data scope"),
        choices=[("", _("By role (sales reps: own records)")), *DataScope.choices],
        required=False,
        help_text=_("Whose customers, leads, opportunities, quotes and contracts this member sees."),
    )
    team = forms.CharField(
        label=_("Team"), max_length=60, required=False, help_text=_("Members of one team share a team data scope.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"
        self.fields["data_scope"].widget.attrs["class"] = "form-select"
        self.fields["team"].widget.attrs["class"] = "form-control"


class MemberInviteView(OrgView):
    permission = P.MANAGE_ORGANIZATION

    def _render(self, form: MemberInviteForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "title": _("Add member"), "cancel_url": reverse("organization_settings")}
        return render(self.request, "core/form.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(MemberInviteForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MemberInviteForm(request.POST)
        if form.is_valid():
            try:
                services.member_invite(organization=self.organization, actor=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Member added."))
                return redirect(request, reverse("organization_settings"))
        return self._render(form, status=422)


class MembershipEditView(OrgView):
    permission = P.MANAGE_ORGANIZATION

    def _membership(self, pk: int) -> Membership:
        membership = Membership.objects.filter(organization=self.organization, pk=pk).select_related("user").first()
        if membership is None:
            raise Http404
        return membership

    def _render(self, form: MembershipForm, membership: Membership, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "title": _("Member: %(name)s") % {"name": membership.user.get_full_name() or membership.user.username},
            "cancel_url": reverse("organization_settings"),
        }
        return render(self.request, "core/form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self._membership(pk)
        initial = {f: getattr(membership, f) for f in ("roles", "is_active", "data_scope", "team")}
        form = MembershipForm(initial=initial)
        return self._render(form, membership)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self._membership(pk)
        form = MembershipForm(request.POST)
        if form.is_valid():
            try:
                services.membership_update(
                    organization=self.organization, actor=request.user, membership_id=membership.pk, **form.cleaned_data
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(request, reverse("organization_settings"))
        return self._render(form, membership, status=422)
