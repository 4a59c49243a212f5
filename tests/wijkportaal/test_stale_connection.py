"""A kept database connection that died between requests (the database restarted, a firewall
dropped it) costs no resident an error page: the request runs again on a new connection."""

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
def anna(settings):
    settings.CONN_HEALTH_CHECKS = False
    west = factories.make_buurt(factories.make_dataset(), "BU00010001", factories.square(0, 0))
    anna = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(anna, west)
    factories.make_address(west, postcode="6411NH", huisnummer=13, huisletter="E")
    return anna


def kill_the_kept_connection() -> None:
    """What a database restart does to a connection Django keeps: its server process ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


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


def test_a_staff_post_on_a_dead_kept_connection_is_not_run_twice(client, anna, settings):
    """A form that changes something is never repeated: the 503 page, and the next try works."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("beheer", password="x" * 12)
    login = f"/{settings.ADMIN_PATH}login/"
    client.get(login)
    token = client.cookies["csrftoken"].value
    kill_the_kept_connection()
    data = {"username": "beheer", "password": "x" * 12, "csrfmiddlewaretoken": token}
    assert client.post(login, data).status_code == 503
    # What the end of every request does outside the test client: a failed connection is closed.
    close_old_connections()
    assert client.post(login, data).status_code == 302
