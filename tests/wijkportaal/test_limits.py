"""The public doors' limits: the HTML search per client, and request body sizes."""

from __future__ import annotations

import io

import pytest

SEARCH = {"postcode": "6411NH", "huisnummer": "13 E"}


def test_searches_at_speed_get_the_friendly_page(client, officer, settings):
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 5
    statuses = [client.post("/", SEARCH, REMOTE_ADDR="192.0.2.50").status_code for _ in range(8)]
    assert statuses[:5] == [303] * 5
    assert statuses[5:] == [429] * 3
    refused = client.post("/", SEARCH, REMOTE_ADDR="192.0.2.50")
    html = refused.content.decode()
    assert "0900-8844" in html
    assert "112" in html
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Cache-Control"] == "no-store"
    # Another client searches as before; showing the form is never limited.
    assert client.post("/", SEARCH, REMOTE_ADDR="192.0.2.51").status_code == 303
    assert client.get("/", REMOTE_ADDR="192.0.2.50").status_code == 200


def test_the_street_search_counts_with_the_postcode_search(client, officer, settings):
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 1
    assert client.post("/", SEARCH).status_code == 303
    street = {"straat": "Markt", "huisnummer": "1", "woonplaats": "Heerlen"}
    assert client.post("/adres/", street).status_code == 429


def test_the_refusal_is_in_dutch_by_default_and_english_on_request(client, officer, settings):
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 0
    assert client.post("/", SEARCH).status_code == 303  # 0 switches the limit off
    settings.SEARCH_RATE_LIMIT_PER_MINUTE = 1
    client.post("/", SEARCH)
    assert "Te veel zoekopdrachten" in client.post("/", SEARCH).content.decode()


@pytest.mark.parametrize("path", ["/", "/taal/", "/adres/", "/beheer/login/"])
def test_an_announced_body_above_the_limit_is_refused_unread(client, db, path, settings):
    settings.PUBLIC_BODY_MAX_BYTES = 1024
    settings.ADMIN_BODY_MAX_BYTES = 4096
    limit = 4096 if path.startswith("/beheer/") else 1024
    body = io.BytesIO(b"x" * (limit + 1))
    response = client.generic(
        "POST",
        path,
        b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(limit + 1),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.tell() == 0  # not one byte was read
    assert "0900-8844" in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"


def chunked(client, path: str, payload: bytes):
    return client.generic(
        "POST",
        path,
        b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(payload)},
    )


def test_a_chunked_body_above_the_limit_is_refused_as_it_is_read(client, db, settings):
    settings.PUBLIC_BODY_MAX_BYTES = 1024
    assert chunked(client, "/", b"postcode=" + b"1" * 5000).status_code == 413


def test_a_chunked_body_within_the_limit_reaches_the_form(client, officer):
    response = chunked(client, "/", b"postcode=6411NH&huisnummer=13+E")
    assert response.status_code == 303
