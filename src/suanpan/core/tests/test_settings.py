import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from suanpan.core.models import Membership, Organization

PRINT_SETTINGS = (
    "import json, suanpan.settings as s; "
    "print(json.dumps({'huey': s.HUEY['huey_class'], 'immediate': s.HUEY['immediate'], "
    "'engine': s.DATABASES['default']['ENGINE'], 'debug': s.DEBUG, 'ssl': getattr(s, 'SECURE_SSL_REDIRECT', None)}))"
)


def read_settings(tmp_path, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SUANPAN_TESTING"}}
    full_env.update({"SUANPAN_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=full_env, capture_output=True, text=True, check=False
    )


def test_huey_runs_immediately_in_tests():
    assert settings.HUEY["immediate"] is True


def test_defaults_are_sqlite_and_sqlite_huey(tmp_path):
    out = read_settings(tmp_path)
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["huey"] == "huey.SqliteHuey"
    assert values["immediate"] is False
    assert (tmp_path / "secret_key").exists()


def test_empty_directory_variables_fall_back_to_the_defaults(tmp_path):
    """An exported but empty SUANPAN_VAR_DIR (a shell variable that was never set) means the default ./var/, not
    the current directory: the databases and the secret key must not land beside the sources."""
    home = tmp_path / "home"
    home.mkdir()
    out = read_settings(tmp_path, SUANPAN_VAR_DIR="", SUANPAN_HOME=str(home))
    assert out.returncode == 0, out.stderr
    assert (home / "var" / "secret_key").exists()
    assert not (home / "secret_key").exists()


def test_redis_url_moves_huey_to_redis(tmp_path):
    values = json.loads(read_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0").stdout)
    assert values["huey"] == "huey.RedisHuey"


def test_production_requires_a_secret_key_and_turns_on_secure_settings(tmp_path):
    refused = read_settings(tmp_path, SUANPAN_ENV="production")
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    values = json.loads(read_settings(tmp_path, SUANPAN_ENV="production", SECRET_KEY="x" * 50).stdout)
    assert (values["debug"], values["ssl"]) == (False, True)


@pytest.mark.django_db
def test_create_organization_command(capsys):
    call_command("create_organization", "杭州某某贸易有限公司", "--owner", "zhang", "--password", "long-enough")
    org = Organization.objects.get(name="杭州某某贸易有限公司")
    assert Membership.objects.get(organization=org).user.username == "zhang"
    with pytest.raises(CommandError, match="credit_code"):
        call_command("create_organization", "坏公司", "--owner", "zhang", "--credit-code", "123")
    assert not Organization.objects.filter(name="坏公司").exists()
