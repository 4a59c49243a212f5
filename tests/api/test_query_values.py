"""The API's query string, read without building request.GET (api.parameters.query_values), with
the same values as Django's own parsing; anything else is left to request.GET."""

import pytest
from django.test import RequestFactory

from api import parameters


def request_for(query_string: str | bytes, **environ: str):
    request = RequestFactory().get("/api/v1/lookup", **environ)
    if isinstance(query_string, bytes):
        # As a WSGI server hands over raw bytes: each byte one ISO-8859-1 character.
        query_string = query_string.decode("iso-8859-1")
    request.META["QUERY_STRING"] = query_string
    return request


@pytest.mark.parametrize(
    "query_string",
    [
        "postcode=6411NH&huisnummer=13&toevoeging=E",
        "postcode=6411+NH&huisnummer=&huisnummer=13&huisletter=%C3%A9&empty=",
        "postcode=6411%20nh;huisnummer=13",
        "flag&postcode=6411NH&&=x",
        "toevoeging=%E9",  # an escape that is not UTF-8: replaced, as QueryDict does
        "",
    ],
)
def test_values_are_read_like_request_get(query_string):
    request = request_for(query_string)
    read = parameters.query_values(request)
    assert "GET" not in request.__dict__  # read without building request.GET
    assert read == dict(request.GET.lists())


def test_a_repeated_parameter_keeps_every_value_in_order():
    read = parameters.query_values(request_for("huisnummer=13&huisnummer=15"))
    assert read["huisnummer"] == ["13", "15"]


def test_raw_bytes_that_are_not_utf8_are_left_to_request_get():
    request = request_for(b"postcode=6411NH&toevoeging=\xe9")
    read = parameters.query_values(request)
    assert read == dict(request.GET.lists())
    assert read["toevoeging"] == ["é"]  # Django reads such a query string as ISO-8859-1


def test_a_declared_charset_is_left_to_request_get():
    """Django decodes the query string with a charset the Content-Type names, even on a GET."""
    request = request_for(
        "postcode=6411NH&toevoeging=%E9", CONTENT_TYPE="text/plain; charset=latin-1"
    )
    read = parameters.query_values(request)
    assert read == dict(request.GET.lists())
    assert read["toevoeging"] == ["é"]


def test_too_many_parameters_are_left_to_request_get(settings):
    from django.core.exceptions import TooManyFieldsSent

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    request = request_for("a=1&b=2&c=3&d=4")
    with pytest.raises(TooManyFieldsSent):
        parameters.query_values(request)


def test_too_many_parameters_are_a_400_not_a_500(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    response = client.get("/api/v1/lookup?postcode=6411NH&huisnummer=13&a=1&b=2")
    assert response.status_code == 400
