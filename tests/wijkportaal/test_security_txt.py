"""/.well-known/security.txt in RFC 9116's format, from the settings."""

from __future__ import annotations

from wijkportaal import checks

URL = "/.well-known/security.txt"


def test_security_txt_names_the_contact_and_the_expiry(client, settings):
    settings.SECURITY_CONTACTS = ["mailto:security@example.nl", "https://example.nl/melden"]
    settings.SECURITY_TXT_EXPIRES = "2027-06-30"
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "Contact: mailto:security@example.nl",
        "Contact: https://example.nl/melden",
        "Expires: 2027-06-30T00:00:00Z",
        "Preferred-Languages: nl, en",
    ]
    assert response["X-Frame-Options"] == "DENY"


def test_without_a_contact_there_is_no_file_and_a_check_says_so(client, settings):
    settings.SECURITY_CONTACTS = []
    settings.SECURITY_TXT_EXPIRES = "2027-06-30"
    assert client.get(URL).status_code == 404
    assert [m.id for m in checks.check_security_txt(None)] == ["wijkportaal.W010"]


def test_an_expired_file_and_a_bad_date_are_reported(settings):
    settings.SECURITY_CONTACTS = ["mailto:security@example.nl"]
    settings.SECURITY_TXT_EXPIRES = "2020-01-01T00:00:00+01:00"
    assert [m.id for m in checks.check_security_txt(None)] == ["wijkportaal.W011"]
    settings.SECURITY_TXT_EXPIRES = "next year"
    assert [m.id for m in checks.check_security_txt(None)] == ["wijkportaal.E010"]
