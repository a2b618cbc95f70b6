"""`suanpan demo`: load the demo organization and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from suanpan.demo import USERS, load_demo


class Command(BaseCommand):
    help = "Create (or complete) the demo organization 演示贸易有限公司 with one user per role. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        org = load_demo()
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo organization ready: {org.name}"))
        out.write("Open http://127.0.0.1:8000 and log in as one of:")
        out.write(f"  {'username':<12} {'password':<18} roles")
        for user in USERS:
            out.write(f"  {user.username:<12} {user.password:<18} {', '.join(user.roles)}")
