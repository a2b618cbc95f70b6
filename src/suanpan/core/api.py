"""API plumbing: authentication (token or session), the organization of a request, errors as JSON.

Every error body has the same shape: `{"detail": "...", "errors": [{"field": ..., "message": ...}]}`.
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from suanpan.core.exceptions import DomainError, NotFound, PermissionRefused
from suanpan.core.filters import filtered_queryset
from suanpan.core.models import Membership, Organization
from suanpan.core.services import api_token_authenticate
from suanpan.core.tenancy import check_perm, remember_membership


class FieldErrorOut(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = []


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sp_…` with a token the user created in the UI."""

    openapi_description = "Personal API token (create one under 'API tokens' in the web UI)."

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        found = api_token_authenticate(token)
        if found is None:
            return None
        membership = found.membership
        request.user = membership.user
        request.organization = membership.organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        remember_membership(membership.user, membership)
        return membership


class OrgSessionAuth(SessionAuth):
    """The browser's session (CSRF-checked on writes), acting in the organization chosen in the UI."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or getattr(request, "membership", None) is None:
            return None
        return request.membership  # type: ignore[attr-defined]


def org_of(request: HttpRequest, perm: str) -> Organization:
    """The request's organization, after the one permission check shared with the UI and services."""
    organization: Organization = request.organization  # type: ignore[attr-defined]
    check_perm(organization=organization, actor=request.user, perm=perm)
    return organization


def _error(api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: list[dict[str, Any]]) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=status)


def _field_from_loc(loc: list[Any] | tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data", "filters")]
    return ".".join(parts) or None


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _error(
            api, request, exc.status_code, exc.message, [{"field": e.field, "message": e.message} for e in exc.errors]
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _field_from_loc(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
        return _error(api, request, 422, _("The request has invalid fields."), errors)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, 401, _("Authentication required: send a Bearer token or log in."), [])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _error(api, request, exc.status_code, str(exc.message), [])

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Raised while ninja reads the body; left alone it would become Django's HTML 400 page.
        return _error(api, request, 400, _("The request body is too large."), [{"field": None, "message": str(exc)}])

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, str(exc) or _("Not found."), [])


__all__ = [
    "ERRORS",
    "ErrorOut",
    "NotFound",
    "OrgSessionAuth",
    "PermissionRefused",
    "Router",
    "TokenAuth",
    "install_error_handlers",
    "org_of",
]


class Paging(LimitOffsetPagination):
    """`limit` 1–1000 (default 100) and an `offset` bounded so that no database integer overflows."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=10_000_000)


def filtered(filterset_class: Any, request: HttpRequest, queryset: Any, params: Schema) -> Any:
    """Apply the list page's FilterSet to API query parameters (see `filtered_queryset`)."""
    data = {k: v for k, v in params.dict().items() if v is not None and k != "sort"}
    qs = filtered_queryset(filterset_class(data=data, queryset=queryset, request=request))
    sort = getattr(params, "sort", None)
    if sort:
        qs = qs.order_by(sort, "pk")
    return qs


def call_with_payload_names(payload: dict[str, Any], fn: Any) -> Any:
    """Call `fn(payload)`; field errors about a reference (`unit`) are reported under the payload's key
    (`unit_id`), so an integrator sees the name they sent."""
    from suanpan.core.exceptions import FieldError, InvalidInput

    keys = set(payload)
    try:
        return fn(payload)
    except InvalidInput as exc:
        renamed = [
            FieldError(f"{e.field}_id" if e.field and f"{e.field}_id" in keys else e.field, e.message)
            for e in exc.errors
        ]
        raise InvalidInput(renamed) from None


def crud_router(
    *,
    name: str,
    service: Any,
    list_selector: Any,
    filterset_class: Any,
    view_perm: str,
    change_perm: str,
    schema_in: type[Schema],
    schema_patch: type[Schema],
    schema_out: type[Schema],
    schema_query: type[Schema],
) -> Router:
    """List (filtered, paginated), create, get, patch and delete endpoints for one master-data model.

    Payload keys like `unit_id` go straight to the model's foreign-key columns; the service refuses ids of
    another organization's rows, and error fields are reported under the payload's own names.
    """
    from ninja import Query
    from ninja.pagination import paginate
    from ninja.responses import Status

    from suanpan.core.records import get_scoped

    router = Router(tags=[name])
    model = service.model
    ident = name.replace("-", "_")

    call = call_with_payload_names

    @router.get("/", response={200: list[schema_out], **ERRORS}, operation_id=f"{ident}_list")  # type: ignore[valid-type]
    @paginate(Paging)
    def list_rows(request: HttpRequest, filters: Query[schema_query]) -> Any:  # type: ignore[valid-type]
        organization = org_of(request, view_perm)
        return filtered(filterset_class, request, list_selector(organization=organization), filters)

    @router.post("/", response={201: schema_out, **ERRORS}, operation_id=f"{ident}_create")
    def create_row(request: HttpRequest, payload: schema_in) -> Any:  # type: ignore[valid-type]
        organization = org_of(request, change_perm)
        data = payload.dict()  # type: ignore[attr-defined]
        row = call(data, lambda d: service.create(organization=organization, actor=request.user, data=d))
        return Status(201, row)

    @router.get("/{int:pk}", response={200: schema_out, **ERRORS}, operation_id=f"{ident}_get")
    def get_row(request: HttpRequest, pk: int) -> Any:
        organization = org_of(request, view_perm)
        return get_scoped(model, organization=organization, pk=pk)

    @router.patch("/{int:pk}", response={200: schema_out, **ERRORS}, operation_id=f"{ident}_update")
    def update_row(request: HttpRequest, pk: int, payload: schema_patch) -> Any:  # type: ignore[valid-type]
        organization = org_of(request, change_perm)
        data = payload.dict(exclude_unset=True)  # type: ignore[attr-defined]
        return call(data, lambda d: service.update(organization=organization, actor=request.user, pk=pk, data=d))

    @router.delete("/{int:pk}", response={204: None, **ERRORS}, operation_id=f"{ident}_delete")
    def delete_row(request: HttpRequest, pk: int) -> Any:
        organization = org_of(request, change_perm)
        service.delete(organization=organization, actor=request.user, pk=pk)
        return Status(204, None)

    return router
