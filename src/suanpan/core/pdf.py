"""PDF documents (vouchers, statements, ledgers) rendered from Django templates by WeasyPrint.

Templates extend `core/pdf_base.html`, which sets A4 pages and one CJK font family (Noto Sans CJK SC from the
system's `fonts-noto-cjk`), so Chinese prints and the files stay small. Nothing is fetched over the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: Mapping[str, Any], request: HttpRequest | None = None) -> bytes:
    """The PDF of a template, as bytes."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # imported here: loading pango takes a moment and most requests never print

    html = render_to_string(template_name, dict(context), request=request)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def pdf_response(
    template_name: str, context: Mapping[str, Any], filename: str, request: HttpRequest | None = None
) -> HttpResponse:
    """An inline PDF response (the browser shows it; its print button prints it)."""
    from urllib.parse import quote

    response = HttpResponse(render_pdf(template_name, context, request), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response
