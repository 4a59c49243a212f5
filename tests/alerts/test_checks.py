"""The deploy checks of the alerts' e-mail settings, and how EMAIL_URL is read."""

from __future__ import annotations

import json
import subprocess
import sys

from alerts import checks
from tests.wijkportaal.test_security import ROOT, run_manage


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_mail_printed_on_the_console_or_sent_from_localhost_is_reported(settings):
    settings.EMAIL_URL = ""
    settings.DEFAULT_FROM_EMAIL = "Wijkportaal <wijkportaal@localhost>"
    assert ids(checks.mail_is_sent()) == ["alerts.W001", "alerts.W002"]
    settings.EMAIL_URL = "smtp://mail.example.nl:25"
    settings.DEFAULT_FROM_EMAIL = "Wijkportaal <noreply@wijkagent.example.nl>"
    assert checks.mail_is_sent() == []


def test_check_deploy_warns_without_email_url():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", EMAIL_URL="")
    assert result.returncode != 0
    assert "alerts.W001" in result.stderr + result.stdout


EMAIL_SETTINGS = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
                  "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS"]  # fmt: skip


def email_settings(**env: str) -> dict[str, object]:
    """The e-mail settings a fresh process reads from `env`."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {EMAIL_SETTINGS!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "wijkportaal.settings", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_email_url_names_the_smtp_server_and_its_account():
    found = email_settings(EMAIL_URL="smtp+tls://post%40example.nl:ge%2Fheim@mail.example.nl:587")
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.nl",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "post@example.nl",
        "EMAIL_HOST_PASSWORD": "ge/heim",
        "EMAIL_USE_TLS": True,
    }


def test_without_email_url_messages_are_printed_on_the_console():
    found = email_settings()
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
