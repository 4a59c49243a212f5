"""Security by default: deploy checks, response headers, cookies, and no inline or third-party code."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from wijkportaal.errors import server_error
from wijkportaal.middleware import service_unavailable_response

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ" * 2,
    "ALLOWED_HOSTS": "wijkagent.example.nl",
    "SITE_URL": "https://wijkagent.example.nl",
    "EMAIL_URL": "smtp+tls://wijkportaal:geheim@mail.example.nl:587",
    "DEFAULT_FROM_EMAIL": "Wijkportaal <noreply@wijkagent.example.nl>",
    "DATABASE_URL": "sqlite:///:memory:",
    "SECURITY_CONTACTS": "mailto:security@example.nl",
    "SECURITY_TXT_EXPIRES": (dt.date.today() + dt.timedelta(days=180)).isoformat(),
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Without the runner's Redis: counters sharing the page cache's Redis are a warning of their own.
    own = ("SECURE_", "DJANGO_", "REDIS_", "COUNTERS_")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    keep.pop("DEBUG", None)
    return subprocess.run(  # noqa: S603 (this interpreter, fixed manage.py commands)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**keep, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_is_clean_behind_a_proxy_that_redirects_to_https():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECURE_SSL_REDIRECT="false",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_warns_about_a_short_secret_key():
    # Proves the check above can fail: a weak key is reported.
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_a_malformed_proxy_header_setting_fails_loudly():
    result = run_manage("check", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode != 0
    assert "must look like 'X-Forwarded-Proto: https'" in result.stderr


def test_the_proxy_header_marks_requests_as_https(settings, client, db):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    redirect = client.get("/")
    assert redirect.status_code == 301
    assert redirect["Location"].startswith("https://")


def test_every_response_carries_the_security_headers(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")


def test_cookies_are_secure_and_http_only(client, db):
    from django.conf import settings

    response = client.get(f"/{settings.ADMIN_PATH}login/")
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"


def test_the_admin_path_is_configurable():
    from django.conf import settings

    result = run_manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        ADMIN_PATH="/intern-beheer/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "/intern-beheer/"
    assert settings.ADMIN_PATH == "beheer/"


def _pages(client, officer) -> dict[str, str]:
    pages = {
        "home": client.get("/"),
        "home with errors": client.post("/", {"postcode": "nonsense"}),
        "profile": client.get("/wijkagent/anna-voorbeeld/"),
        "buurt": client.get("/buurt/BU00010001/"),
        "list": client.get("/wijkagenten/testgemeente/"),
        "outside area": client.get("/buiten-werkgebied/"),
        "not found": client.get("/wijkagent/nobody/"),
    }
    html = {name: response.content.decode() for name, response in pages.items()}
    html["503"] = service_unavailable_response().content.decode()
    try:
        raise ValueError("boom")
    except ValueError:
        html["500"] = server_error(RequestFactory().get("/")).content.decode()
    return html


def test_no_page_has_inline_script_or_style(client, officer):
    pages = _pages(client, officer)
    assert len(pages) == 9
    for name, html in pages.items():
        assert "<html" in html, name
        assert "<script" not in html, name
        assert "<style" not in html, name
        assert "style=" not in html, name
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler on {name}"


def test_no_page_loads_anything_from_another_site(client, officer):
    for name, html in _pages(client, officer).items():
        loaded = re.findall(r'\ssrc="([^"]*)"', html)
        loaded += re.findall(r'<link[^>]*href="([^"]*)"', html)
        loaded += re.findall(r'<form[^>]*action="([^"]*)"', html)
        for url in loaded:
            assert not re.match(r"^(https?:)?//", url), f"{name} loads {url}"
        assert "/static/css/site.css" in html, name


@pytest.mark.parametrize("path", ["/static/css/site.css", "/healthz"])
def test_non_html_responses_carry_the_headers_too(client, path, db):
    response = client.get(path)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
