"""The CRM settings page (managers): pool return days, claim limit, churn multiple, contract expiry reminder."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import OrgView, apply_errors, redirect
from suanpan.crm.crm_settings_services import crm_settings_update
from suanpan.crm.models import CrmSettings
from suanpan.crm.setup import crm_settings


class CrmSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CrmSettings
        fields = ["pool_return_days", "claim_limit", "churn_multiple", "contract_expiry_days"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            field.widget.attrs.setdefault("inputmode", "numeric")
        self.fields["churn_multiple"].widget.attrs["inputmode"] = "decimal"

    def _post_clean(self) -> None:
        # the service validates and saves its own locked copy of the row
        return


class CrmSettingsView(OrgView):
    permission = P.MANAGE_CRM

    def _render(self, request: HttpRequest, form: CrmSettingsForm, status: int = 200) -> HttpResponse:
        context = {"title": _("CRM settings"), "form": form, "cancel_url": reverse("crm:my_day")}
        return render(request, "crm/settings.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CrmSettingsForm(instance=crm_settings(self.organization)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CrmSettingsForm(request.POST, instance=crm_settings(self.organization))
        if form.is_valid():
            try:
                crm_settings_update(organization=self.organization, actor=request.user, data=form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("CRM settings saved."))
                return redirect(request, reverse("crm:settings"))
        return self._render(request, form, status=422)


urlpatterns = [path("settings/", CrmSettingsView.as_view(), name="settings")]
