"""The document base: a small explicit state machine per document type.

Each document type declares its states and the allowed `(from, to)` pairs in its app's `choices.py` as a
`Workflow`. Only the matching service changes `status`, after `workflow.check(...)`; illegal transitions
raise `DomainError`, which the UI and API show as a clear message. Leaving draft freezes a document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.exceptions import DomainError
from suanpan.core.models import OrgScoped


class Workflow:
    """Allowed transitions of one document type."""

    def __init__(self, transitions: Iterable[tuple[str, str]], *, labels: Mapping[str, object] | None = None) -> None:
        self.transitions = frozenset(transitions)
        self.labels = labels or {}

    def can(self, src: str, dst: str) -> bool:
        return (src, dst) in self.transitions

    def targets(self, src: str) -> set[str]:
        return {dst for (s, dst) in self.transitions if s == src}

    def check(self, src: str, dst: str) -> None:
        if not self.can(src, dst):
            raise DomainError(
                _("This document cannot go from “%(src)s” to “%(dst)s”.")
                % {"src": self.labels.get(src, src), "dst": self.labels.get(dst, dst)},
                field="status",
                code="illegal_transition",
            )


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    CONFIRMED = "confirmed", gettext_lazy("Confirmed")
    POSTED = "posted", gettext_lazy("Posted")
    CLOSED = "closed", gettext_lazy("Closed")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


class Document(OrgScoped):
    """Abstract base of every document (单据): a number taken on confirm, a date, a status."""

    number = models.CharField(gettext_lazy("number"), max_length=40, blank=True)
    date = models.DateField(gettext_lazy("date"))
    status = models.CharField(gettext_lazy("status"), max_length=20, default=DocumentStatus.DRAFT)
    notes = models.TextField(gettext_lazy("notes"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT
