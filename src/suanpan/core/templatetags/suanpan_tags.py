from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def user_display(user: Any) -> str:
    """A user's full name, else username; 'system' for actions without a user."""
    if user is None:
        return _("system")
    return str(user.get_full_name() or user.get_username())
