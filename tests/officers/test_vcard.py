"""The "save contact" vCard: public channels only, escaped, downloadable."""

import pytest

from officers.models import ContactChannel
from officers.vcard import international_phone
from tests import factories


@pytest.fixture
def anna(db):
    station = factories.make_station("Bureau Heerlen")
    anna = factories.make_officer(
        "Anna van den Voorbeeld", slug="anna", rank="Hoofdagent", station=station
    )
    factories.add_channel(anna, ContactChannel.Kind.PHONE, "0900-8844")
    factories.add_channel(anna, ContactChannel.Kind.EMAIL, "anna@example.org")
    factories.add_channel(anna, ContactChannel.Kind.WHATSAPP, "06 12345678")
    factories.add_channel(anna, ContactChannel.Kind.INSTAGRAM, "https://www.instagram.com/anna")
    factories.add_channel(anna, ContactChannel.Kind.PHONE, "06-99999999", public=False)
    return anna


def test_vcard_download_has_the_public_channels_only(client, anna):
    response = client.get("/wijkagent/anna/contact.vcf")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="anna.vcf"'
    lines = response.content.decode().replace("\r\n ", "").split("\r\n")
    assert lines[:3] == ["BEGIN:VCARD", "VERSION:3.0", "FN:Anna van den Voorbeeld"]
    assert "N:van den Voorbeeld;Anna;;;" in lines
    assert "TITLE:Hoofdagent · Wijkagent" in lines
    assert "ORG:Politie" in lines  # Dutch by default
    assert "TEL;TYPE=WORK,VOICE:09008844" in lines
    assert "EMAIL;TYPE=INTERNET,WORK:anna@example.org" in lines
    assert "URL;TYPE=WHATSAPP:https://wa.me/31612345678" in lines
    assert "URL;TYPE=INSTAGRAM:https://www.instagram.com/anna" in lines
    assert "ADR;TYPE=WORK:;;Stationstraat 13 E;Heerlen;;6411NH;NL" in lines
    assert "URL:http://testserver/wijkagent/anna/" in lines
    assert "99999999" not in response.content.decode()
    assert lines[-2:] == ["END:VCARD", ""]


def test_vcard_of_an_unpublished_officer_is_not_found(client, anna):
    anna.is_published = False
    anna.save()
    assert client.get("/wijkagent/anna/contact.vcf").status_code == 404


@pytest.mark.parametrize(
    ("typed", "dialled"),
    [("06 1234 5678", "+31612345678"), ("045-5123456", "+31455123456"), ("0900-8844", "09008844")],
)
def test_phone_numbers_become_international_except_service_numbers(typed, dialled):
    assert international_phone(typed) == dialled
