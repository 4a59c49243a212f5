"""The search as browsers post it: a URL-encoded body, read without request.POST where it can be
(officers.views._posted_fields), with the same answers as Django's own parsing."""

from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import reverse

from officers import views
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


def fields(body, content_type=FORM, **extra):
    request = RequestFactory().post("/", body, content_type=content_type, **extra)
    return request, views._posted_fields(request)


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


def test_fields_are_read_like_request_post():
    body = "postcode=6411+NH&huisnummer=&huisnummer=13&toevoeging=%C3%A9&empty="
    request, read = fields(body)
    assert read == {"postcode": "6411 NH", "huisnummer": "13", "toevoeging": "é", "empty": ""}
    assert not isinstance(read, type(request.POST))
    # A repeated field gives its last value, as QueryDict.get does.
    assert {name: request.POST.get(name) for name in read} == read


@pytest.mark.parametrize(
    ("body", "content_type", "extra"),
    [
        # Not UTF-8: Django reads it as ISO-8859-1.
        (b"postcode=6411NH&huisnummer=13&toevoeging=\xe9", FORM, {}),
        # Multipart, as a form with a file field (or Django's test client) posts.
        (None, None, {}),
    ],
)
def test_other_bodies_are_left_to_request_post(body, content_type, extra):
    if body is None:
        request = RequestFactory().post("/", {"postcode": "6411NH", "huisnummer": "13"})
    else:
        request = RequestFactory().post("/", body, content_type=content_type, **extra)
    assert views._posted_fields(request) is request.POST


def test_a_declared_charset_is_left_to_request_post(client, anna):
    request = RequestFactory().post("/", b"postcode=6411NH", content_type=f"{FORM}; charset=utf-8")
    assert views._posted_fields(request) is request.POST
    assert request.POST["postcode"] == "6411NH"
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


def test_a_body_read_before_the_view_is_left_to_request_post():
    request = RequestFactory().post("/", "postcode=6411NH&huisnummer=13", content_type=FORM)
    request.read()  # as a middleware reading the stream would
    assert views._posted_fields(request) is request.POST
    assert dict(request.POST) == {}
