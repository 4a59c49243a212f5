"""Failure: the static 503 page when the database fails, recovery without restart, error pages, logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from wijkportaal.errors import server_error
from wijkportaal.logs import JsonFormatter, RequestIdFilter


@contextmanager
def database_down(error: Exception | None = None) -> Iterator[None]:
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=error or OperationalError("connection refused"),
    ):
        yield


@contextmanager
def captured_json_log(logger_name: str = "wijkportaal") -> Iterator[io.StringIO]:
    """The JSON lines the production handler would write, from the named logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def assert_static_503(response) -> None:
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    for number in ("112", "0900-8844", "0800-7000"):
        assert number in html
    assert "Traceback" not in html
    assert "OperationalError" not in html
    assert "connection refused" not in html


def test_profile_answers_503_while_the_database_is_down_and_200_after(client, officer):
    with database_down():
        assert_static_503(client.get("/wijkagent/anna-voorbeeld/"))
    # The database is back: the same process answers normally, no restart needed.
    response = client.get("/wijkagent/anna-voorbeeld/")
    assert response.status_code == 200
    assert "Anna Voorbeeld" in response.content.decode()


def test_the_lookup_answers_503_while_the_database_is_down(client, officer):
    with database_down():
        response = client.post("/", {"postcode": "6411 NH", "huisnummer": "13 E"})
    assert_static_503(response)
    response = client.post("/", {"postcode": "6411 NH", "huisnummer": "13 E"})
    assert response.status_code == 303


def test_a_lost_connection_is_a_503_too(client, officer):
    with database_down(InterfaceError("connection already closed")):
        assert_static_503(client.get("/buurt/BU00010001/"))


def test_bad_data_is_a_500_not_a_false_outage(client, officer):
    """A DataError (e.g. a NUL byte PostgreSQL refuses) is a bug, not the database being down."""
    client.raise_request_exception = False
    with database_down(DataError("invalid byte sequence")):
        response = client.get("/buurt/BU00010001/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize("code", ["a%00b", "BU0917%2F3300", "BU091733001234"])
def test_a_malformed_buurt_code_is_not_found_before_any_query(client, db, code):
    assert client.get(f"/buurt/{code}/").status_code == 404


def _api_503_from_a_view(client) -> HttpResponse:
    with database_down():
        return client.get("/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E")


def _api_503_from_the_error_handler(client) -> HttpResponse:
    request = RequestFactory().get("/api/v1/lookup")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        return server_error(request)


@pytest.mark.parametrize("answer", [_api_503_from_a_view, _api_503_from_the_error_handler])
def test_api_clients_get_the_503_as_a_problem_they_can_read_cross_site(client, officer, answer):
    response = answer(client)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    body = json.loads(response.content)
    assert body["code"] == "service-unavailable"
    assert body["type"] == "urn:wijkportaal:problem:service-unavailable"
    assert body["status"] == 503
    assert body["emergency_number"] == "112"


def test_the_api_503_matches_the_openapi_document(client, db):
    import jsonschema

    document = client.get("/api/v1/openapi.json").json()
    response = document["paths"]["/lookup"]["get"]["responses"]["503"]
    assert response == {"$ref": "#/components/responses/ServiceUnavailable"}
    schema = {
        "$ref": "#/components/schemas/ServiceUnavailableProblem",
        "components": document["components"],
    }
    request = RequestFactory().get("/api/v1/lookup")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        answer = server_error(request)
    jsonschema.validate(json.loads(answer.content), schema)


def test_readyz_says_not_ready_while_the_database_is_down(client, db):
    with database_down():
        assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 200


def test_a_database_failure_is_logged_with_the_request_id_and_no_address(client, officer):
    with captured_json_log() as stream, database_down():
        response = client.post(
            "/",
            {"postcode": "6411 NH", "huisnummer": "13 E"},
            headers={"X-Request-ID": "proxy-trace-0001"},
        )
    assert response["X-Request-ID"] == "proxy-trace-0001"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all(line["request_id"] == "proxy-trace-0001" for line in lines)
    assert "6411" not in stream.getvalue()
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1
    entry = errors[0]
    assert entry["level"] == "ERROR"
    assert entry["request_id"] == "proxy-trace-0001"
    assert entry["path"] == "/"
    assert "OperationalError" in entry["message"]
    assert "6411" not in stream.getvalue()
    assert "13 E" not in stream.getvalue()


def test_a_failure_outside_a_view_becomes_the_503_page_via_handler500():
    request = RequestFactory().get("/wijkagent/anna-voorbeeld/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert_static_503(response)


def test_other_failures_get_the_500_page_in_the_site_style():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in html
    assert "/static/css/site.css" in html
    assert "112" in html
    assert "a bug" not in html


def test_an_unhandled_error_in_a_view_renders_the_500_page(client, db):
    client.raise_request_exception = False
    with mock.patch("officers.pages.served_municipalities", side_effect=ValueError("bug")):
        response = client.get("/wijkagenten/")
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in response.content.decode()


def test_the_404_page_is_in_the_site_style(client, db):
    response = client.get("/wijkagent/nobody-here/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We kunnen deze pagina niet vinden" in html
    assert 'href="/wijkagenten/"' in html
    assert 'class="site-header"' in html


@pytest.mark.parametrize(
    "incoming",
    ["short", "has space in it", "line\nbreak-injected", "x" * 200, "<script>alert(1)</script>"],
)
def test_an_unsafe_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)


def test_each_request_gets_its_own_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second


def test_log_lines_outside_a_request_carry_no_stale_id(client, db):
    client.get("/healthz", headers={"X-Request-ID": "finished-request-1"})
    with captured_json_log() as stream:
        logging.getLogger("wijkportaal").warning("between requests")
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "between requests"
    assert "request_id" not in entry


def test_the_json_formatter_includes_the_traceback_in_the_log_only():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
    try:
        raise RuntimeError("inner detail")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed here"
    assert "RuntimeError: inner detail" in entry["exception"]


def test_a_post_without_its_csrf_token_gets_a_page_with_the_way_back(db):
    from django.conf import settings
    from django.test import Client

    # The staff login is a form that needs its token; the residents' search forms need none.
    response = Client(enforce_csrf_checks=True).post(
        f"/{settings.ADMIN_PATH}login/", {"username": "redacteur", "password": "geheim-wachtwoord"}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Dit formulier kon niet worden verstuurd" in html
    assert 'href="/"' in html
    assert "0900-8844" in html  # the emergency block of every page
    assert "geheim-wachtwoord" not in html


def test_staff_without_permission_see_the_403_page_in_the_site_style(client, db):
    from django.contrib.auth import get_user_model

    from tests.officers.admin_support import log_in_verified

    staff = get_user_model().objects.create_user("buiten", password="x" * 12, is_staff=True)
    log_in_verified(client, staff)
    response = client.get("/beheer/officers/officer/")
    assert response.status_code == 403
    assert "Je hebt geen toegang tot deze pagina" in response.content.decode()
