"""A kept database connection that died between requests (the database restarted, a firewall
dropped it) costs no resident and no editor an error page: Django's connection health check
replaces it before the request's first query."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection

from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="ends a server process of PostgreSQL"
    ),
    # Requests must run on a connection of their own, outside a test transaction.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def anna():
    west = factories.make_buurt(factories.make_dataset(), "BU00010001", factories.square(0, 0))
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, west)
    factories.make_address(west, postcode="6411NH", huisnummer=13, huisletter="E")
    return anna


def kill_the_kept_connection() -> None:
    """What a database restart does to a connection Django keeps: its server process ends.

    Then what the start of every request does outside the test client (which skips it): the
    connection is marked for a health check before its next use.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        # Waits until the process has ended, as a restart has long ended it by the next request.
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    close_old_connections()


def test_a_search_on_a_dead_kept_connection_is_answered(client, anna):
    kill_the_kept_connection()
    response = client.post("/", {"postcode": "6411 NH", "huisnummer": "13E"})
    assert response.status_code == 303
    assert response["Location"].startswith("/wijkagent/anna-voorbeeld/")


@pytest.mark.parametrize(
    "url", ["/buurt/BU00010001/", "/api/v1/lookup?postcode=6411NH&huisnummer=13&huisletter=E"]
)
def test_a_page_on_a_dead_kept_connection_is_answered(client, anna, url):
    kill_the_kept_connection()
    assert client.get(url).status_code == 200


def test_a_staff_login_on_a_dead_kept_connection_is_answered(client, anna, settings):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("beheer", password="x" * 12)
    login = f"/{settings.ADMIN_PATH}login/"
    client.get(login)
    token = client.cookies["csrftoken"].value
    kill_the_kept_connection()
    data = {"username": "beheer", "password": "x" * 12, "csrfmiddlewaretoken": token}
    assert client.post(login, data).status_code == 302


def test_without_the_health_check_the_dead_connection_would_fail_the_request(client, anna):
    """The check is what saves the request: with it off, the same kill is the 503 page."""
    connection.health_check_enabled = False
    try:
        kill_the_kept_connection()
        assert client.get("/buurt/BU00010001/").status_code == 503
    finally:
        connection.health_check_enabled = True
        close_old_connections()
