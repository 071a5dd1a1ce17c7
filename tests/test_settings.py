import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_default_secret_key():
    result = run_check({"TORGET_ENV": "production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret_and_secure_cookies():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "TORGET_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "deliberation.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]


def test_the_bench_hello_route_is_off_unless_the_benchmarks_turn_it_on(client, db):
    assert client.get("/bench/hello/").status_code == 404


def test_production_keeps_connections_checks_them_and_caches_templates():
    """Persistent connections, checked before reuse, and the cached template loader
    with DEBUG off (bench/bench_speed.py measures the production profile)."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.conf import settings as s;"
            "from django.template import engines;"
            "db = s.DATABASES['default'];"
            "loaders = engines['django'].engine.template_loaders;"
            "print(s.DEBUG, db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'],"
            " [type(x).__module__ for x in loaders])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "TORGET_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "deliberation.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/torget",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(maxsplit=3) == [
        "False",
        "60",
        "True",
        "['django.template.loaders.cached']",
    ]
