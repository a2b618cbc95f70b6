"""Type names shared across apps."""

from django.contrib.auth.models import AnonymousUser, User

# Who acts: the request's user (services check that it is an authenticated member). `None` is allowed only
# where a service says so: set-up commands run by the operator (demo, seeding), recorded as 'system'.
Actor = User | AnonymousUser
