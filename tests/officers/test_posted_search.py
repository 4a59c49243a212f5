"""The search as browsers post it: a URL-encoded body bound to the form, answered with a redirect
or the form's own messages, through few of the project's files."""

import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def client(client, settings):
    """A resident who chose English with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def anna(buurten):
    officer = factories.make_officer("Anna Voorbeeld", slug="anna-voorbeeld")
    factories.assign(officer, buurten["west"])
    factories.make_address(buurten["west"], postcode="6411NH", huisnummer=13, huisletter="E")
    return officer


def post(client, body, content_type=FORM):
    return client.post(reverse("officers:search"), body, content_type=content_type)


@pytest.mark.parametrize(
    "body",
    [
        "postcode=6411+NH&huisnummer=13&toevoeging=E",
        "postcode=6411%20nh&huisnummer=13e&toevoeging=",
        "huisnummer=13-E&postcode=6411-NH",
    ],
)
def test_a_urlencoded_post_lands_on_the_profile(client, anna, body):
    response = post(client, body)
    assert response.status_code == 303
    assert response["Location"] == "/wijkagent/anna-voorbeeld/?buurt=BU00010001"


def test_the_same_answer_as_a_multipart_post(client, anna):
    typed = {"postcode": "6411NH", "huisnummer": "13", "toevoeging": "Q"}
    urlencoded = post(client, urlencode(typed))
    multipart = client.post(reverse("officers:search"), typed)
    assert urlencoded.status_code == multipart.status_code == 200
    assert urlencoded.content == multipart.content
    assert "not with this letter or addition" in urlencoded.content.decode()


def test_a_declared_charset_is_read_or_refused_as_django_does(client, anna):
    utf8 = post(client, b"postcode=6411NH&huisnummer=13E", content_type=f"{FORM}; charset=utf-8")
    assert utf8.status_code == 303
    # Django refuses a URL-encoded body in any other charset: a 400, as before.
    assert (
        post(client, b"postcode=6411NH", content_type=f"{FORM}; charset=latin-1").status_code == 400
    )


def test_too_many_fields_is_a_400_not_a_500(client, anna, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    body = "postcode=6411NH&huisnummer=13" + "".join(f"&x{i}=1" for i in range(10))
    response = post(client, body)
    assert response.status_code == 400


def test_a_urlencoded_post_with_a_mistake_shows_the_form_with_the_error(client, anna):
    response = post(client, "postcode=12345&huisnummer=13")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a Dutch postcode" in html
    assert 'value="12345"' in html


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"postcode": "6411NH", "huisnummer": "1" * 5000}, "huisnummer"),
        ({"postcode": "6411NH", "huisnummer": "13", "toevoeging": "1" * 5000}, "toevoeging"),
    ],
)
def test_thousands_of_digits_get_the_forms_message_not_a_500(client, anna, typed, field):
    response = post(client, urlencode(typed))
    assert response.status_code == 200
    assert response.context["form"].errors[field]


PROJECT = Path(__file__).resolve().parents[2]


def project_files_run(action) -> set[str]:
    """The project's files whose code runs while `action` runs, without what the issue's rule
    leaves out: settings, URL configurations, middleware, and the tests themselves."""
    files: set[str] = set()

    def trace(frame, event, arg):
        path = frame.f_code.co_filename
        if path.startswith(str(PROJECT)) and "/.venv/" not in path:
            files.add(str(Path(path).relative_to(PROJECT)))

    sys.settrace(trace)
    try:
        action()
    finally:
        sys.settrace(None)
    middleware = {
        str(Path(sys.modules[path.rsplit(".", 1)[0]].__file__).relative_to(PROJECT))
        for path in settings.MIDDLEWARE
        if path.startswith(("wijkportaal.", "officers.", "neighbourhoods.", "api."))
    }
    return {
        name
        for name in files - middleware
        if not name.startswith("tests/") and not name.endswith(("settings.py", "urls.py"))
    }


def test_a_found_address_runs_code_in_at_most_four_project_files(client, anna):
    post(client, "postcode=6411NH&huisnummer=13E")  # warm: the first request imports modules
    responses = []
    files = project_files_run(
        lambda: responses.append(post(client, "postcode=6411NH&huisnummer=13E"))
    )
    assert responses[0].status_code == 303
    # The page cache wraps the view in the URL configuration and sees each request begin and end;
    # the search limit guards the door as middleware would (count the client, then let through).
    guards = {"wijkportaal/limits.py", "wijkportaal/counters.py", "wijkportaal/clients.py"}
    between_view_and_redirect = files - {"wijkportaal/cache.py"} - guards
    assert between_view_and_redirect == {
        "officers/views.py",
        "officers/forms.py",
        "neighbourhoods/parsing.py",
        "officers/finding.py",
    }
